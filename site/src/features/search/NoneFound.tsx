import type { Alternative, ColourRef, Kind, PaletteId } from '../../lib/api/types';
import { kindLabel, kindPlural, noneFoundTitle, textOn } from '../../lib/format';
import { kindPictureUrl } from '../../lib/vocabulary';
import { onAppLink } from '../../components/Layout';

interface NoneFoundProps {
  kind: Kind | null;
  colour: ColourRef | null;
  alternatives: Alternative[];
  onPick: (colour: string, palette: PaletteId) => void;
}

/**
 * What an empty search looks like: the asked-for combination drawn as an empty
 * frame in that colour around the kind's picture, and the colours this kind does
 * come in as one-click searches.
 */
export function NoneFound({ kind, colour, alternatives, onPick }: NoneFoundProps) {
  const title = noneFoundTitle(kind, colour?.name ?? null);
  const frame = colour?.hex ?? '#7a7a7a';
  return (
    <section className="none-found" aria-labelledby="none-found-title" data-testid="none-found">
      <figure className="none-frame" style={{ borderColor: frame }}>
        <div className="none-frame-inner" style={{ background: `${frame}22` }}>
          {kind ? (
            <img src={kindPictureUrl(kind)} alt={`A ${kindLabel(kind).toLowerCase()}, for comparison`} width={96} height={96} />
          ) : (
            <span className="none-frame-empty" aria-hidden="true">?</span>
          )}
        </div>
        {colour && (
          <figcaption className="none-frame-label" style={{ background: frame, color: textOn(frame) }}>
            {colour.name}
          </figcaption>
        )}
      </figure>
      <div className="none-text">
        <h2 id="none-found-title">{title}</h2>
        {alternatives.length > 0 ? (
          <>
            <p>{kind ? `${kindLabel(kind)} photos we do have, in the nearest colours:` : 'Colours we do have:'}</p>
            <ul className="alternatives" aria-label="Nearest colours that exist">
              {alternatives.map((a) => (
                <li key={`${a.palette}:${a.colour.hex}`}>
                  <button type="button" className="alt-button" onClick={() => onPick(a.colour.name, a.palette)}>
                    <span className="swatch-chip" style={{ background: a.colour.hex }} aria-hidden="true" />
                    {a.colour.name}
                    <span className="alt-count">{a.count}</span>
                  </button>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p>
            {kind ? `There are no ${kindPlural(kind)} in any colour yet.` : 'Nothing matches this search yet.'}{' '}
            <a href="?view=upload" onClick={onAppLink}>Upload a photo</a> to add one.
          </p>
        )}
      </div>
    </section>
  );
}
