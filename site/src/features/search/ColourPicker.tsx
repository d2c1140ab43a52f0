import type { Palette, PaletteId } from '../../lib/api/types';
import { textOn } from '../../lib/format';

interface ColourPickerProps {
  palettes: Palette[] | undefined;
  colour: string | null;
  palette: PaletteId;
  onChange: (colour: string | null, palette: PaletteId) => void;
}

const WHEEL_NAMES: Record<PaletteId, string> = {
  rgb: 'RGB wheel (light: red, green, blue primaries)',
  ryb: 'RYB wheel (paint: red, yellow, blue primaries)',
};

/** Two rows of swatches, one per colour wheel; each name shows on hover and on keyboard focus. */
export function ColourPicker({ palettes, colour, palette, onChange }: ColourPickerProps) {
  return (
    <fieldset className="colour-picker">
      <legend>Colour</legend>
      <label className="choice any-colour">
        <input type="radio" name="colour" value="" checked={colour === null} onChange={() => onChange(null, palette)} />
        <span className="choice-body">Any colour</span>
      </label>
      {palettes === undefined ? (
        <p className="muted">Loading the colour wheels…</p>
      ) : (
        palettes.map((p) => (
          <div className="wheel-row" key={p.id} role="group" aria-labelledby={`wheel-${p.id}`}>
            <span className="wheel-name" id={`wheel-${p.id}`} title={WHEEL_NAMES[p.id]}>
              {p.id.toUpperCase()}
              <span className="visually-hidden"> wheel</span>
            </span>
            <div className="wheel-swatches">
              {p.colours.map((c) => {
                const checked = colour !== null && palette === p.id && colour === c.name.toLowerCase();
                return (
                  <label className="swatch-choice" key={c.hex} data-name={c.name}>
                    <input
                      type="radio"
                      name="colour"
                      value={`${p.id}:${c.name}`}
                      checked={checked}
                      onChange={() => onChange(c.name.toLowerCase(), p.id)}
                    />
                    <span className="swatch-face" style={{ background: c.hex, color: textOn(c.hex) }}>
                      <span className="visually-hidden">
                        {c.name} ({p.id.toUpperCase()} wheel)
                      </span>
                    </span>
                    <span className="swatch-tip" aria-hidden="true">
                      {c.name}
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
