// The one API client. Paths, parameters and bodies are checked against the
// OpenAPI description (schema.gen.ts is generated from shared/api/openapi.yaml).
import createClient from 'openapi-fetch';
import type { paths } from './schema.gen';
import type { ApiErrorBody, ErrorCode } from './types';

export const api = createClient<paths>({ baseUrl: '' });

/** An error the site can explain to a person; see lib/errors.ts for the words. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | 'unreachable' | 'unknown';
  readonly parameter: string | undefined;

  constructor(status: number, code: ApiError['code'], message: string, parameter?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.parameter = parameter;
  }
}

function isErrorBody(v: unknown): v is ApiErrorBody {
  if (typeof v !== 'object' || v === null || !('error' in v)) return false;
  const e = (v as { error: unknown }).error;
  return typeof e === 'object' && e !== null && 'message' in e && 'code' in e;
}

/** Turns an openapi-fetch result into its data, or throws an ApiError. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let res: { data?: T; error?: unknown; response: Response };
  try {
    res = await call;
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'unreachable', 'The server could not be reached.');
  }
  const { data, error, response } = res;
  if (response.ok && data !== undefined) return data;
  if (isErrorBody(error)) {
    throw new ApiError(response.status, error.error.code, error.error.message, error.error.parameter);
  }
  // A gateway or proxy in between answered (502/503/504) or the body was not JSON.
  if (response.status === 502 || response.status === 503 || response.status === 504) {
    throw new ApiError(response.status, 'unreachable', `The server is unavailable (HTTP ${response.status}).`);
  }
  throw new ApiError(response.status, 'unknown', `Unexpected answer from the server (HTTP ${response.status}).`);
}
