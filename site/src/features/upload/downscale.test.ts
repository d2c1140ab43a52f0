import { describe, expect, it } from 'vitest';
import { fitWithin, halvingSteps, MAX_INPUT_BYTES, MAX_SIDE, prepareUpload } from './downscale';

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
