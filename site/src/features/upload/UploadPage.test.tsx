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
    expect(screen.getByText('Drop photos here, paste them, or')).toBeTruthy();
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
  refusal: { reason: 'unfamiliar', score: 0.31, threshold: 0.05, familiarity: 0.41, familiarityThreshold: 0.44 },
};

describe('ResultCard', () => {
  it('says when the photo does not look like one of the 15 vegetables, with the closest guesses', () => {
    render(<ResultCard image={base} preview="blob:x" />);
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe(REFUSAL);
    expect(screen.queryByTestId('result-kind')).toBeNull();
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Carrot31%', 'Papaya22%', 'Pumpkin12%']);
    expect(screen.getByText('35.0 ms')).toBeTruthy();
  });

  it('explains a refusal by the rule that made it, with the numbers', () => {
    render(<ResultCard image={{ ...base, confidence: 0.98, top: [{ kind: 'Pumpkin', probability: 0.98 }] }} preview="blob:x" />);
    const why = screen.getByTestId('refusal-reason').textContent;
    expect(why).toMatch(/looks enough like the vegetable photos the model learned from/);
    expect(why).toMatch(/0\.41; we need at least 0\.44/);
    expect(why).toMatch(/Pumpkin 98%/);
    render(
      <ResultCard
        image={{ ...base, id: 'other', refusal: { reason: 'unsure', score: 0.03, threshold: 0.05, familiarity: 0.9, familiarityThreshold: 0.44 }, top: [{ kind: 'Potato', probability: 0.03 }] }}
        preview="blob:y"
      />,
    );
    expect(screen.getAllByTestId('refusal-reason')[1]!.textContent).toBe('We name a vegetable only when the model is at least 5% sure; its best guess is Potato 3%.');
  });

  it('offers to confirm or correct the answer', () => {
    render(<ResultCard image={{ ...base, refused: false, confidence: 0.97, refusal: null }} preview="blob:x" />);
    expect(screen.getByRole('button', { name: 'Yes, it is carrot' })).toBeTruthy();
    const pick = screen.getByRole('combobox', { name: 'No, it is' }) as HTMLSelectElement;
    expect([...pick.options].map((o) => o.textContent)).toContain('not one of our vegetables');
  });

  it('names the kind and its certainty when the model is sure', () => {
    render(<ResultCard image={{ ...base, refused: false, confidence: 0.97, refusal: null }} preview="blob:x" />);
    expect(screen.getByTestId('result-kind').textContent).toBe('Carrot');
    expect(screen.getByRole('heading', { level: 2 }).textContent).toMatch(/97% sure/);
    expect(screen.getByRole('img', { name: 'Your photo' }).getAttribute('src')).toBe('blob:x');
  });
});
