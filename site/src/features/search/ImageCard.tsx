import type { Image, Method, PaletteId } from '../../lib/api/types';
import { kindLabel, percent } from '../../lib/format';
import { ShareBar } from '../../components/ShareBar';
import { Swatch } from '../../components/Swatch';

interface ImageCardProps {
  image: Image;
  method: Method;
  palette: PaletteId;
  onOpen: (image: Image) => void;
}

export function describeImage(image: Image, method: Method, palette: PaletteId): string {
  const kind = image.kind ? kindLabel(image.kind) : 'Unlabelled photo';
  const conf = image.confidence !== null ? `, ${percent(image.confidence)} sure` : '';
  const colour = image.colours ? `, mostly ${image.colours[method][palette].dominant.name}` : '';
  return `${kind}${conf}${colour}`;
}

/** One search result: the photo, kind, confidence, colour swatches and their shares. */
export function ImageCard({ image, method, palette, onOpen }: ImageCardProps) {
  const result = image.colours?.[method][palette];
  const other = image.colours?.[method][palette === 'rgb' ? 'ryb' : 'rgb'];
  return (
    <li className="card">
      <button type="button" className="card-button" onClick={() => onOpen(image)}>
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
              <Swatch hex={result.dominant.hex} name={result.dominant.name} labelled />
              {other && <Swatch hex={other.dominant.hex} name={`${other.dominant.name} (${palette === 'rgb' ? 'RYB' : 'RGB'})`} />}
            </span>
          )}
        </span>
        {result && <ShareBar shares={result.shares} label="Colour shares" />}
        <span className="visually-hidden">: open details</span>
      </button>
    </li>
  );
}
