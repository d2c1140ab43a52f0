import type { ReactNode } from 'react';
import { explain } from '../lib/errors';

/** Shows any error as a title and a sentence, with an optional way out. */
export function ErrorNotice({ error, action }: { error: unknown; action?: ReactNode }) {
  const e = explain(error);
  return (
    <div className="notice notice-error" role="alert" data-problem={e.kind}>
      <p className="notice-title">{e.title}</p>
      <p>{e.detail}</p>
      {action}
    </div>
  );
}
