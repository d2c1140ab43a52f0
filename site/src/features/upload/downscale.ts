// Shrinks a photo in the browser before it is sent: at most MAX_SIDE px on the
// long side, JPEG, with the camera's orientation applied (EXIF rotation) and the
// metadata (location...) left behind. Browsers that can decode HEIC or AVIF turn it
// into JPEG here; where the browser cannot (HEIC in Chrome), the file is sent as it
// is and the server decodes it.
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
  /** What blob is: image/jpeg, or image/heic / image/avif when it is the original file sent as is. */
  contentType: 'image/jpeg' | 'image/heic' | 'image/avif';
  /** The sizes; 0 when the browser could not decode the file (sent as is). */
  width: number;
  height: number;
  originalWidth: number;
  originalHeight: number;
}

/** The bytes of a (small) blob. */
function readBytes(blob: Blob): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsArrayBuffer(blob);
  });
}

/** The ftyp brands of still HEIF pictures, and the type the API takes them as. */
const HEIF_BRANDS: Record<string, 'image/heic' | 'image/avif'> = {
  avif: 'image/avif', avis: 'image/avif',
  heic: 'image/heic', heix: 'image/heic', heim: 'image/heic', heis: 'image/heic',
  hevc: 'image/heic', hevx: 'image/heic', hevm: 'image/heic', hevs: 'image/heic',
};

/**
 * The type of a HEIC or AVIF picture from its first bytes (the ISO base media
 * ftyp box: major brand, then compatible brands; AVIF wins when both appear),
 * or null for anything else. The name and the browser's type are not trusted:
 * Chrome reports HEIC files with an empty type.
 */
export async function heifType(file: Blob): Promise<'image/heic' | 'image/avif' | null> {
  const head = await readBytes(file.slice(0, 64));
  if (head.length < 16) return null;
  const text = (from: number) => String.fromCharCode(...head.subarray(from, from + 4));
  if (text(4) !== 'ftyp') return null;
  const size = new DataView(head.buffer, head.byteOffset).getUint32(0);
  const brands = [text(8)];
  for (let i = 16; i + 4 <= Math.min(size, head.length); i += 4) brands.push(text(i));
  const types = brands.map((b) => HEIF_BRANDS[b]).filter((t) => t !== undefined);
  return types.includes('image/avif') ? 'image/avif' : (types[0] ?? null);
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
    const heif = await heifType(file);
    if (heif) {
      // The browser cannot decode it (HEIC outside Safari): the server can.
      if (file.size > MAX_BYTES) {
        const format = heif === 'image/avif' ? 'AVIF' : 'HEIC';
        throw new Problem(
          'too_large',
          `${name} is ${bytes(file.size)}. Your browser cannot shrink ${format} photos, and we accept them unshrunk up to ${bytes(MAX_BYTES)}: please save it as JPEG first.`,
        );
      }
      return { blob: file, contentType: heif, width: 0, height: 0, originalWidth: 0, originalHeight: 0 };
    }
    throw new Problem(
      'not_image',
      `${name} could not be opened as a picture: it may be another kind of file with a picture’s name. Please choose a photo (JPEG, PNG, WebP, GIF, HEIC or AVIF).`,
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
    return {
      blob,
      contentType: 'image/jpeg',
      width: target.width,
      height: target.height,
      originalWidth: original.width,
      originalHeight: original.height,
    };
  } finally {
    bitmap.close();
  }
}
