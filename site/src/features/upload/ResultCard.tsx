import { api, unwrap } from '../../lib/api/client';
import type { Image, PaletteId } from '../../lib/api/types';
import { useApi } from '../../lib/useApi';
import { kindLabel, percent } from '../../lib/format';
import { ColourResults } from '../../components/ColourResults';
import { Guesses } from '../../components/Guesses';
import { TimingsList } from '../../components/TimingsList';
import { onAppLink } from '../../components/Layout';
import { imageHref } from '../../lib/router';
import { CorrectionForm } from '../corrections/CorrectionForm';
import { SimilarPhotos } from '../similar/SimilarPhotos';
import { refusalText } from './refusal';

export const REFUSAL = 'This does not look like one of our 15 vegetables';

/** The full address of a photo's own page. */
export function pageUrl(id: string): string {
  return new URL(imageHref(id), window.location.href).href;
}

/**
 * What the classifier said about a photo: the kind or why it was refused, the colours, the
 * timings, a way to correct it, its own page and the photos like it. "See more" links only
 * appear when that search has public photos (never a link to an empty search).
 */
export function ResultCard({ image, preview }: { image: Image; preview: string }) {
  const fg = image.colours?.foreground;
  const kind = image.kind;
  // More like it: by its RGB-wheel colour, or by its name in words when it is
  // neutral (a neutral vegetable is never found by a wheel colour).
  const like = fg ? (fg.rgb.neutral || !fg.rgb.dominant ? { c: fg.common?.dominant, p: 'common' } : { c: fg.rgb.dominant, p: 'rgb' }) : undefined;
  const searchHref =
    kind && like?.c
      ? `?kind=${kind}&colour=${encodeURIComponent(like.c.name)}&palette=${like.p}`
      : kind
        ? `?kind=${kind}`
        : '?';
  const more = useApi(kind && !image.refused ? `more${searchHref}` : null, (signal) => {
    const q = new URLSearchParams(searchHref);
    const query = { kind: q.get('kind') ?? undefined, colour: q.get('colour') ?? undefined, palette: (q.get('palette') ?? undefined) as PaletteId | undefined, count: 1 };
    return unwrap(api.GET('/api/images', { params: { query }, signal }));
  });
  const searchCount = more.data?.total;
  return (
    <article className="result-card" aria-labelledby="result-title" data-testid="result-card">
      {preview && <img className="result-img" src={preview} alt="Your photo" />}
      <div className="result-facts">
        {image.refused || !kind ? (
          <>
            <h2 id="result-title" className="refused">{REFUSAL}</h2>
            <p data-testid="refusal-reason">{refusalText(image)}</p>
            <p className="muted">Its closest guesses were:</p>
          </>
        ) : (
          <h2 id="result-title">
            <span data-testid="result-kind">{kindLabel(kind)}</span>
            {image.confidence !== null && <span className="muted"> · {percent(image.confidence)} sure</span>}
          </h2>
        )}
        <h3>Top 3</h3>
        <Guesses top={image.top} />
        {image.colours && (
          <>
            <h3>Colours</h3>
            <ColourResults colours={image.colours} />
          </>
        )}
        {image.timings && (
          <>
            <h3>How long it took</h3>
            <TimingsList timings={image.timings} />
          </>
        )}
        {/* The upload page and a photo's own page both have the image from GET /api/images/{id}. */}
        <CorrectionForm key={image.id} image={image} labelKnown />
        {kind && !image.refused && searchCount !== undefined && searchCount > 0 && (
          <p>
            <a href={searchHref} onClick={onAppLink}>
              See {searchCount} {like?.c ? `${like.c.name} ` : ''}
              {kindLabel(kind).toLowerCase()} photo{searchCount === 1 ? '' : 's'}
            </a>
          </p>
        )}
        <div className="own-page">
          <label htmlFor={`link-${image.id}`}>This photo’s own page:</label>
          <input id={`link-${image.id}`} readOnly value={pageUrl(image.id)} onFocus={(e) => e.currentTarget.select()} />
          <a href={imageHref(image.id)} onClick={onAppLink}>
            Open
          </a>
        </div>
        {image.status === 'done' && <SimilarPhotos id={image.id} />}
      </div>
    </article>
  );
}
