// Shrinks a photo in the browser before it is sent: at most MAX_SIDE px on the
// long side, JPEG, with the camera's orientation applied (EXIF rotation) and the
// metadata (location...) left behind. Browsers that can decode HEIC turn it into JPEG here.
import { MAX_IMAGE_BYTES } from '../../lib/api/types';
import { Problem } from '../../lib/errors';
import { bytes } from '../../lib/format';

export const MAX_SIDE = 1600;
export const JPEG_QUALITY = 0.88;
/** Largest file the server accepts (10 MiB), see UploadRequest.size in the API. */
export const MAX_BYTES = MAX_IMAGE_BYTES;
/** We refuse to even try decoding anything bigger than this. */
export const MAX_INPUT_BYTES = 60 * 1024 * 1024;

export interface Size {
  width: number;
  height: number;
}

/** The size a width x height picture gets when its long side is at most `max` (never enlarged). */
export function fitWithin(width: number, height: number, max = MAX_SIDE): Size {
  if (!(width > 0) || !(height > 0)) throw new RangeError(`invalid size ${width}x${height}`);
  const long = Math.max(width, height);
  if (long <= max) return { width, height };
  const scale = max / long;
  return {
    width: Math.max(1, width >= height ? max : Math.round(width * scale)),
    height: Math.max(1, height >= width ? max : Math.round(height * scale)),
  };
}

/**
 * The sizes to draw through when shrinking: halving each step keeps a single
 * bilinear drawImage from skipping pixels (aliasing) on big reductions.
 */
export function halvingSteps(from: Size, to: Size): Size[] {
  const steps: Size[] = [];
  let w = from.width;
  let h = from.height;
  while (Math.round(w / 2) > to.width && Math.round(h / 2) > to.height) {
    w = Math.round(w / 2);
    h = Math.round(h / 2);
    steps.push({ width: w, height: h });
  }
  steps.push(to);
  return steps;
}

export interface Prepared {
  blob: Blob;
  width: number;
  height: number;
  originalWidth: number;
  originalHeight: number;
}

function canvas(size: Size): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = size.width;
  c.height = size.height;
  return c;
}

function context(c: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = c.getContext('2d');
  if (!ctx) throw new Problem('server', 'Your browser could not prepare the photo (no canvas).');
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  return ctx;
}

/** Decodes `file` (orientation applied), shrinks it and encodes it as JPEG. */
export async function prepareUpload(file: Blob): Promise<Prepared> {
  if (file.size === 0) throw new Problem('not_image', 'This file is empty.');
  if (file.size > MAX_INPUT_BYTES) {
    throw new Problem('too_large', `This file is ${bytes(file.size)}; photos can be at most ${bytes(MAX_INPUT_BYTES)} before we shrink them.`);
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    const name = file instanceof File && file.name ? `“${file.name}”` : 'This file';
    throw new Problem(
      'not_image',
      `${name} could not be opened as a picture: it may be another kind of file with a picture’s name. Please choose a photo (JPEG, PNG, WebP or GIF; HEIC where your browser supports it).`,
    );
  }
  try {
    const original = { width: bitmap.width, height: bitmap.height };
    const target = fitWithin(original.width, original.height);
    let source: CanvasImageSource = bitmap;
    let sourceSize = original;
    for (const step of halvingSteps(original, target)) {
      const c = canvas(step);
      const ctx = context(c);
      // JPEG has no transparency: put transparent pixels on white, not black.
      ctx.fillStyle = '#FFFFFF';
      ctx.fillRect(0, 0, step.width, step.height);
      ctx.drawImage(source, 0, 0, sourceSize.width, sourceSize.height, 0, 0, step.width, step.height);
      source = c;
      sourceSize = step;
    }
    const out = source as HTMLCanvasElement;
    const blob = await new Promise<Blob | null>((resolve) => out.toBlob(resolve, 'image/jpeg', JPEG_QUALITY));
    if (!blob) throw new Problem('server', 'Your browser could not encode the photo as JPEG.');
    if (blob.size > MAX_BYTES) throw new Problem('too_large', `Even after shrinking, this photo is ${bytes(blob.size)}, over ${bytes(MAX_BYTES)}.`);
    return { blob, width: target.width, height: target.height, originalWidth: original.width, originalHeight: original.height };
  } finally {
    bitmap.close();
  }
}
