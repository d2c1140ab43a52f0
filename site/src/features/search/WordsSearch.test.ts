import { describe, expect, it } from 'vitest';
import { stateFromQuery } from './WordsSearch';
import { parseSearch, toSearch, DEFAULT_SEARCH } from './searchState';

describe('stateFromQuery', () => {
  it('turns what the API understood into the chips and the count', () => {
    const s = stateFromQuery(
      { kind: 'Tomato', colour: { name: 'red', hex: '#D7261E' }, palette: 'common', method: 'foreground', count: 3 },
      'foreground',
    );
    expect(toSearch({ ...DEFAULT_SEARCH, ...s })).toBe('?kind=Tomato&colour=red&palette=common&count=3');
  });

  it('keeps the whole-photo method for a wheel colour, and drops it for an everyday word', () => {
    const wheel = stateFromQuery({ kind: null, colour: { name: 'chartreuse', hex: '#80FF00' }, palette: 'rgb', method: 'reference', count: 12 }, 'reference');
    expect(wheel.method).toBe('reference');
    const word = stateFromQuery({ kind: 'Radish', colour: { name: 'white', hex: '#FFFFFF' }, palette: 'common', method: 'foreground', count: 12 }, 'reference');
    expect(word.method).toBe('foreground');
  });

  it('clears the colour when the phrase named none', () => {
    const s = stateFromQuery({ kind: 'Carrot', colour: null, palette: 'rgb', method: 'foreground', count: 12 }, 'foreground');
    expect(parseSearch(toSearch({ ...DEFAULT_SEARCH, colour: 'red', ...s }))).toEqual({ ...DEFAULT_SEARCH, kind: 'Carrot' });
  });
});
