// "My uploads": the ids of the photos this browser uploaded, kept in local storage so a
// person can come back to them (details always come fresh from the API).

const KEY = 'veglens:uploads';
/** The most uploads remembered; the oldest are forgotten first. */
export const MAX_REMEMBERED = 500;

export interface MyUpload {
  id: string;
  /** The file's name as the person chose it. */
  name: string;
  /** When it was sent (ISO 8601). */
  at: string;
}

function isUpload(v: unknown): v is MyUpload {
  if (typeof v !== 'object' || v === null) return false;
  const u = v as Record<string, unknown>;
  return typeof u.id === 'string' && typeof u.name === 'string' && typeof u.at === 'string';
}

/** This browser's uploads, newest first; empty when storage is unavailable or unreadable. */
export function listMyUploads(): MyUpload[] {
  try {
    const raw = window.localStorage.getItem(KEY);
    const list: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(list) ? list.filter(isUpload) : [];
  } catch {
    return [];
  }
}

function save(list: MyUpload[]): void {
  try {
    window.localStorage.setItem(KEY, JSON.stringify(list.slice(0, MAX_REMEMBERED)));
  } catch {
    // Storage full or disabled (private browsing): the upload itself still works.
  }
}

/** Remembers an upload at the top of the list (once per id). */
export function rememberUpload(u: MyUpload): void {
  save([u, ...listMyUploads().filter((x) => x.id !== u.id)]);
}

/** Forgets one upload (the photo itself stays on the server until it expires). */
export function forgetUpload(id: string): void {
  save(listMyUploads().filter((x) => x.id !== id));
}

/** Forgets every upload. */
export function forgetAllUploads(): void {
  save([]);
}
