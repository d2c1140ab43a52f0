import type { Timings } from '../lib/api/types';
import { ms } from '../lib/format';

const STEPS: { key: keyof Timings; label: string }[] = [
  { key: 'fetch_ms', label: 'Fetch' },
  { key: 'decode_ms', label: 'Decode' },
  { key: 'inference_ms', label: 'Model' },
  { key: 'colour_ms', label: 'Colour' },
  { key: 'total_ms', label: 'Total' },
];

export function TimingsList({ timings }: { timings: Timings }) {
  return (
    <dl className="timings">
      {STEPS.map((s) => (
        <div key={s.key} className={s.key === 'total_ms' ? 'timing-total' : undefined}>
          <dt>{s.label}</dt>
          <dd>{ms(timings[s.key])}</dd>
        </div>
      ))}
    </dl>
  );
}
