// A very small router: the whole app state that can be shared lives in the URL's
// query string, so links can be shared and the back button works.
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();

function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  window.addEventListener('popstate', fn);
  return () => {
    listeners.delete(fn);
    window.removeEventListener('popstate', fn);
  };
}

function snapshot(): string {
  return window.location.search;
}

/** The current query string (e.g. "?kind=Tomato"); re-renders when it changes. */
export function useSearch(): string {
  return useSyncExternalStore(subscribe, snapshot, () => '');
}

/**
 * Goes to another query string of this page; `replace` edits the current history entry,
 * `keepScroll` stays where the page is (a dialog opening over it), `state` is stored with the entry.
 */
export function navigate(search: string, opts: { replace?: boolean; keepScroll?: boolean; state?: unknown } = {}): void {
  const target = `${window.location.pathname}${search}`;
  if (target === `${window.location.pathname}${window.location.search}`) return;
  if (opts.replace) window.history.replaceState(opts.state ?? null, '', target);
  else window.history.pushState(opts.state ?? null, '', target);
  for (const fn of listeners) fn();
  if (!opts.replace && !opts.keepScroll) window.scrollTo({ top: 0 });
}

export type View = 'search' | 'upload' | 'model' | 'mine' | 'image';

/** `?image=<id>` is one photo's own page; `?view=` names the others; anything else is the search. */
export function viewOf(search: string): View {
  const q = new URLSearchParams(search);
  if (q.get('image')) return 'image';
  const v = q.get('view');
  return v === 'upload' || v === 'model' || v === 'mine' ? v : 'search';
}

export function hrefFor(view: Exclude<View, 'image'>): string {
  return view === 'search' ? '?' : `?view=${view}`;
}

/** The address of one photo's own page. */
export function imageHref(id: string): string {
  return `?image=${encodeURIComponent(id)}`;
}
