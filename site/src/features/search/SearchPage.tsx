import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { api, unwrap } from '../../lib/api/client';
import type { Image, Kind, PaletteId } from '../../lib/api/types';
import { kindPlural, totalText } from '../../lib/format';
import { navigate } from '../../lib/router';
import { useApi } from '../../lib/useApi';
import { loadKinds, loadPalettes } from '../../lib/vocabulary';
import { ErrorNotice } from '../../components/ErrorNotice';
import { getImage } from '../upload/uploadPhoto';
import { ColourPicker } from './ColourPicker';
import { ImageCard } from './ImageCard';
import { ImageDialog } from './ImageDialog';
import { KindPicker } from './KindPicker';
import { NoneFound } from './NoneFound';
import { WordsSearch } from './WordsSearch';
import { COUNT_MAX, COUNT_MIN, parseSearch, toApiQuery, toSearch, type SearchState } from './searchState';

export function SearchPage({ search }: { search: string }) {
  const state = useMemo(() => parseSearch(search), [search]);
  const canonical = toSearch(state);
  const palettes = useApi('palettes', () => loadPalettes());
  const kinds = useApi('kinds', () => loadKinds());
  // How many photos each swatch would find for the chosen kind, so empty ones show before a pick.
  const colourCounts = useApi(`colours:${state.kind ?? ''}:${state.method}`, (signal) =>
    unwrap(api.GET('/api/colours', { params: { query: { kind: state.kind ?? undefined, method: state.method } }, signal })),
  );
  const swatchCounts = useMemo(() => {
    const d = colourCounts.data;
    if (!d || (d.kind ?? null) !== state.kind || d.method !== state.method) return undefined;
    const out: Partial<Record<PaletteId, Record<string, number>>> = {};
    for (const [p, list] of Object.entries(d.palettes) as [PaletteId, { colour: { name: string }; count: number }[]][]) {
      out[p] = Object.fromEntries(list.map((c) => [c.colour.name, c.count]));
    }
    return out;
  }, [colourCounts.data, state.kind, state.method]);
  const results = useApi(`images${canonical}`, (signal) =>
    unwrap(api.GET('/api/images', { params: { query: toApiQuery(state) }, signal })),
  );
  // The open photo lives in the URL (`open=<id>` beside the search), so Back closes it and a
  // reload keeps it; photos already on screen open at once, others are fetched.
  const openId = new URLSearchParams(search).get('open');
  const known = useRef(new Map<string, Image>());
  const opened = useApi(openId && !known.current.has(openId) ? `open:${openId}` : null, (signal) => getImage(openId!, signal));
  const open = openId ? (known.current.get(openId) ?? (opened.data?.id === openId ? opened.data : null)) : null;
  const openPhoto = (img: Image, replace = false) => {
    known.current.set(img.id, img);
    const base = canonical || '?';
    navigate(`${base}${base === '?' ? '' : '&'}open=${encodeURIComponent(img.id)}`, { keepScroll: true, replace, state: replace ? window.history.state : { dialog: true } });
  };
  const closePhoto = () => {
    if ((window.history.state as { dialog?: boolean } | null)?.dialog) window.history.back();
    else navigate(canonical || '?', { replace: true, keepScroll: true });
  };
  // Further pages of this search (keyset pagination: each asks for the page after the last `next`).
  const [more, setMore] = useState<{ for: string; images: Image[]; next: string | null; loading: boolean; error?: unknown }>({
    for: '', images: [], next: null, loading: false,
  });
  const extra = more.for === canonical ? more : { for: canonical, images: [], next: null, loading: false };
  const [countText, setCountText] = useState(String(state.count));
  useEffect(() => setCountText(String(state.count)), [state.count]);

  const counts = useMemo(() => {
    if (!kinds.data) return undefined;
    const c: Partial<Record<Kind, number>> = {};
    for (const k of kinds.data) c[k.name] = k.count;
    return c;
  }, [kinds.data]);

  // A choice made with the arrow keys (moving through the swatches or kinds) replaces the
  // history entry instead of adding one per step, so Back leaves the search in one press.
  const byArrow = useRef(false);
  // After a choice on a phone, where the results start far below, offer a way down to them.
  const [chose, setChose] = useState(false);
  function update(patch: Partial<SearchState>, opts: { replace?: boolean } = {}) {
    const replace = opts.replace ?? byArrow.current;
    byArrow.current = false;
    setChose(true);
    navigate(toSearch({ ...state, ...patch }) || '?', { replace, keepScroll: true });
  }

  const countNumber = Number(countText);
  const countValid = countText.trim() !== '' && Number.isInteger(countNumber) && countNumber >= COUNT_MIN && countNumber <= COUNT_MAX;
  function commitCount(e?: FormEvent) {
    e?.preventDefault();
    if (countValid && countNumber !== state.count) update({ count: countNumber }, { replace: true });
  }
  // The count applies as it is typed (each keystroke edits the same history entry).
  function changeCount(text: string) {
    setCountText(text);
    const n = Number(text);
    if (text.trim() !== '' && Number.isInteger(n) && n >= COUNT_MIN && n <= COUNT_MAX && n !== state.count) update({ count: n }, { replace: true });
  }

  // Is the top of the results on screen? (On a phone they start far below the choices.)
  const resultsRef = useRef<HTMLElement>(null);
  const [resultsInView, setResultsInView] = useState(true);
  useEffect(() => {
    const el = resultsRef.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver(([e]) => setResultsInView(e!.isIntersecting), { rootMargin: '0px 0px -25% 0px' });
    io.observe(el);
    return () => io.disconnect();
  }, []);
  const narrow = typeof window.matchMedia === 'function' && window.matchMedia('(max-width: 700px)').matches;
  const showResults = () => {
    resultsRef.current?.scrollIntoView({ block: 'start' });
    document.getElementById('results-title')?.focus({ preventScroll: true });
    setChose(false);
  };

  const data = results.data;
  const next = extra.images.length > 0 ? extra.next : (data?.next ?? null);
  async function loadMore() {
    if (!next || extra.loading) return;
    setMore({ ...extra, loading: true, error: undefined });
    try {
      const page = await unwrap(api.GET('/api/images', { params: { query: { ...toApiQuery(state), cursor: next } } }));
      setMore({ for: canonical, images: [...extra.images, ...page.images], next: page.next, loading: false });
    } catch (error) {
      setMore({ ...extra, loading: false, error });
    }
  }
  // Marks when the first results are on screen (read by the end-to-end test).
  useEffect(() => {
    if (data && performance.getEntriesByName('veglens:first-results').length === 0) {
      performance.mark('veglens:first-results');
    }
  }, [data]);
  // The title describes what is on screen (the API's reading of the query), not what is loading.
  const failed = results.error !== undefined;
  const shownKind = data && !failed ? data.query.kind : state.kind;
  const shownColour = data && !failed ? (data.query.colour?.name ?? null) : state.colour;
  const what = shownKind ? kindPlural(shownKind) : 'vegetables';
  const colourWords = shownColour ? ` in ${shownColour}` : '';

  return (
    <div className="search-page">
      <h1>Find vegetables by kind and colour</h1>
      <WordsSearch method={state.method} onUnderstood={(patch) => update(patch, { replace: false })} />
      <form
        className="search-form"
        onSubmit={commitCount}
        aria-describedby="search-help"
        noValidate
        onKeyDownCapture={(e) => {
          // Only an arrow key on a radio moves a choice (in the count box it moves the caret).
          byArrow.current = e.key.startsWith('Arrow') && (e.target as HTMLInputElement).type === 'radio';
        }}
        onPointerDownCapture={() => {
          byArrow.current = false;
        }}
      >
        <p id="search-help" className="muted small">
          Choose how many photos, a kind and a colour; the results update as you choose.
        </p>
        <div className="count-row">
          <label htmlFor="count">Show up to</label>
          <input
            id="count"
            name="count"
            type="number"
            inputMode="numeric"
            min={COUNT_MIN}
            max={COUNT_MAX}
            value={countText}
            onChange={(e) => changeCount(e.target.value)}
            onBlur={() => commitCount()}
            aria-invalid={!countValid}
            aria-describedby={countValid ? undefined : 'count-error'}
          />
          <span>photos</span>
          <button type="submit" className="button">Search</button>
          {!countValid && (
            <span id="count-error" className="field-error" role="alert">
              {countText.trim() === '' ? 'Type how many photos to show' : `We show from ${COUNT_MIN} to ${COUNT_MAX} photos at a time, not ${countText}`}
              ; the results still show {state.count}.
            </span>
          )}
        </div>
        <KindPicker value={state.kind} counts={counts} onChange={(kind) => update({ kind })} />
        <ColourPicker
          palettes={palettes.data?.palettes}
          colour={state.colour}
          palette={state.palette}
          counts={swatchCounts}
          onChange={(colour, palette) =>
            // common names belong to the vegetable method only
            update(palette === 'common' ? { colour, palette, method: 'foreground' } : { colour, palette })
          }
        />
        {palettes.error !== undefined && <ErrorNotice error={palettes.error} />}
        <fieldset className="method-switch">
          <legend>Colour measured on</legend>
          {(['foreground', 'reference'] as const).map((m) => (
            <label className="choice segment" key={m}>
              <input type="radio" name="method" value={m} checked={state.method === m} onChange={() =>
                  // the whole-photo average has no common names: a word search becomes any colour
                  update(m === 'reference' && state.palette === 'common' ? { method: m, colour: null, palette: 'rgb' } : { method: m })
                }
              />
              <span className="choice-body" title={palettes.data?.methods.find((x) => x.id === m)?.description}>
                {m === 'foreground' ? 'The vegetable (foreground)' : 'Whole-photo average (thesis rule)'}
              </span>
            </label>
          ))}
        </fieldset>
      </form>

      {chose && narrow && !resultsInView && data && !failed && (
        <button type="button" className="button show-results" onClick={showResults} data-testid="show-results">
          {data.total === 0 ? 'No matches: see why' : `Show ${totalText(data.total, data.totalCapped)} results`} ↓
        </button>
      )}
      <section className="results" aria-labelledby="results-title" aria-busy={results.loading} ref={resultsRef}>
        <h2
          id="results-title"
          tabIndex={-1}
          className={`results-title${data && data.total === 0 && !results.loading ? ' visually-hidden' : ''}`}
          aria-live="polite"
        >
          {results.loading && !data
            ? 'Searching…'
            : data && !failed
              ? data.total === 0
                ? 'No matches'
                : `${data.images.length + extra.images.length} of ${totalText(data.total, data.totalCapped)} ${what}${colourWords}`
              : `Photos of ${what}${colourWords}`}
          {results.loading && data && <span className="updating"> · updating…</span>}
        </h2>
        {results.error !== undefined ? (
          <ErrorNotice
            error={results.error}
            action={
              <button type="button" className="button" onClick={results.reload}>
                Try again
              </button>
            }
          />
        ) : data && data.total === 0 ? (
          <NoneFound
            kind={data.query.kind ?? state.kind}
            colour={data.query.colour}
            alternatives={data.alternatives}
            onPick={(colour, palette) => update(palette === 'common' ? { colour, palette, method: 'foreground' } : { colour, palette })}
          />
        ) : data ? (
          <>
            <ul className={`results-grid${results.loading ? ' is-stale' : ''}`} data-testid="results">
              {[...data.images, ...extra.images].map((img) => (
                <ImageCard key={img.id} image={img} method={state.method} palette={state.palette} onOpen={(i) => openPhoto(i)} />
              ))}
            </ul>
            {extra.error !== undefined && <ErrorNotice error={extra.error} />}
            {next && !results.loading && (
              <button type="button" className="button more-results" onClick={loadMore} disabled={extra.loading} data-testid="more-results">
                {extra.loading ? 'Loading more…' : `More ${what}${colourWords}`}
              </button>
            )}
          </>
        ) : null}
      </section>
      {open && <ImageDialog key={open.id} image={open} onClose={closePhoto} onOpen={(i) => openPhoto(i, true)} />}
    </div>
  );
}
