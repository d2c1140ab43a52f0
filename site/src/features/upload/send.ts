// Sends a file to storage with the presigned POST the API handed out, reporting
// real upload progress (XMLHttpRequest exposes it; fetch does not).
import { MAX_IMAGE_BYTES, type Upload } from '../../lib/api/types';
import { Problem } from '../../lib/errors';
import { bytes } from '../../lib/format';

export interface Progress {
  loaded: number;
  total: number;
}

/** Reads S3's XML error (<Error><Code>..</Code><Message>..</Message></Error>) into a Problem. */
export function storageProblem(status: number, body: string): Problem {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? '';
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? '';
  if (code === 'EntityTooLarge' || status === 413) {
    return new Problem('too_large', `Storage refused the photo because it is over ${bytes(MAX_IMAGE_BYTES)}.`);
  }
  if (/expired/i.test(code) || /expired/i.test(message)) {
    return new Problem('invalid', 'The upload link expired before the photo was sent. Please try again.');
  }
  if (/content-type|policy/i.test(message) || code === 'AccessDenied') {
    return new Problem('not_image', 'Storage refused the file: only JPEG, PNG, WebP or GIF photos are accepted.');
  }
  if (status >= 500 || status === 0) return new Problem('unreachable', 'The storage server is not answering. Try again in a moment.');
  return new Problem('server', `Storage refused the upload (${code || `HTTP ${status}`}).`);
}

export function sendToStorage(
  upload: Upload,
  file: Blob,
  onProgress: (p: Progress) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(upload.fields)) form.append(k, v);
    form.append('file', file, 'photo.jpg');

    const xhr = new XMLHttpRequest();
    xhr.open(upload.method, upload.url);
    for (const [k, v] of Object.entries(upload.headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress({ loaded: e.loaded, total: e.total });
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress({ loaded: file.size, total: file.size });
        resolve();
      } else {
        reject(storageProblem(xhr.status, xhr.responseText));
      }
    };
    xhr.onerror = () => reject(new Problem('unreachable', 'The photo could not be sent: the storage server did not answer. Check your connection and try again.'));
    xhr.ontimeout = () => reject(new Problem('unreachable', 'Sending the photo took too long. Check your connection and try again.'));
    xhr.timeout = 120_000;
    const abort = () => xhr.abort();
    signal?.addEventListener('abort', () => {
      abort();
      reject(signal.reason);
    }, { once: true });
    xhr.send(form);
  });
}
