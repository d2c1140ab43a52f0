import type { Image, Method, PaletteId } from '../../lib/api/types';
import { kindLabel, percent } from '../../lib/format';
import { ShareBar } from '../../components/ShareBar';
import { Swatch } from '../../components/Swatch';
import { imageHref } from '../../lib/router';
import { isPlainClick } from '../../components/Layout';

interface ImageCardProps {
  image: Image;
  method: Method;
  palette: PaletteId;
  onOpen: (image: Image) => void;
}

export function describeImage(image: Image, method: Method, palette: PaletteId): string {
  const kind = image.kind ? kindLabel(image.kind) : 'Unlabelled photo';
  const conf = image.confidence !== null ? `, ${percent(image.confidence)} sure` : '';
  const named = image.colours?.[method][palette]?.dominant ?? image.colours?.foreground.common?.dominant;
  const colour = named ? `, mostly ${named.name}` : '';
  return `${kind}${conf}${colour}`;
}

/** One search result, a link to the photo's own page: the photo, kind, confidence, colour swatches and their shares. */
export function ImageCard({ image, method, palette, onOpen }: ImageCardProps) {
  const result = image.colours?.[method][palette];
  // Beside the searched palette's colour: the other wheel, or for a search by
  // name the RGB wheel; a neutral vegetable shows its name instead of a hue.
  const otherId = palette === 'rgb' ? 'ryb' : 'rgb';
  const other = image.colours?.[method][otherId];
  const common = image.colours?.foreground.common?.dominant;
  return (
    <li className="card">
      <a
        className="card-button"
        href={imageHref(image.id)}
        onClick={(e) => {
          // A plain click opens the photo over the results; a middle or modified click opens its own page.
          if (!isPlainClick(e)) return;
          e.preventDefault();
          onOpen(image);
        }}
      >
        <img
          className="card-img"
          src={image.thumbnailUrl ?? image.url}
          alt={describeImage(image, method, palette)}
          loading="lazy"
          decoding="async"
          width={image.width ?? 224}
          height={image.height ?? 224}
        />
        <span className="card-body">
          <span className="card-line">
            <span className="card-kind">{image.kind ? kindLabel(image.kind) : '—'}</span>
            {image.confidence !== null && <span className="card-conf">{percent(image.confidence)}</span>}
          </span>
          {result && (
            <span className="card-line card-colours">
              {result.dominant ? (
                <Swatch hex={result.dominant.hex} name={result.dominant.name} labelled />
              ) : (
                common && <Swatch hex={common.hex} name={common.name} labelled />
              )}
              {other?.dominant && <Swatch hex={other.dominant.hex} name={`${other.dominant.name} (${otherId.toUpperCase()})`} />}
            </span>
          )}
        </span>
        {result && <ShareBar shares={result.shares} label="Colour shares" />}
        <span className="visually-hidden">: open details</span>
      </a>
    </li>
  );
}
