import { describe, expect, it } from 'vitest';
import { DEFAULT_SEARCH, parseCount, parseKind, parseSearch, toApiQuery, toSearch, type SearchState } from './searchState';

describe('search state in the URL', () => {
  it('reads a full query', () => {
    expect(parseSearch('?kind=Tomato&colour=violet&palette=ryb&method=reference&count=30')).toEqual({
      kind: 'Tomato',
      colour: 'violet',
      palette: 'ryb',
      method: 'reference',
      count: 30,
    });
  });

  it('searches common names with the vegetable method only (the whole-photo average has none)', () => {
    expect(parseSearch('?colour=beige&palette=common&method=reference')).toEqual({ ...DEFAULT_SEARCH, colour: 'beige', palette: 'common' });
  });

  it('gives the defaults for an empty query', () => {
    expect(parseSearch('')).toEqual(DEFAULT_SEARCH);
    expect(toSearch(DEFAULT_SEARCH)).toBe('');
  });

  it.each<[string, SearchState]>([
    ['?kind=Bitter_Gourd', { ...DEFAULT_SEARCH, kind: 'Bitter_Gourd' }],
    ['?kind=Tomato&colour=spring%20green&palette=rgb', { ...DEFAULT_SEARCH, kind: 'Tomato', colour: 'spring green' }],
    ['?colour=red-violet&palette=ryb&method=reference&count=100', { ...DEFAULT_SEARCH, colour: 'red-violet', palette: 'ryb', method: 'reference', count: 100 }],
    ['?kind=Cauliflower&colour=white&palette=common', { ...DEFAULT_SEARCH, kind: 'Cauliflower', colour: 'white', palette: 'common' }],
  ])('round-trips %s', (search, state) => {
    expect(parseSearch(search)).toEqual(state);
    expect(toSearch(state)).toBe(search);
  });

  it('accepts people-typed kinds in any case', () => {
    expect(parseKind('bitter gourd')).toBe('Bitter_Gourd');
    expect(parseKind('BOTTLE-GOURD')).toBe('Bottle_Gourd');
    expect(parseKind('tomato')).toBe('Tomato');
    expect(parseKind('banana')).toBeNull();
    expect(parseKind(null)).toBeNull();
  });

  it('keeps count within 1..100', () => {
    expect(parseCount('0')).toBe(1);
    expect(parseCount('-5')).toBe(1);
    expect(parseCount('250')).toBe(100);
    expect(parseCount('7.6')).toBe(8);
    expect(parseCount('lots')).toBe(DEFAULT_SEARCH.count);
    expect(parseCount('')).toBe(DEFAULT_SEARCH.count);
  });

  it('ignores unknown palette and method values', () => {
    const s = parseSearch('?palette=cmyk&method=magic&colour=Red');
    expect(s.palette).toBe('rgb');
    expect(s.method).toBe('foreground');
    expect(s.colour).toBe('red');
  });

  it('drops the palette from the URL when no colour is chosen', () => {
    expect(toSearch({ ...DEFAULT_SEARCH, palette: 'ryb', kind: 'Carrot' })).toBe('?kind=Carrot');
  });

  it('builds the API query, leaving out what is not chosen', () => {
    expect(toApiQuery({ ...DEFAULT_SEARCH, kind: 'Carrot' })).toEqual({ kind: 'Carrot', palette: 'rgb', method: 'foreground', count: 12 });
    expect(toApiQuery(parseSearch('?colour=violet&palette=ryb&count=3'))).toEqual({ colour: 'violet', palette: 'ryb', method: 'foreground', count: 3 });
  });
});
