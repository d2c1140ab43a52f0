import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { UploadPage } from './UploadPage';
import { REFUSAL, ResultCard } from './ResultCard';
import type { Image } from '../../lib/api/types';

describe('UploadPage', () => {
  it('explains a file that is not a picture and lets the person try again', async () => {
    render(<UploadPage />);
    const input = screen.getByTestId('file-input');
    const notes = new File(['carrots, onions\n'], 'notes.jpg', { type: 'image/jpeg' });
    fireEvent.change(input, { target: { files: [notes] } });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/not a picture we can read/);
    expect(alert.textContent).toMatch(/“notes\.jpg”/);
    fireEvent.click(screen.getByRole('button', { name: 'Try another photo' }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect(screen.getByText('Drop a photo here, paste it, or')).toBeTruthy();
  });

  it('refuses an empty file without sending anything', async () => {
    render(<UploadPage />);
    fireEvent.change(screen.getByTestId('file-input'), { target: { files: [new File([], 'empty.png', { type: 'image/png' })] } });
    expect((await screen.findByRole('alert')).textContent).toMatch(/This file is empty/);
  });
});

const base: Image = {
  id: '7f1d2c1e-0000-4000-8000-000000000001',
  status: 'done',
  source: 'upload',
  kind: 'Carrot',
  confidence: 0.31,
  refused: true,
  top: [
    { kind: 'Carrot', probability: 0.31 },
    { kind: 'Papaya', probability: 0.22 },
    { kind: 'Pumpkin', probability: 0.12 },
  ],
  colours: null,
  url: '/x.jpg',
  thumbnailUrl: null,
  width: 800,
  height: 600,
  timings: { fetch_ms: 2, decode_ms: 10, inference_ms: 20, colour_ms: 3, total_ms: 35 },
  modelVersion: 'abc',
  trueKind: null,
  createdAt: '2026-11-27T12:00:00Z',
  updatedAt: '2026-11-27T12:00:01Z',
};

describe('ResultCard', () => {
  it('says when the photo does not look like one of the 15 vegetables, with the closest guesses', () => {
    render(<ResultCard image={base} preview="blob:x" />);
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe(REFUSAL);
    expect(screen.queryByTestId('result-kind')).toBeNull();
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Carrot31%', 'Papaya22%', 'Pumpkin12%']);
    expect(screen.getByText('35.0 ms')).toBeTruthy();
  });

  it('names the kind and its certainty when the model is sure', () => {
    render(<ResultCard image={{ ...base, refused: false, confidence: 0.97 }} preview="blob:x" />);
    expect(screen.getByTestId('result-kind').textContent).toBe('Carrot');
    expect(screen.getByRole('heading', { level: 2 }).textContent).toMatch(/97% sure/);
    expect(screen.getByRole('img', { name: 'Your photo' }).getAttribute('src')).toBe('blob:x');
  });
});
