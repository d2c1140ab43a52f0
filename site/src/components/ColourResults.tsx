import type { Colours, Method, PaletteResult } from '../lib/api/types';
import { percent } from '../lib/format';
import { ShareBar } from './ShareBar';
import { Swatch } from './Swatch';

const METHODS: { id: Method; label: string; note?: string }[] = [
  { id: 'foreground', label: 'The vegetable' },
  {
    id: 'reference',
    label: 'Whole-photo average (the original thesis rule)',
    note: 'Averages every pixel, background included, so greys, whites and browns pull it towards orange.',
  },
];
const COLUMNS: { id: 'rgb' | 'ryb' | 'common'; label: string }[] = [
  { id: 'rgb', label: 'RGB wheel' },
  { id: 'ryb', label: 'RYB wheel' },
  { id: 'common', label: 'In words' },
];

/** One method on one palette: the colour named and its shares, or why there is none. */
function Cell({ r, label, explain }: { r: PaletteResult | undefined; label: string; explain: boolean }) {
  if (!r) return <span className="muted small">—</span>;
  const top = r.shares?.[0];
  return (
    <>
      <span className="colour-cell">
        {r.dominant ? (
          <>
            <Swatch hex={r.dominant.hex} name={r.dominant.name} labelled size="md" />
            {top && top.hex === r.dominant.hex && <span className="muted small"> {percent(top.share)}</span>}
          </>
        ) : (
          <span className="muted">no hue</span>
        )}
      </span>
      {r.neutral && !r.dominant && <span className="muted small"> neutral: found by its name in words</span>}
      {explain && r.memory_colour && (
        <span className="muted small colour-note">
          The light hid this vegetable&apos;s own hue, so this is the colour it comes in nearest to what the photo
          shows; the bar is what the photo shows.
        </span>
      )}
      <ShareBar shares={r.shares} label={label} />
    </>
  );
}

/** Both colour methods on both wheels and, for the vegetable, in everyday words. */
export function ColourResults({ colours }: { colours: Colours }) {
  return (
    <table className="colour-table">
      <caption className="visually-hidden">Dominant colours on the RGB and RYB wheels and in words</caption>
      <thead>
        <tr>
          <th scope="col">Measured on</th>
          {COLUMNS.map((c) => (
            <th scope="col" key={c.id}>
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {METHODS.map((m) => (
          <tr key={m.id}>
            <th scope="row">
              {m.label}
              {m.note && <span className="muted small colour-note">{m.note}</span>}
            </th>
            {COLUMNS.map((c) => (
              <td key={c.id}>
                <Cell r={colours[m.id][c.id]} label={`${m.label}, ${c.label}`} explain={c.id === 'common'} />
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
