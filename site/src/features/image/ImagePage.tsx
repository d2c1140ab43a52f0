import { useEffect, useState } from 'react';
import { ApiError } from '../../lib/api/client';
import type { Image } from '../../lib/api/types';
import { kindLabel } from '../../lib/format';
import { hrefFor } from '../../lib/router';
import { onAppLink } from '../../components/Layout';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ResultCard } from '../upload/ResultCard';
import { getImage } from '../upload/uploadPhoto';
import { pollUntilSettled } from '../upload/poll';

type State = { step: 'loading' } | { step: 'pending'; checks: number } | { step: 'ready'; image: Image } | { step: 'error'; error: unknown };

/** The page title for a photo. */
export function imageTitle(image: Image | null): string {
  if (!image) return 'Photo';
  if (image.status === 'pending') return 'Photo being labelled';
  if (image.status === 'rejected') return 'Photo we could not read';
  if (image.refused || !image.kind) return 'Not one of our vegetables';
  return `${kindLabel(image.kind)} photo`;
}

/**
 * One photo's own page (`?image=<id>`): shareable, and what "My uploads" and every card link
 * to. A photo still being labelled is waited for; one that could not be read says why.
 */
export function ImagePage({ id }: { id: string }) {
  const [state, setState] = useState<State>({ step: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const ctl = new AbortController();
    setState({ step: 'loading' });
    getImage(id, ctl.signal)
      .then((first) => {
        if (first.status !== 'pending') return first;
        setState({ step: 'pending', checks: 1 });
        return pollUntilSettled(
          () => getImage(id, ctl.signal),
          (img) => img.status !== 'pending',
          { signal: ctl.signal, onUpdate: (_v, n) => setState({ step: 'pending', checks: n + 2 }) },
        );
      })
      .then(
        (image) => !ctl.signal.aborted && setState({ step: 'ready', image }),
        (error: unknown) => !ctl.signal.aborted && setState({ step: 'error', error }),
      );
    return () => ctl.abort();
  }, [id, attempt]);

  const image = state.step === 'ready' ? state.image : null;
  useEffect(() => {
    document.title = `${imageTitle(image)} · veglens`;
  }, [image]);

  return (
    <div className="image-page">
      <p className="small">
        <a href={hrefFor('mine')} onClick={onAppLink}>
          My uploads
        </a>{' '}
        ·{' '}
        <a href={hrefFor('search')} onClick={onAppLink}>
          Search
        </a>
      </p>
      <h1>{imageTitle(image)}</h1>
      <div aria-live="polite">
        {state.step === 'loading' && <p>Loading the photo…</p>}
        {state.step === 'pending' && (
          <div className="progress-block">
            <p>This photo is still being labelled… (check {state.checks})</p>
            <progress aria-label="Labelling the photo" />
          </div>
        )}
      </div>
      {state.step === 'error' && (
        <ErrorNotice
          error={state.error}
          action={
            // A photo that does not exist will not appear by asking again.
            state.error instanceof ApiError && state.error.code === 'not_found' ? undefined : (
              <p className="notice-actions">
                <button type="button" className="button" onClick={() => setAttempt((n) => n + 1)}>
                  Try again
                </button>
              </p>
            )
          }
        />
      )}
      {image?.status === 'rejected' && (
        <div className="notice notice-error" role="alert">
          <p className="notice-title">We could not label this photo</p>
          <p>{image.reason ?? 'The file could not be read as an image.'}</p>
        </div>
      )}
      {image?.status === 'done' && <ResultCard image={image} preview={image.url} />}
    </div>
  );
}
