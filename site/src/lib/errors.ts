// Every failure the site can meet, in words a person understands.
import { ApiError } from './api/client';
import { MAX_IMAGE_BYTES } from './api/types';
import { bytes } from './format';

export type ProblemKind =
  | 'too_large'
  | 'not_image'
  | 'unreachable'
  | 'timeout'
  | 'rejected'
  | 'invalid'
  | 'not_found'
  | 'rate_limited'
  | 'server';

/** An error raised by the site itself with a known kind (e.g. a file that will not decode). */
export class Problem extends Error {
  readonly kind: ProblemKind;
  constructor(kind: ProblemKind, message: string) {
    super(message);
    this.name = 'Problem';
    this.kind = kind;
  }
}

export interface Explanation {
  kind: ProblemKind;
  title: string;
  detail: string;
}

const TITLES: Record<ProblemKind, string> = {
  too_large: 'This photo is too large',
  not_image: 'This file is not a picture we can read',
  unreachable: 'We can’t reach the veglens server',
  timeout: 'This is taking too long',
  rejected: 'We could not label this photo',
  invalid: 'That request was not accepted',
  not_found: 'We could not find that',
  rate_limited: 'Please slow down a little',
  server: 'Something went wrong on our side',
};

const DEFAULT_DETAIL: Record<ProblemKind, string> = {
  too_large: `Photos can be at most ${bytes(MAX_IMAGE_BYTES)}. Try a smaller photo or a screenshot of it.`,
  not_image: 'Please choose a photo: JPEG, PNG, WebP or GIF.',
  unreachable: 'Check your internet connection and try again in a moment.',
  timeout: 'The server is busy. Your photo is saved; try checking again in a minute.',
  rejected: 'The photo reached us but could not be read.',
  invalid: 'Please check what you entered and try again.',
  not_found: 'It may have been removed, or the link is incomplete.',
  rate_limited: 'You sent many requests in a short time; wait a few seconds and try again.',
  server: 'Please try again in a moment.',
};

function kindOfApiError(e: ApiError): ProblemKind {
  switch (e.code) {
    case 'unreachable':
    case 'unavailable':
      return 'unreachable';
    case 'too_large':
      return 'too_large';
    case 'unsupported':
      return 'not_image';
    case 'invalid_input':
      return 'invalid';
    case 'not_found':
      return 'not_found';
    case 'rate_limited':
      return 'rate_limited';
    default:
      return 'server';
  }
}

/** Turns any thrown value into a title and a sentence for people. */
export function explain(err: unknown): Explanation {
  if (err instanceof Problem) {
    return { kind: err.kind, title: TITLES[err.kind], detail: err.message || DEFAULT_DETAIL[err.kind] };
  }
  if (err instanceof ApiError) {
    const kind = kindOfApiError(err);
    // The API's messages are written for people; keep them except for our own generic ones.
    const detail = kind === 'unreachable' || kind === 'server' ? DEFAULT_DETAIL[kind] : err.message;
    return { kind, title: TITLES[kind], detail: detail || DEFAULT_DETAIL[kind] };
  }
  if (err instanceof TypeError) {
    // fetch() rejects with a TypeError when the network is down.
    return { kind: 'unreachable', title: TITLES.unreachable, detail: DEFAULT_DETAIL.unreachable };
  }
  return { kind: 'server', title: TITLES.server, detail: DEFAULT_DETAIL.server };
}
