// The search lives in the URL (?kind=Tomato&colour=violet&palette=rgb&method=foreground&count=12)
// so it can be shared and the back button works. These two functions are the only
// place that reads or writes it.
import { KINDS, type Kind, type Method, type PaletteId, type SearchParams } from '../../lib/api/types';

export interface SearchState {
  kind: Kind | null;
  /** A colour name of `palette` in lower case (e.g. "spring green"), or null for any colour. */
  colour: string | null;
  palette: PaletteId;
  method: Method;
  count: number;
}

export const COUNT_MIN = 1;
export const COUNT_MAX = 100;

export const DEFAULT_SEARCH: SearchState = {
  kind: null,
  colour: null,
  palette: 'rgb',
  method: 'foreground',
  count: 12,
};

/** "tomato", "Bitter gourd", "bitter_gourd" -> the Kind; anything else -> null. */
export function parseKind(v: string | null): Kind | null {
  if (!v) return null;
  const norm = v.trim().toLowerCase().replace(/[\s-]+/g, '_');
  return KINDS.find((k) => k.toLowerCase() === norm) ?? null;
}

/** Clamps to 1..100; anything that is not a number gives the default. */
export function parseCount(v: string | null): number {
  if (v === null || v.trim() === '') return DEFAULT_SEARCH.count;
  const n = Number(v);
  if (!Number.isFinite(n)) return DEFAULT_SEARCH.count;
  return Math.min(COUNT_MAX, Math.max(COUNT_MIN, Math.round(n)));
}

export function parseSearch(search: string): SearchState {
  const q = new URLSearchParams(search);
  const colour = q.get('colour')?.trim().toLowerCase() || null;
  const p = q.get('palette')?.toLowerCase();
  const palette: PaletteId = p === 'ryb' || p === 'common' ? p : 'rgb';
  // The whole-photo average names wheel colours only.
  const method = q.get('method')?.toLowerCase() === 'reference' && palette !== 'common' ? 'reference' : 'foreground';
  return { kind: parseKind(q.get('kind')), colour, palette, method, count: parseCount(q.get('count')) };
}

/** The query string for a state ("" for the defaults); defaults are left out, order is fixed. */
export function toSearch(s: SearchState): string {
  const q = new URLSearchParams();
  if (s.kind) q.set('kind', s.kind);
  if (s.colour) {
    q.set('colour', s.colour);
    q.set('palette', s.palette);
  }
  if (s.method !== DEFAULT_SEARCH.method) q.set('method', s.method);
  if (s.count !== DEFAULT_SEARCH.count) q.set('count', String(s.count));
  const str = q.toString().replace(/\+/g, '%20');
  return str ? `?${str}` : '';
}

/** The parameters of GET /api/images for a state. */
export function toApiQuery(s: SearchState): SearchParams {
  const p: SearchParams = { palette: s.palette, method: s.method, count: s.count };
  if (s.kind) p.kind = s.kind;
  if (s.colour) p.colour = s.colour;
  return p;
}
