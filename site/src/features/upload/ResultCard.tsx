import type { Image } from '../../lib/api/types';
import { kindLabel, percent } from '../../lib/format';
import { ColourResults } from '../../components/ColourResults';
import { Guesses } from '../../components/Guesses';
import { TimingsList } from '../../components/TimingsList';
import { onAppLink } from '../../components/Layout';
import { SimilarPhotos } from '../similar/SimilarPhotos';

export const REFUSAL = 'This does not look like one of our 15 vegetables';

/** What the classifier said about an uploaded photo. */
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
  return (
    <article className="result-card" aria-labelledby="result-title" data-testid="result-card">
      {preview && <img className="result-img" src={preview} alt="Your photo" />}
      <div className="result-facts">
        {image.refused || !kind ? (
          <>
            <h2 id="result-title" className="refused">{REFUSAL}</h2>
            <p className="muted">The model is not confident enough to name it. Its closest guesses were:</p>
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
        {kind && !image.refused && (
          <p>
            <a href={searchHref} onClick={onAppLink}>
              See more {like?.c ? `${like.c.name} ` : ''}
              {kindLabel(kind).toLowerCase()} photos
            </a>
          </p>
        )}
        {image.status === 'done' && <SimilarPhotos id={image.id} />}
      </div>
    </article>
  );
}
