import type { Colours, Method, PaletteId } from '../lib/api/types';
import { percent } from '../lib/format';
import { ShareBar } from './ShareBar';
import { Swatch } from './Swatch';

const METHODS: { id: Method; label: string }[] = [
  { id: 'foreground', label: 'The vegetable' },
  { id: 'reference', label: 'Whole photo' },
];
const PALETTES: PaletteId[] = ['rgb', 'ryb'];

/** Both colour methods on both wheels: dominant colour, its share and all shares as a bar. */
export function ColourResults({ colours }: { colours: Colours }) {
  return (
    <table className="colour-table">
      <caption className="visually-hidden">Dominant colours on the RGB and RYB wheels</caption>
      <thead>
        <tr>
          <th scope="col">Measured on</th>
          {PALETTES.map((p) => (
            <th scope="col" key={p}>
              {p.toUpperCase()} wheel
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {METHODS.map((m) => (
          <tr key={m.id}>
            <th scope="row">{m.label}</th>
            {PALETTES.map((p) => {
              const r = colours[m.id][p];
              const top = r.shares?.[0];
              return (
                <td key={p}>
                  <span className="colour-cell">
                    <Swatch hex={r.dominant.hex} name={r.dominant.name} labelled size="md" />
                    {top && top.hex === r.dominant.hex && <span className="muted small"> {percent(top.share)}</span>}
                  </span>
                  {r.neutral && <span className="muted small"> mostly without colour</span>}
                  <ShareBar shares={r.shares} label={`${m.label}, ${p.toUpperCase()} wheel`} />
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
