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

/** Goes to another query string of this page; `replace` edits the current history entry. */
export function navigate(search: string, opts: { replace?: boolean } = {}): void {
  const target = `${window.location.pathname}${search}`;
  if (target === `${window.location.pathname}${window.location.search}`) return;
  if (opts.replace) window.history.replaceState(null, '', target);
  else window.history.pushState(null, '', target);
  for (const fn of listeners) fn();
  if (!opts.replace) window.scrollTo({ top: 0 });
}

export type View = 'search' | 'upload' | 'model';

export function viewOf(search: string): View {
  const v = new URLSearchParams(search).get('view');
  return v === 'upload' || v === 'model' ? v : 'search';
}

export function hrefFor(view: View): string {
  return view === 'search' ? '?' : `?view=${view}`;
}
