import { useEffect, useState } from 'react';
import type { Image } from '../../lib/api/types';
import { ApiError } from '../../lib/api/client';
import { kindLabel, percent } from '../../lib/format';
import { forgetAllUploads, forgetUpload, listMyUploads, type MyUpload } from '../../lib/myUploads';
import { hrefFor, imageHref } from '../../lib/router';
import { onAppLink } from '../../components/Layout';
import { getImage } from '../upload/uploadPhoto';

/** How many uploads are fetched at once. */
const PARALLEL = 4;
/** How many are shown before "Show more". */
const PAGE = 24;

type Row = { upload: MyUpload; image?: Image; gone?: boolean; failed?: boolean };

/** What a row says about its photo. */
export function statusWords(row: Row): string {
  if (row.gone) return 'No longer stored';
  if (row.failed) return 'Could not be loaded';
  const im = row.image;
  if (!im) return 'Loading…';
  if (im.status === 'pending') return 'Being labelled';
  if (im.status === 'rejected') return 'Could not be read';
  if (im.refused || !im.kind) return 'Not one of our vegetables';
  return `${kindLabel(im.kind)}${im.confidence !== null ? `, ${percent(im.confidence)} sure` : ''}`;
}

/**
 * "My uploads": the photos this browser uploaded, newest first, each with its status and a
 * link to its own page. The list lives in this browser only; the details come from the API.
 */
export function MyUploadsPage() {
  const [rows, setRows] = useState<Row[]>(() => listMyUploads().map((upload) => ({ upload })));
  const [shown, setShown] = useState(PAGE);

  useEffect(() => {
    const ctl = new AbortController();
    const want = rows.slice(0, shown).filter((r) => !r.image && !r.gone && !r.failed);
    let next = 0;
    const worker = async () => {
      while (next < want.length && !ctl.signal.aborted) {
        const { upload } = want[next++]!;
        let patch: Partial<Row>;
        try {
          patch = { image: await getImage(upload.id, ctl.signal) };
        } catch (err) {
          if (ctl.signal.aborted) return;
          patch = err instanceof ApiError && err.code === 'not_found' ? { gone: true } : { failed: true };
        }
        setRows((rs) => rs.map((r) => (r.upload.id === upload.id ? { ...r, ...patch } : r)));
      }
    };
    for (let i = 0; i < PARALLEL; i++) void worker();
    return () => ctl.abort();
    // Rows are fetched once each; re-run only when more are shown.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shown]);

  const forget = (id: string) => {
    forgetUpload(id);
    setRows((rs) => rs.filter((r) => r.upload.id !== id));
  };

  return (
    <div className="mine-page">
      <h1>My uploads</h1>
      <p className="muted">The photos you uploaded from this browser, newest first. Only this browser keeps this list.</p>
      {rows.length === 0 ? (
        <p data-testid="mine-empty">
          Nothing yet. <a href={hrefFor('upload')} onClick={onAppLink}>Upload a photo</a> and it will be listed here.
        </p>
      ) : (
        <>
          <ul className="mine-list" data-testid="mine-list">
            {rows.slice(0, shown).map((row) => {
              const im = row.image;
              const picture = im?.status === 'done' ? (im.thumbnailUrl ?? im.url) : null;
              return (
                <li key={row.upload.id} className="mine-row" data-status={row.gone ? 'gone' : (im?.status ?? 'loading')}>
                  {picture ? <img src={picture} alt="" width={64} height={64} loading="lazy" /> : <span className="mine-blank" aria-hidden="true" />}
                  <span className="mine-text">
                    <a href={imageHref(row.upload.id)} onClick={onAppLink} className="mine-name">
                      {row.upload.name}
                    </a>
                    <span className="mine-status">{statusWords(row)}</span>
                    <span className="small muted">{new Date(row.upload.at).toLocaleString()}</span>
                  </span>
                  <button type="button" className="icon-button" onClick={() => forget(row.upload.id)} aria-label={`Forget ${row.upload.name}`}>
                    ✕
                  </button>
                </li>
              );
            })}
          </ul>
          {rows.length > shown && (
            <button type="button" className="button button-secondary" onClick={() => setShown((n) => n + PAGE)}>
              Show more ({rows.length - shown} left)
            </button>
          )}
          <p>
            <button
              type="button"
              className="button button-secondary"
              onClick={() => {
                forgetAllUploads();
                setRows([]);
              }}
            >
              Forget this list
            </button>
          </p>
        </>
      )}
    </div>
  );
}
