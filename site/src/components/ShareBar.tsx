import type { ColourShare } from '../lib/api/types';
import { percent } from '../lib/format';

/** A thin bar split into the wheel colours' shares of the picture. */
export function ShareBar({ shares: given, label }: { shares: ColourShare[] | null; label: string }) {
  const shares = given ?? [];
  if (shares.length === 0) return null;
  const total = shares.reduce((s, c) => s + c.share, 0) || 1;
  const text = shares.map((s) => `${s.name} ${percent(s.share)}`).join(', ');
  return (
    <div className="share-bar" role="img" aria-label={`${label}: ${text || 'no colour'}`} title={text}>
      {shares.map((s) => (
        <span key={s.hex} style={{ background: s.hex, flexGrow: s.share / total }} />
      ))}
    </div>
  );
}
