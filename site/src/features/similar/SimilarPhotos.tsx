import { api, unwrap } from '../../lib/api/client';
import type { Image, SimilarResult } from '../../lib/api/types';
import { kindLabel, percent } from '../../lib/format';
import { useApi } from '../../lib/useApi';
import { ErrorNotice } from '../../components/ErrorNotice';
import { isPlainClick, onAppLink } from '../../components/Layout';
import { imageHref } from '../../lib/router';

/** How many look-alikes a photo's details show. */
export const SIMILAR_COUNT = 6;

/** Loads the photos that look most like photo `id` (GET /api/images/{id}/similar). */
export function loadSimilar(id: string, signal: AbortSignal, count = SIMILAR_COUNT): Promise<SimilarResult> {
  return unwrap(api.GET('/api/images/{id}/similar', { params: { path: { id }, query: { count } }, signal }));
}

/**
 * "More like this": the public photos nearest to one photo by the model's
 * embedding, as small pictures a person can open. Says so plainly when the
 * photo cannot be compared yet, or when there is nothing like it.
 */
export function SimilarPhotos({
  id,
  onOpen,
  load = loadSimilar,
}: {
  id: string;
  onOpen?: (image: Image) => void;
  /** Where the look-alikes come from (the API unless a test says otherwise). */
  load?: (id: string, signal: AbortSignal) => Promise<SimilarResult>;
}) {
  const similar = useApi(`similar:${id}`, (signal) => load(id, signal));
  const data = similar.data?.of === id ? similar.data : undefined;
  return (
    <section className="similar" aria-labelledby={`similar-${id}`} aria-busy={similar.loading}>
      <h3 id={`similar-${id}`}>More like this</h3>
      {similar.error !== undefined ? (
        <ErrorNotice
          error={similar.error}
          action={
            <button type="button" onClick={similar.reload}>
              Try again
            </button>
          }
        />
      ) : !data ? (
        <p className="small muted">Looking for photos like this one…</p>
      ) : !data.comparable ? (
        <p className="small muted" data-testid="similar-none">
          {data.reason ?? 'This photo cannot be compared yet.'}
        </p>
      ) : data.images.length === 0 ? (
        <p className="small muted" data-testid="similar-none">
          No other public photos to compare with yet.
        </p>
      ) : (
        <ul className="similar-grid">
          {data.images.map(({ image, similarity }) => {
            const name = image.kind ? kindLabel(image.kind) : 'Photo';
            const label = `${name}, ${percent(Math.max(0, similarity))} alike`;
            const picture = (
              <img src={image.thumbnailUrl ?? image.url} alt={label} loading="lazy" decoding="async" width={96} height={96} />
            );
            return (
              <li key={image.id}>
                <a
                  className="similar-button"
                  href={imageHref(image.id)}
                  title={label}
                  onClick={(e) => {
                    if (!onOpen) return onAppLink(e);
                    if (!isPlainClick(e)) return;
                    e.preventDefault();
                    onOpen(image);
                  }}
                >
                  {picture}
                </a>
                <span className="small">{name}</span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
