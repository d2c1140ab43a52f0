import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import { SimilarPhotos } from './SimilarPhotos';
import type { Image, SimilarResult } from '../../lib/api/types';
import { ApiError } from '../../lib/api/client';

const ID = '7f1d2c1e-0000-4000-8000-000000000001';

function photo(id: string, kind: Image['kind']): Image {
  return {
    id, status: 'done', source: 'dataset', kind, confidence: 0.9, refused: false, top: [], colours: null,
    url: `/${id}.jpg`, thumbnailUrl: `/t/${id}.jpg`, width: 224, height: 224, timings: null,
    modelVersion: 'abc', trueKind: kind, createdAt: '2026-11-27T12:00:00Z', updatedAt: '2026-11-27T12:00:01Z', refusal: null,
  };
}

/** A loader that answers with result (or fails with it) and records the ids asked about. */
function answer(result: SimilarResult | Error) {
  const asked: string[] = [];
  const load = async (id: string) => {
    asked.push(id);
    if (result instanceof Error) throw result;
    return result;
  };
  return { load, asked };
}

describe('SimilarPhotos', () => {
  it('shows the look-alikes, most alike first, and opens the one picked', async () => {
    const { load, asked } = answer({
      of: ID, comparable: true,
      images: [{ image: photo('a', 'Tomato'), similarity: 0.93 }, { image: photo('b', 'Capsicum'), similarity: 0.71 }],
    });
    const onOpen = vi.fn();
    render(<SimilarPhotos id={ID} onOpen={onOpen} load={load} />);
    const first = await screen.findByRole('link', { name: 'Tomato, 93% alike' });
    expect(first.getAttribute('href')).toMatch(/^\?image=/);
    expect(screen.getByRole('link', { name: 'Capsicum, 71% alike' })).toBeTruthy();
    expect(asked).toEqual([ID]);
    fireEvent.click(first);
    expect(onOpen).toHaveBeenCalledWith(expect.objectContaining({ id: 'a' }));
  });

  it('says why a photo cannot be compared', async () => {
    const { load } = answer({ of: ID, comparable: false, reason: 'This photo is still being labelled; ask again when it is done.', images: [] });
    render(<SimilarPhotos id={ID} load={load} />);
    expect((await screen.findByTestId('similar-none')).textContent).toMatch(/still being labelled/);
  });

  it('says when there is nothing to compare with', async () => {
    const { load } = answer({ of: ID, comparable: true, images: [] });
    render(<SimilarPhotos id={ID} load={load} />);
    expect((await screen.findByTestId('similar-none')).textContent).toMatch(/No other public photos/);
  });

  it('explains a failure and offers to try again', async () => {
    const { load } = answer(new ApiError(503, 'unavailable', 'The database is not reachable right now.'));
    render(<SimilarPhotos id={ID} load={load} />);
    expect(await screen.findByRole('alert')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});
