import type { Palette, PaletteId } from '../../lib/api/types';
import { textOn } from '../../lib/format';

interface ColourPickerProps {
  palettes: Palette[] | undefined;
  colour: string | null;
  palette: PaletteId;
  onChange: (colour: string | null, palette: PaletteId) => void;
  /** How many photos each colour would find for the chosen kind (GET /api/colours), by palette and colour name; unknown while loading. */
  counts?: Partial<Record<PaletteId, Record<string, number>>>;
}

const PALETTE_NAMES: Record<PaletteId, { short: string; long: string }> = {
  rgb: { short: 'RGB', long: 'RGB wheel (light: red, green, blue primaries)' },
  ryb: { short: 'RYB', long: 'RYB wheel (paint: red, yellow, blue primaries)' },
  common: { short: 'Words', long: 'Everyday colour names (white, brown, beige, ...)' },
};

/** Three rows of swatches: the two colour wheels and the everyday names; each name shows on hover and on keyboard focus. */
export function ColourPicker({ palettes, colour, palette, onChange, counts }: ColourPickerProps) {
  return (
    <fieldset className="colour-picker">
      <legend>Colour</legend>
      <label className="choice any-colour">
        <input type="radio" name="colour" value="" checked={colour === null} onChange={() => onChange(null, palette)} />
        <span className="choice-body">Any colour</span>
      </label>
      {palettes === undefined ? (
        <p className="muted">Loading the colours…</p>
      ) : (
        palettes.map((p) => (
          <div className="wheel-row" key={p.id} role="group" aria-labelledby={`wheel-${p.id}`}>
            <span className="wheel-name" id={`wheel-${p.id}`} title={PALETTE_NAMES[p.id].long}>
              {PALETTE_NAMES[p.id].short}
              <span className="visually-hidden">{p.id === 'common' ? ' (everyday colour names)' : ' wheel'}</span>
            </span>
            <div className="wheel-swatches">
              {p.colours.map((c) => {
                const checked = colour !== null && palette === p.id && colour === c.name.toLowerCase();
                const n = counts?.[p.id]?.[c.name];
                return (
                  <label className={`swatch-choice${n === 0 ? ' is-empty' : ''}`} key={c.hex} data-name={c.name} data-count={n}>
                    <input
                      type="radio"
                      name="colour"
                      value={`${p.id}:${c.name}`}
                      checked={checked}
                      onChange={() => onChange(c.name.toLowerCase(), p.id)}
                    />
                    <span className="swatch-face" style={{ background: c.hex, color: textOn(c.hex) }}>
                      <span className="visually-hidden">
                        {c.name} ({p.id === 'common' ? 'everyday name' : `${p.id.toUpperCase()} wheel`})
                        {n !== undefined && (n === 0 ? ', no photos' : `, ${n} photo${n === 1 ? '' : 's'}`)}
                      </span>
                      {n !== undefined && (
                        <span className="swatch-count" aria-hidden="true">
                          {n > 999 ? '1k+' : n}
                        </span>
                      )}
                    </span>
                    <span className="swatch-tip" aria-hidden="true">
                      {c.name}
                      {n !== undefined && ` · ${n === 0 ? 'none yet' : n}`}
                    </span>
                  </label>
                );
              })}
            </div>
          </div>
        ))
      )}
    </fieldset>
  );
}
