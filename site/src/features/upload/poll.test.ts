import { describe, expect, it } from 'vitest';
import { ApiError } from '../../lib/api/client';
import { Problem } from '../../lib/errors';
import { delayFor, isTransient, pollUntilSettled, type Backoff } from './poll';

const B: Backoff = { initialMs: 100, factor: 2, maxMs: 1000, giveUpAfterMs: 5000 };

/** A fake clock: sleeping advances time instantly and records the waits. */
function clock() {
  let t = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => t,
    sleep: async (ms: number) => {
      waits.push(ms);
      t += ms;
    },
  };
}

describe('delayFor', () => {
  it('grows by the factor and stops at the cap', () => {
    expect([0, 1, 2, 3, 4, 5].map((a) => delayFor(a, B))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
});

describe('pollUntilSettled', () => {
  it('returns as soon as the value is settled, waiting longer each time', async () => {
    const c = clock();
    const answers = ['pending', 'pending', 'pending', 'done'];
    const seen: string[] = [];
    const v = await pollUntilSettled(async () => answers.shift()!, (s) => s === 'done', {
      backoff: B,
      ...c,
      onUpdate: (s) => seen.push(s),
    });
    expect(v).toBe('done');
    expect(c.waits).toEqual([100, 200, 400]);
    expect(seen).toEqual(['pending', 'pending', 'pending']);
  });

  it('retries network failures and server errors', async () => {
    const c = clock();
    const steps: (() => string)[] = [
      () => { throw new TypeError('Failed to fetch'); },
      () => { throw new ApiError(503, 'unavailable', 'database down'); },
      () => { throw new ApiError(404, 'not_found', 'not yet'); },
      () => 'done',
    ];
    const v = await pollUntilSettled(async () => steps.shift()!(), (s) => s === 'done', { backoff: B, ...c });
    expect(v).toBe('done');
    expect(c.waits).toHaveLength(3);
  });

  it('stops at once on an error that another try cannot fix', async () => {
    const c = clock();
    let calls = 0;
    await expect(
      pollUntilSettled(async () => {
        calls++;
        throw new ApiError(400, 'invalid_input', 'bad id', 'id');
      }, () => true, { backoff: B, ...c }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    expect(calls).toBe(1);
  });

  it('gives up with a timeout when the image stays pending', async () => {
    const c = clock();
    const err = await pollUntilSettled(async () => 'pending', (s) => s === 'done', { backoff: B, ...c }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Problem);
    expect((err as Problem).kind).toBe('timeout');
    expect((err as Problem).message).toMatch(/still not labelled after 5 seconds/);
    expect(c.now()).toBeLessThanOrEqual(B.giveUpAfterMs);
  });

  it('says the server is unreachable when it never answered', async () => {
    const c = clock();
    const err = await pollUntilSettled(async () => { throw new TypeError('Failed to fetch'); }, () => true, { backoff: B, ...c }).catch((e: unknown) => e);
    expect((err as Problem).kind).toBe('unreachable');
  });

  it('stops when cancelled', async () => {
    const ctl = new AbortController();
    const c = clock();
    let calls = 0;
    const p = pollUntilSettled(async () => {
      calls++;
      if (calls === 2) ctl.abort(new DOMException('cancelled', 'AbortError'));
      return 'pending';
    }, (s) => s === 'done', { backoff: B, ...c, signal: ctl.signal });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toBe(2);
  });
});

describe('isTransient', () => {
  it('tells retryable failures from final ones', () => {
    expect(isTransient(new TypeError('Failed to fetch'))).toBe(true);
    expect(isTransient(new ApiError(500, 'internal', 'x'))).toBe(true);
    expect(isTransient(new ApiError(400, 'invalid_input', 'x'))).toBe(false);
    expect(isTransient(new Error('x'))).toBe(false);
  });
});
