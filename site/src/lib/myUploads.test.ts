import { beforeEach, describe, expect, it } from 'vitest';
import { forgetAllUploads, forgetUpload, listMyUploads, MAX_REMEMBERED, rememberUpload } from './myUploads';

describe('my uploads', () => {
  beforeEach(() => window.localStorage.clear());

  it('keeps uploads newest first, once each', () => {
    rememberUpload({ id: 'a', name: 'a.jpg', at: '2026-01-01T00:00:00Z' });
    rememberUpload({ id: 'b', name: 'b.jpg', at: '2026-01-02T00:00:00Z' });
    rememberUpload({ id: 'a', name: 'a.jpg', at: '2026-01-03T00:00:00Z' });
    expect(listMyUploads().map((u) => u.id)).toEqual(['a', 'b']);
    forgetUpload('a');
    expect(listMyUploads().map((u) => u.id)).toEqual(['b']);
    forgetAllUploads();
    expect(listMyUploads()).toEqual([]);
  });

  it('survives what another script or an old version left in storage', () => {
    window.localStorage.setItem('veglens:uploads', '{not json');
    expect(listMyUploads()).toEqual([]);
    window.localStorage.setItem('veglens:uploads', JSON.stringify([{ id: 'x', name: 'x.jpg', at: 'now' }, { id: 3 }, null]));
    expect(listMyUploads().map((u) => u.id)).toEqual(['x']);
  });

  it(`forgets the oldest beyond ${MAX_REMEMBERED}`, () => {
    for (let i = 0; i <= MAX_REMEMBERED; i++) rememberUpload({ id: String(i), name: `${i}.jpg`, at: '' });
    const list = listMyUploads();
    expect(list).toHaveLength(MAX_REMEMBERED);
    expect(list[0]!.id).toBe(String(MAX_REMEMBERED));
    expect(list.some((u) => u.id === '0')).toBe(false);
  });
});
