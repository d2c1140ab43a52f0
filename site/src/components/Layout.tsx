import type { MouseEvent, ReactNode } from 'react';
import { hrefFor, navigate, type View } from '../lib/router';

const NAV: { view: Exclude<View, 'image'>; label: string }[] = [
  { view: 'search', label: 'Search' },
  { view: 'upload', label: 'Upload' },
  { view: 'mine', label: 'My uploads' },
  { view: 'model', label: 'Model card' },
];

/** A left click without modifier keys: one a link may handle in place (others open tabs, windows...). */
export function isPlainClick(e: MouseEvent<HTMLAnchorElement>): boolean {
  return !e.defaultPrevented && e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey;
}

/** Follows an in-app link without reloading the page (keeps modifier-clicks working). */
export function onAppLink(e: MouseEvent<HTMLAnchorElement>) {
  if (!isPlainClick(e)) return;
  e.preventDefault();
  navigate(new URL(e.currentTarget.href).search);
}

export function Layout({ view, children }: { view: View; children: ReactNode }) {
  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="site-header">
        <a className="brand" href="?" onClick={onAppLink}>
          <span aria-hidden="true" className="brand-mark">◐</span> veglens
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.view}>
                <a href={hrefFor(n.view)} onClick={onAppLink} aria-current={view === n.view ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer className="site-footer">
        <p>
          Photos and training data: the Vegetable Image Dataset by M. Israk Ahmed et al.,{' '}
          <cite>“DCNN-Based Vegetable Image Classification Using Transfer Learning: A Comparative Study”</cite>, ICCCSP
          2021 (published on Kaggle as misrakahmed/vegetable-image-dataset). Thank you to its authors.
        </p>
      </footer>
    </>
  );
}
