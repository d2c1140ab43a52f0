import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import type { Image } from '../../lib/api/types';
import { bytes, kindLabel, percent } from '../../lib/format';
import { Problem } from '../../lib/errors';
import { rememberUpload } from '../../lib/myUploads';
import { hrefFor, imageHref } from '../../lib/router';
import { ErrorNotice } from '../../components/ErrorNotice';
import { onAppLink } from '../../components/Layout';
import { ResultCard } from './ResultCard';
import { uploadPhoto, waitForLabel } from './uploadPhoto';

/** At most this many photos are prepared, sent or labelled at once; the rest wait their turn. */
export const MAX_PARALLEL = 3;

type Step = 'waiting' | 'preparing' | 'uploading' | 'labelling' | 'done' | 'error';

/** One photo in the queue. */
interface Item {
  key: number;
  file: File;
  name: string;
  /** The public/private choice when the photo was added (not when its turn comes). */
  listed: boolean;
  step: Step;
  loaded: number;
  total: number;
  sent?: number;
  checks: number;
  since: number;
  preview: string;
  id?: string;
  image?: Image;
  error?: unknown;
}

const ACTIVE: Step[] = ['preparing', 'uploading', 'labelling'];

/** Every file in a file list, drop or paste. */
export function filesOf(list: FileList | DataTransferItemList | null | undefined): File[] {
  if (!list) return [];
  const out: File[] = [];
  for (const item of Array.from(list as ArrayLike<File | DataTransferItem>)) {
    const f = item instanceof File ? item : item.kind === 'file' ? item.getAsFile() : null;
    if (f) out.push(f);
  }
  return out;
}

/** A row's status in words. */
function statusText(it: Item, now: number): string {
  switch (it.step) {
    case 'waiting':
      return 'Waiting for its turn';
    case 'preparing':
      return 'Preparing…';
    case 'uploading':
      return `Sending: ${bytes(it.loaded)} of ${bytes(it.total)}`;
    case 'labelling':
      return `${it.sent !== undefined ? `Sent ${bytes(it.sent)} ✓ · ` : ''}Looking at the photo… (${Math.max(0, Math.round((now - it.since) / 1000))} s)`;
    case 'done': {
      const im = it.image!;
      if (im.refused || !im.kind) return 'Not one of our vegetables';
      return `${kindLabel(im.kind)}${im.confidence !== null ? `, ${percent(im.confidence)} sure` : ''}`;
    }
    case 'error':
      return 'Failed';
  }
}

/**
 * Upload any number of photos (drop, pick or paste): each gets a row with its own progress and
 * status, at most MAX_PARALLEL are in flight, and one failure does not stop the others. Every
 * upload is remembered in "My uploads" and has its own page; the chosen one's full result is
 * shown below the queue. The app keeps this page mounted (hidden, `active` false) while the
 * person looks at other pages, so the queue carries on; leaving the site asks first.
 */
export function UploadPage({ active = true }: { active?: boolean } = {}) {
  const [items, setItems] = useState<Item[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [listed, setListed] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const nextKey = useRef(1);
  const started = useRef(new Map<number, AbortController>());
  const previews = useRef<string[]>([]);
  const statusRef = useRef<HTMLDivElement>(null);

  const patch = useCallback((key: number, p: Partial<Item> | ((it: Item) => Partial<Item>)) => {
    setItems((list) => list.map((it) => (it.key === key ? { ...it, ...(typeof p === 'function' ? p(it) : p) } : it)));
  }, []);

  useEffect(
    () => () => {
      for (const c of started.current.values()) c.abort();
      for (const u of previews.current) URL.revokeObjectURL(u);
    },
    [],
  );

  const anyLabelling = items.some((it) => it.step === 'labelling');
  useEffect(() => {
    if (!anyLabelling) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [anyLabelling]);

  const run = useCallback(
    (it: Item) => {
      const c = new AbortController();
      started.current.set(it.key, c);
      const { key, name } = it;
      let preview = '';
      let remembered = false;
      patch(key, { step: 'preparing' });
      uploadPhoto(it.file, {
        listed: it.listed,
        signal: c.signal,
        onEvent: (e) => {
          if (c.signal.aborted) return;
          if (e.step === 'uploading') {
            // A file sent as is (HEIC the browser cannot decode) cannot be shown either.
            if (!preview && e.prepared.contentType === 'image/jpeg') {
              preview = URL.createObjectURL(e.prepared.blob);
              previews.current.push(preview);
            }
            patch(key, { step: 'uploading', loaded: e.progress.loaded, total: e.progress.total, preview });
          } else if (e.step === 'labelling') {
            if (!remembered) {
              rememberUpload({ id: e.id, name, at: new Date().toISOString() });
              remembered = true;
            }
            patch(key, (p) => ({ step: 'labelling', id: e.id, checks: e.checks, since: p.step === 'labelling' ? p.since : Date.now(), sent: e.prepared.blob.size }));
          }
        },
      }).then(
        ({ image }) => {
          if (c.signal.aborted) return;
          patch(key, { step: 'done', image, preview: preview || image.thumbnailUrl || image.url });
          setSelected((s) => s ?? key);
        },
        (error: unknown) => !c.signal.aborted && patch(key, { step: 'error', error }),
      );
    },
    [patch],
  );

  // The queue: start waiting photos while fewer than MAX_PARALLEL are in flight.
  useEffect(() => {
    const active = items.filter((it) => ACTIVE.includes(it.step)).length;
    const next = items.filter((it) => it.step === 'waiting' && !started.current.has(it.key)).slice(0, Math.max(0, MAX_PARALLEL - active));
    for (const it of next) run(it);
  }, [items, run]);

  const add = useCallback(
    (files: File[]) => {
      if (files.length === 0) return;
      const added = files.map(
        (file): Item => ({
          key: nextKey.current++,
          file,
          name: file.name || 'pasted photo',
          listed,
          step: 'waiting',
          loaded: 0,
          total: file.size,
          checks: 0,
          since: Date.now(),
          preview: '',
        }),
      );
      setItems((list) => [...list, ...added]);
      statusRef.current?.focus();
    },
    [listed],
  );

  // A removed row's preview is freed (large photos make large previews).
  const forgetPreviews = (gone: Item[]) => {
    for (const it of gone) {
      if (it.preview.startsWith('blob:')) {
        URL.revokeObjectURL(it.preview);
        previews.current = previews.current.filter((u) => u !== it.preview);
      }
    }
  };

  const cancel = (key: number) => {
    started.current.get(key)?.abort();
    started.current.set(key, new AbortController()); // never started again
    forgetPreviews(items.filter((it) => it.key === key));
    setItems((list) => list.filter((it) => it.key !== key));
    setSelected((s) => (s === key ? null : s));
  };

  const checkAgain = (it: Item) => {
    if (!it.id) return;
    const c = new AbortController();
    started.current.get(it.key)?.abort();
    started.current.set(it.key, c);
    patch(it.key, { step: 'labelling', checks: 0, since: Date.now(), error: undefined });
    waitForLabel(it.id, (checks) => patch(it.key, { checks }), c.signal).then(
      (image) => {
        if (c.signal.aborted) return;
        patch(it.key, { step: 'done', image, preview: it.preview || image.thumbnailUrl || image.url });
        setSelected((s) => s ?? it.key);
      },
      (error: unknown) => !c.signal.aborted && patch(it.key, { step: 'error', error }),
    );
  };

  const clearFinished = () => {
    forgetPreviews(items.filter((it) => it.step === 'done' || it.step === 'error'));
    setItems((list) => list.filter((it) => it.step !== 'done' && it.step !== 'error'));
    setSelected(null);
  };

  // Paste photos anywhere on this page.
  useEffect(() => {
    if (!active) return;
    const onPaste = (e: ClipboardEvent) => {
      let files = filesOf(e.clipboardData?.files);
      if (files.length === 0) files = filesOf(e.clipboardData?.items);
      if (files.length > 0) {
        e.preventDefault();
        add(files);
      }
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  }, [add, active]);

  // Leaving the site (reload, another address) would stop the queue: ask first.
  const pending = items.some((it) => it.step === 'waiting' || ACTIVE.includes(it.step));
  useEffect(() => {
    if (!pending) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [pending]);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    add(filesOf(e.dataTransfer.files));
  };

  const done = items.filter((it) => it.step === 'done').length;
  const failed = items.filter((it) => it.step === 'error').length;
  const shown = items.find((it) => it.key === selected && it.step === 'done');
  const picker = (
    <input
      className="visually-hidden"
      type="file"
      multiple
      accept="image/*,.heic,.heif,.avif"
      data-testid="file-input"
      onChange={(e) => {
        const files = filesOf(e.currentTarget.files);
        e.currentTarget.value = '';
        add(files);
      }}
    />
  );

  return (
    <div className="upload-page">
      <h1>Upload photos</h1>
      <p className="lead">
        We’ll tell you which of our 15 vegetables each shows, how sure we are, and its main colour on two colour wheels.
      </p>

      <div className="upload-status" ref={statusRef} tabIndex={-1} data-testid="upload-status">
        {items.length > 0 && (
          <p aria-live="polite" className="queue-summary">
            {done} of {items.length} labelled{failed > 0 ? `, ${failed} failed` : ''}.{' '}
            <a href={hrefFor('mine')} onClick={onAppLink}>
              My uploads
            </a>{' '}
            keeps them.
          </p>
        )}
        {items.length > 0 && (
          <ul className="queue" data-testid="queue">
            {items.map((it) => (
              <li key={it.key} className="queue-row" data-step={it.step} data-selected={shown?.key === it.key} data-testid="queue-row">
                {it.preview ? <img src={it.preview} alt="" /> : <span className="mine-blank" aria-hidden="true" />}
                <div className="queue-text">
                  <span className="queue-name">{it.name}</span>
                  <span className="queue-status" data-testid="queue-status">
                    {statusText(it, now)}
                  </span>
                  {it.step === 'uploading' && (
                    <progress className="send-progress" max={it.total || 1} value={it.loaded} aria-label={`Sending ${it.name}`} />
                  )}
                  {it.step === 'labelling' && it.sent !== undefined && (
                    <progress className="send-progress" max={it.sent || 1} value={it.sent} aria-label={`${it.name} sent`} />
                  )}
                  {it.step === 'labelling' && <progress aria-label={`Labelling ${it.name}`} />}
                  {it.step === 'error' && (
                    <ErrorNotice
                      error={it.error}
                      action={
                        <p className="notice-actions">
                          {it.id && !(it.error instanceof Problem && it.error.kind === 'rejected') && (
                            <button type="button" className="button" onClick={() => checkAgain(it)}>
                              Check again
                            </button>
                          )}
                          <button type="button" className="button button-secondary" onClick={() => cancel(it.key)}>
                            {items.length === 1 ? 'Try another photo' : 'Remove'}
                          </button>
                        </p>
                      }
                    />
                  )}
                  {it.step === 'done' && it.id && (
                    <span className="small">
                      <a href={imageHref(it.id)} onClick={onAppLink}>
                        Its own page
                      </a>
                      {items.length > 1 && selected !== it.key && (
                        <>
                          {' · '}
                          <button type="button" className="link-button" onClick={() => setSelected(it.key)}>
                            Show the result here
                          </button>
                        </>
                      )}
                    </span>
                  )}
                </div>
                {ACTIVE.includes(it.step) || it.step === 'waiting' ? (
                  <button type="button" className="button button-secondary" onClick={() => cancel(it.key)} aria-label={`Cancel ${it.name}`}>
                    Cancel
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
        )}
        {done + failed === items.length && items.length > 1 && (
          <button type="button" className="button button-secondary" onClick={clearFinished}>
            Clear the list
          </button>
        )}
      </div>

      {shown?.image && <ResultCard key={shown.key} image={shown.image} preview={shown.preview} />}
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
        <p className="dropzone-title">{items.length === 0 ? 'Drop photos here, paste them, or' : 'More photos: drop them here, paste them, or'}</p>
        <div className="dropzone-actions">
          <label className="button">
            Choose photos
            {picker}
          </label>
          <label className="button button-secondary camera-button">
            Take a photo
            <input
              className="visually-hidden"
              type="file"
              accept="image/*"
              capture="environment"
              onChange={(e) => {
                const files = filesOf(e.currentTarget.files);
                e.currentTarget.value = '';
                add(files);
              }}
            />
          </label>
        </div>
        <p className="muted small">
          JPEG, PNG, WebP, GIF, HEIC or AVIF, as many as you like ({MAX_PARALLEL} are sent at a time). Large photos are shrunk to
          1600 px in your browser first; location data is not sent.
        </p>
        <label className="check">
          <input type="checkbox" checked={listed} onChange={(e) => setListed(e.target.checked)} />
          Show my photos in public search results (otherwise only people with a photo’s own link can see it)
        </label>
      </div>
    </div>
  );
}
