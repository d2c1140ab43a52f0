import { describe, expect, it } from 'vitest';
import { ApiError } from './api/client';
import { explain, Problem } from './errors';
import { storageProblem } from '../features/upload/send';

describe('explain', () => {
  it.each<[unknown, string, RegExp]>([
    [new ApiError(400, 'too_large', 'The file is 12 MB; the largest accepted is 10 MB.'), 'This photo is too large', /12 MB/],
    [new ApiError(400, 'unsupported', 'text/plain is not accepted; use JPEG, PNG, WebP or GIF.'), 'This file is not a picture we can read', /text\/plain/],
    [new ApiError(0, 'unreachable', 'x'), 'We can’t reach the veglens server', /internet connection/],
    [new ApiError(503, 'unavailable', 'database unreachable'), 'We can’t reach the veglens server', /try again/],
    [new TypeError('Failed to fetch'), 'We can’t reach the veglens server', /internet connection/],
    [new ApiError(500, 'internal', 'nil pointer dereference'), 'Something went wrong on our side', /try again/],
    [new Problem('not_image', 'This file is not a picture your browser can open.'), 'This file is not a picture we can read', /browser can open/],
    [new Problem('timeout', ''), 'This is taking too long', /check/],
    [new Error('boom'), 'Something went wrong on our side', /try again/],
  ])('%o', (err, title, detail) => {
    const e = explain(err);
    expect(e.title).toBe(title);
    expect(e.detail).toMatch(detail);
  });

  it('never shows internal details of server errors', () => {
    expect(explain(new ApiError(500, 'internal', 'pq: relation "images" does not exist')).detail).not.toMatch(/relation/);
  });
});

describe('storageProblem', () => {
  it('maps S3 error documents to words', () => {
    const xml = (code: string, msg: string) => `<?xml version="1.0"?><Error><Code>${code}</Code><Message>${msg}</Message></Error>`;
    expect(storageProblem(400, xml('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed object size.')).kind).toBe('too_large');
    expect(storageProblem(403, xml('AccessDenied', 'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "image/jpeg"]')).kind).toBe('not_image');
    expect(storageProblem(403, xml('AccessDenied', 'Invalid according to Policy: Policy expired.')).kind).toBe('invalid');
    expect(storageProblem(503, '').kind).toBe('unreachable');
    expect(storageProblem(400, xml('MalformedPOSTRequest', 'x')).message).toMatch(/MalformedPOSTRequest/);
  });
});
