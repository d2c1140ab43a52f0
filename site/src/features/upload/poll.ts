// Polls an image's status until it is labelled, waiting a little longer after
// each try, and gives up with a clear message after a sensible time.
import { ApiError } from '../../lib/api/client';
import { Problem } from '../../lib/errors';

export interface Backoff {
  /** Wait before the second try. */
  initialMs: number;
  /** Each wait is this many times the previous one... */
  factor: number;
  /** ...but never longer than this. */
  maxMs: number;
  /** Stop after this long in all. */
  giveUpAfterMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 250, factor: 1.5, maxMs: 3000, giveUpAfterMs: 60_000 };

/** The wait after the attempt-th try (0-based): initial, initial*factor, ... capped at maxMs. */
export function delayFor(attempt: number, b: Backoff = DEFAULT_BACKOFF): number {
  return Math.min(b.maxMs, Math.round(b.initialMs * b.factor ** Math.max(0, attempt)));
}

/** Whether an error from one try is worth another try (network, storage lag, overloaded server). */
export function isTransient(err: unknown): boolean {
  if (err instanceof TypeError) return true;
  if (err instanceof ApiError) {
    return err.code === 'unreachable' || err.code === 'unavailable' || err.code === 'not_found' || err.status >= 500 || err.status === 0;
  }
  return false;
}

export interface PollOptions<T> {
  backoff?: Backoff;
  signal?: AbortSignal;
  /** Called after each successful try that is not final yet (e.g. status "pending"). */
  onUpdate?: (value: T, attempt: number) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Calls `fetchOnce` until `isSettled` says the value is final. Transient errors
 * are retried; anything else is thrown at once. After `giveUpAfterMs` it throws a
 * Problem: 'unreachable' if the server never answered, else 'timeout'.
 */
export async function pollUntilSettled<T>(
  fetchOnce: () => Promise<T>,
  isSettled: (value: T) => boolean,
  opts: PollOptions<T> = {},
): Promise<T> {
  const b = opts.backoff ?? DEFAULT_BACKOFF;
  const sleep = opts.sleep ?? abortableSleep;
  const now = opts.now ?? (() => Date.now());
  const start = now();
  let answered = false;
  for (let attempt = 0; ; attempt++) {
    opts.signal?.throwIfAborted();
    try {
      const value = await fetchOnce();
      answered = true;
      if (isSettled(value)) return value;
      opts.onUpdate?.(value, attempt);
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      if (!isTransient(err)) throw err;
    }
    const wait = delayFor(attempt, b);
    if (now() - start + wait > b.giveUpAfterMs) {
      const secs = Math.round(b.giveUpAfterMs / 1000);
      if (!answered) throw new Problem('unreachable', `The server did not answer for ${secs} seconds. Check your connection and try again.`);
      throw new Problem('timeout', `Your photo was received, but it was still not labelled after ${secs} seconds. The server may be busy; check again in a minute.`);
    }
    await sleep(wait, opts.signal);
  }
}
