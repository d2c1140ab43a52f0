import { describe, expect, it } from 'vitest';
import { fitWithin, halvingSteps, heifType, MAX_BYTES, MAX_INPUT_BYTES, MAX_SIDE, prepareUpload } from './downscale';

describe('fitWithin', () => {
  it.each([
    // [w, h, expected w, expected h]
    [4032, 3024, 1600, 1200], // phone landscape
    [3024, 4032, 1200, 1600], // phone portrait (orientation already applied)
    [6000, 4000, 1600, 1067],
    [1600, 900, 1600, 900], // already small enough: unchanged
    [224, 224, 224, 224],
    [10000, 10, 1600, 2], // long thin strip keeps a side of at least 1
    [100000, 3, 1600, 1],
    [2000, 2000, 1600, 1600],
  ])('%i x %i -> %i x %i', (w, h, ew, eh) => {
    const r = fitWithin(w, h);
    expect(r).toEqual({ width: ew, height: eh });
    expect(Math.max(r.width, r.height)).toBeLessThanOrEqual(MAX_SIDE);
  });

  it('never enlarges', () => {
    expect(fitWithin(10, 20, 1600)).toEqual({ width: 10, height: 20 });
  });

  it('keeps the aspect ratio within rounding', () => {
    const r = fitWithin(5000, 3333);
    expect(Math.abs(r.width / r.height - 5000 / 3333)).toBeLessThan(0.002);
  });

  it('rejects sizes that are not positive', () => {
    expect(() => fitWithin(0, 100)).toThrow(RangeError);
    expect(() => fitWithin(Number.NaN, 100)).toThrow(RangeError);
  });
});

describe('halvingSteps', () => {
  it('halves while that stays above the target, then lands on it', () => {
    expect(halvingSteps({ width: 8000, height: 6000 }, { width: 1600, height: 1200 })).toEqual([
      { width: 4000, height: 3000 },
      { width: 2000, height: 1500 },
      { width: 1600, height: 1200 },
    ]);
  });

  it('is a single draw when no shrinking is needed', () => {
    expect(halvingSteps({ width: 800, height: 600 }, { width: 800, height: 600 })).toEqual([{ width: 800, height: 600 }]);
  });
});

describe('prepareUpload', () => {
  it('says how big a file over the input limit is, never like the limit itself', async () => {
    const file = { size: MAX_INPUT_BYTES + 1 } as Blob;
    await expect(prepareUpload(file)).rejects.toThrow(
      'This file is 60.1 MB; photos can be at most 60 MB before we shrink them.',
    );
  });
});

/** An ISO base media file's first bytes: an ftyp box with these brands, then padding. */
function ftyp(major: string, ...compatible: string[]): Uint8Array<ArrayBuffer> {
  const size = 16 + 4 * compatible.length;
  const out = new Uint8Array(size + 32);
  new DataView(out.buffer).setUint32(0, size);
  const put = (at: number, s: string) => [...s].forEach((c, i) => (out[at + i] = c.charCodeAt(0)));
  put(4, 'ftyp');
  put(8, major);
  compatible.forEach((b, i) => put(16 + 4 * i, b));
  return out;
}

describe('heifType', () => {
  it.each([
    ['an iPhone HEIC', ftyp('heic', 'mif1', 'heic'), 'image/heic'],
    ['a generic HEIF brand with HEVC', ftyp('mif1', 'mif1', 'heic'), 'image/heic'],
    ['an AVIF', ftyp('avif', 'avif', 'mif1', 'miaf'), 'image/avif'],
    ['a generic HEIF brand with AV1', ftyp('mif1', 'mif1', 'avif'), 'image/avif'],
    ['an MP4 video', ftyp('isom', 'isom', 'avc1'), null],
    ['a JPEG', new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0, 1, 1, 0, 0, 1, 0, 1]), null],
    ['a few bytes', new Uint8Array([1, 2, 3]), null],
  ])('%s', async (_name, bytes, want) => {
    expect(await heifType(new Blob([bytes as Uint8Array<ArrayBuffer>]))).toBe(want);
  });
});

describe('prepareUpload of a photo the browser cannot decode', () => {
  // The test environment has no image decoder, as Chrome has none for HEIC.
  it('sends a HEIC as it is, for the server to decode', async () => {
    const file = new File([ftyp('heic', 'mif1', 'heic')], 'IMG_1234.HEIC');
    const prepared = await prepareUpload(file);
    expect(prepared.contentType).toBe('image/heic');
    expect(prepared.blob).toBe(file);
  });

  it('says a HEIC too big to send unshrunk must be saved as JPEG first', async () => {
    const big = new Uint8Array(MAX_BYTES + 1);
    big.set(ftyp('heic', 'heic'));
    await expect(prepareUpload(new File([big], 'IMG_1.HEIC'))).rejects.toThrow(/cannot shrink HEIC photos.*save it as JPEG/);
  });

  it('refuses anything else, listing what it takes', async () => {
    await expect(prepareUpload(new File(['not a picture'], 'notes.jpg'))).rejects.toThrow(/HEIC or AVIF/);
  });
});
