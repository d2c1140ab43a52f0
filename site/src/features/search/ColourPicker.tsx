import type { Palette, PaletteId } from '../../lib/api/types';
import { textOn } from '../../lib/format';

interface ColourPickerProps {
  palettes: Palette[] | undefined;
  colour: string | null;
  palette: PaletteId;
  onChange: (colour: string | null, palette: PaletteId) => void;
}

const PALETTE_NAMES: Record<PaletteId, { short: string; long: string }> = {
  rgb: { short: 'RGB', long: 'RGB wheel (light: red, green, blue primaries)' },
  ryb: { short: 'RYB', long: 'RYB wheel (paint: red, yellow, blue primaries)' },
  common: { short: 'Words', long: 'Everyday colour names (white, brown, beige, ...)' },
};

/** Three rows of swatches: the two colour wheels and the everyday names; each name shows on hover and on keyboard focus. */
export function ColourPicker({ palettes, colour, palette, onChange }: ColourPickerProps) {
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
                        {c.name} ({p.id === 'common' ? 'everyday name' : `${p.id.toUpperCase()} wheel`})
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
