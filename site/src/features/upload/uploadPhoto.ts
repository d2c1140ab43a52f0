// The whole upload: shrink in the browser, ask the API for a presigned POST,
// send the file to storage with progress, then wait for the classify step.
import { api, unwrap } from '../../lib/api/client';
import type { Image } from '../../lib/api/types';
import { Problem } from '../../lib/errors';
import { prepareUpload, type Prepared } from './downscale';
import { pollUntilSettled, type Backoff } from './poll';
import { sendToStorage, type Progress } from './send';

export type UploadEvent =
  | { step: 'preparing' }
  | { step: 'uploading'; prepared: Prepared; progress: Progress }
  | { step: 'labelling'; prepared: Prepared; id: string; checks: number };

/** "IMG_1234.HEIC" -> "IMG_1234.jpg" (for a photo the browser re-encoded as JPEG). */
export function jpegName(name: string): string {
  const base = name.replace(/\.[^./\\]*$/, '').trim();
  return `${base || 'photo'}.jpg`.slice(-255);
}

export function getImage(id: string, signal?: AbortSignal): Promise<Image> {
  return unwrap(api.GET('/api/images/{id}', { params: { path: { id } }, signal }));
}

/** Waits until the image is labelled; a rejected image becomes a Problem with the server's reason. */
export async function waitForLabel(
  id: string,
  onCheck: (checks: number) => void,
  signal?: AbortSignal,
  backoff?: Backoff,
): Promise<Image> {
  const image = await pollUntilSettled(
    () => getImage(id, signal),
    (img) => img.status !== 'pending',
    { signal, backoff, onUpdate: (_v, attempt) => onCheck(attempt + 1) },
  );
  if (image.status === 'rejected') {
    throw new Problem('rejected', image.reason ? `${image.reason}` : 'The photo reached us but could not be read as an image.');
  }
  return image;
}

export async function uploadPhoto(
  file: File,
  opts: { listed: boolean; signal: AbortSignal; onEvent: (e: UploadEvent) => void },
): Promise<{ prepared: Prepared; image: Image }> {
  const { signal, onEvent } = opts;
  onEvent({ step: 'preparing' });
  const prepared = await prepareUpload(file);
  signal.throwIfAborted();
  const upload = await unwrap(
    api.POST('/api/uploads', {
      body: {
        filename: prepared.contentType === 'image/jpeg' ? jpegName(file.name) : file.name.trim() || 'photo',
        contentType: prepared.contentType,
        size: prepared.blob.size,
        listed: opts.listed,
      },
      signal,
    }),
  );
  onEvent({ step: 'uploading', prepared, progress: { loaded: 0, total: prepared.blob.size } });
  await sendToStorage(upload, prepared.blob, (progress) => onEvent({ step: 'uploading', prepared, progress }), signal);
  onEvent({ step: 'labelling', prepared, id: upload.id, checks: 0 });
  const image = await waitForLabel(upload.id, (checks) => onEvent({ step: 'labelling', prepared, id: upload.id, checks }), signal);
  return { prepared, image };
}
