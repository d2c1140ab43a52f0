import { useState, type FormEvent } from 'react';
import { ApiError, api, unwrap } from '../../lib/api/client';
import type { SearchQuery } from '../../lib/api/types';
import { ErrorNotice } from '../../components/ErrorNotice';
import { parseKind, type SearchState } from './searchState';

/** The structured search the API understood, as the page's state (the method stays as chosen). */
export function stateFromQuery(q: SearchQuery, method: SearchState['method']): Partial<SearchState> {
  return {
    kind: q.kind ? parseKind(q.kind) : null,
    colour: q.colour?.name ?? null,
    palette: q.colour ? q.palette : 'rgb',
    method: q.palette === 'common' ? 'foreground' : method,
    count: q.count,
  };
}

/**
 * A search in plain words ("3 red tomatoes"): the API reads it (GET /api/images?q=) and answers
 * with the kind, colour and count it understood, which become the chips below; a phrase it
 * cannot read gets its message, naming the words it did not understand.
 */
export function WordsSearch({ method, onUnderstood }: { method: SearchState['method']; onUnderstood: (s: Partial<SearchState>) => void }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const res = await unwrap(api.GET('/api/images', { params: { query: { q: text, method } } }));
      onUnderstood(stateFromQuery(res.query, method));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const message = error instanceof ApiError && error.code === 'invalid_input' ? error.message : null;
  return (
    <form className="words-search" role="search" onSubmit={submit}>
      <label htmlFor="words">Search in words</label>
      <div className="words-row">
        <input
          id="words"
          name="q"
          type="search"
          maxLength={200}
          placeholder="3 red tomatoes"
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-invalid={message !== null}
          aria-describedby={message !== null ? 'words-error' : 'words-help'}
        />
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Reading…' : 'Find'}
        </button>
      </div>
      {message !== null ? (
        <p id="words-error" className="field-error" role="alert">
          {message}
        </p>
      ) : error !== undefined ? (
        <ErrorNotice error={error} />
      ) : (
        <p id="words-help" className="muted small">
          A number, a colour and a kind, in any order: “five orange carrots”, “a dozen green aubergines”.
        </p>
      )}
    </form>
  );
}
