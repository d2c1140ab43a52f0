import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import type { Image } from '../../lib/api/types';
import { bytes } from '../../lib/format';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ResultCard } from './ResultCard';
import { uploadPhoto, waitForLabel } from './uploadPhoto';

type Phase =
  | { step: 'idle' }
  | { step: 'preparing'; name: string }
  | { step: 'uploading'; name: string; loaded: number; total: number; preview: string }
  | { step: 'labelling'; name: string; id: string; checks: number; since: number; preview: string; sent?: number }
  | { step: 'done'; image: Image; preview: string }
  | { step: 'error'; error: unknown; name: string; id?: string; preview?: string };

function firstImageFile(list: FileList | DataTransferItemList | null | undefined): File | null {
  if (!list) return null;
  const items: (File | DataTransferItem)[] = Array.from(list as ArrayLike<File | DataTransferItem>);
  for (const item of items) {
    const f = item instanceof File ? item : item.kind === 'file' ? item.getAsFile() : null;
    if (f) return f;
  }
  return null;
}

export function UploadPage() {
  const [phase, setPhase] = useState<Phase>({ step: 'idle' });
  const [listed, setListed] = useState(false);
  const [dragging, setDragging] = useState(false);
  const ctl = useRef<AbortController | null>(null);
  const previewRef = useRef<string | null>(null);
  const statusRef = useRef<HTMLDivElement>(null);
  const [now, setNow] = useState(() => Date.now());

  const setPreview = (blob: Blob): string => {
    if (previewRef.current) URL.revokeObjectURL(previewRef.current);
    previewRef.current = URL.createObjectURL(blob);
    return previewRef.current;
  };

  useEffect(
    () => () => {
      ctl.current?.abort();
      if (previewRef.current) URL.revokeObjectURL(previewRef.current);
    },
    [],
  );

  // A clock for "labelling for N s".
  useEffect(() => {
    if (phase.step !== 'labelling') return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [phase.step]);

  const start = useCallback(
    (file: File) => {
      ctl.current?.abort();
      const c = new AbortController();
      ctl.current = c;
      const name = file.name || 'pasted photo';
      let preview = '';
      setPhase({ step: 'preparing', name });
      statusRef.current?.focus();
      uploadPhoto(file, {
        listed,
        signal: c.signal,
        onEvent: (e) => {
          if (c.signal.aborted) return;
          if (e.step === 'uploading') {
            // A file sent as is (HEIC the browser cannot decode) cannot be shown either.
            if (!preview && e.prepared.contentType === 'image/jpeg') preview = setPreview(e.prepared.blob);
            setPhase({ step: 'uploading', name, loaded: e.progress.loaded, total: e.progress.total, preview });
          } else if (e.step === 'labelling') {
            setPhase((p) => ({ step: 'labelling', name, id: e.id, checks: e.checks, since: p.step === 'labelling' ? p.since : Date.now(), preview, sent: e.prepared.blob.size }));
          }
        },
      }).then(
        ({ image }) => {
          if (!c.signal.aborted) setPhase({ step: 'done', image, preview: preview || image.thumbnailUrl || '' });
        },
        (error: unknown) => {
          if (c.signal.aborted) return;
          setPhase((p) => ({ step: 'error', error, name, id: p.step === 'labelling' ? p.id : undefined, preview: preview || undefined }));
        },
      );
    },
    [listed],
  );

  const checkAgain = (id: string, name: string, preview: string | undefined) => {
    ctl.current?.abort();
    const c = new AbortController();
    ctl.current = c;
    setPhase({ step: 'labelling', name, id, checks: 0, since: Date.now(), preview: preview ?? '' });
    waitForLabel(id, (checks) => setPhase((p) => (p.step === 'labelling' ? { ...p, checks } : p)), c.signal).then(
      (image) => !c.signal.aborted && setPhase({ step: 'done', image, preview: preview ?? image.url }),
      (error: unknown) => !c.signal.aborted && setPhase({ step: 'error', error, name, id, preview }),
    );
  };

  const reset = () => {
    ctl.current?.abort();
    setPhase({ step: 'idle' });
  };

  // Paste a photo anywhere on this page.
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const f = firstImageFile(e.clipboardData?.files) ?? firstImageFile(e.clipboardData?.items);
      if (f) {
        e.preventDefault();
        start(f);
      }
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  }, [start]);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const f = firstImageFile(e.dataTransfer.files);
    if (f) start(f);
  };

  const busy = phase.step === 'preparing' || phase.step === 'uploading' || phase.step === 'labelling';

  return (
    <div className="upload-page">
      <h1>Upload a photo</h1>
      <p className="lead">
        We’ll tell you which of our 15 vegetables it shows, how sure we are, and its main colour on two colour wheels.
      </p>

      <div className="upload-status" ref={statusRef} tabIndex={-1} aria-live="polite" data-testid="upload-status">
        {phase.step === 'preparing' && <p>Preparing {phase.name}…</p>}
        {(phase.step === 'uploading' || phase.step === 'labelling') && phase.preview && (
          <img className="upload-preview" src={phase.preview} alt={`${phase.name}, being sent`} />
        )}
        {phase.step === 'uploading' && (
          <div className="progress-block">
            <label htmlFor="upload-progress">
              Sending {phase.name}: {bytes(phase.loaded)} of {bytes(phase.total)}
            </label>
            <progress id="upload-progress" max={phase.total || 1} value={phase.loaded} />
          </div>
        )}
        {phase.step === 'labelling' && phase.sent !== undefined && (
          <div className="progress-block">
            <label htmlFor="upload-progress">
              Sent {phase.name}: {bytes(phase.sent)} ✓
            </label>
            <progress id="upload-progress" max={phase.sent || 1} value={phase.sent} />
          </div>
        )}
        {phase.step === 'labelling' && (
          <div className="progress-block">
            <p>
              Looking at your photo… <span className="muted">({Math.max(0, Math.round((now - phase.since) / 1000))} s)</span>
            </p>
            <progress aria-label="Labelling your photo" />
          </div>
        )}
        {busy && (
          <button type="button" className="button button-secondary" onClick={reset}>
            Cancel
          </button>
        )}
        {phase.step === 'error' && (
          <ErrorNotice
            error={phase.error}
            action={
              <p className="notice-actions">
                {phase.id && (
                  <button type="button" className="button" onClick={() => checkAgain(phase.id!, phase.name, phase.preview)}>
                    Check again
                  </button>
                )}
                <button type="button" className="button button-secondary" onClick={reset}>
                  Try another photo
                </button>
              </p>
            }
          />
        )}
      </div>

      {phase.step === 'done' && <ResultCard image={phase.image} preview={phase.preview} />}
      {(phase.step === 'idle' || phase.step === 'error' || phase.step === 'done') && (
        <div
          className={`dropzone${dragging ? ' is-dragging' : ''}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
          data-testid="dropzone"
        >
          <p className="dropzone-title">{phase.step === 'idle' ? 'Drop a photo here, paste it, or' : 'Try another photo: drop it here, paste it, or'}</p>
          <div className="dropzone-actions">
            <label className="button">
              Choose a photo
              <input
                className="visually-hidden"
                type="file"
                accept="image/*,.heic,.heif,.avif"
                data-testid="file-input"
                onChange={(e) => {
                  const f = e.currentTarget.files?.[0];
                  e.currentTarget.value = '';
                  if (f) start(f);
                }}
              />
            </label>
            <label className="button button-secondary camera-button">
              Take a photo
              <input
                className="visually-hidden"
                type="file"
                accept="image/*"
                capture="environment"
                onChange={(e) => {
                  const f = e.currentTarget.files?.[0];
                  e.currentTarget.value = '';
                  if (f) start(f);
                }}
              />
            </label>
          </div>
          <p className="muted small">
            JPEG, PNG, WebP, GIF, HEIC or AVIF. Large photos are shrunk to 1600 px in your browser first; location data is not sent.
          </p>
          <label className="check">
            <input type="checkbox" checked={listed} onChange={(e) => setListed(e.target.checked)} />
            Show my photo in public search results (otherwise only people with its link can see it)
          </label>
        </div>
      )}

    </div>
  );
}
