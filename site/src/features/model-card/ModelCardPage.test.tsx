import { beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import type { Kind, ModelInfo, Stats } from '../../lib/api/types';
import { ModelCardPage } from './ModelCardPage';
import { labels, NEW_METRICS } from './metrics.fixture';

// The API's answers for this test, set per test.
const answers = vi.hoisted(() => ({ model: null as unknown, stats: null as unknown }));

vi.mock('../../lib/api/client', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../lib/api/client')>();
  return {
    ...real,
    api: {
      GET: async (path: string) => ({
        data: path === '/api/model' ? answers.model : answers.stats,
        response: new Response('{}', { status: 200 }),
      }),
    },
  };
});

function model(metrics: Record<string, unknown>, threshold = 0.26237): ModelInfo {
  return {
    name: 'veglens',
    version: '28f0d26378a8',
    architecture: 'efficientnet-lite0',
    sizeBytes: 5198385,
    labels: labels as Kind[],
    threshold,
    metrics,
  };
}

const stats: Stats = {
  images: 3,
  done: 3,
  pending: 0,
  rejected: 0,
  refused: 1,
  kinds: [],
  colours: { rgb: [], ryb: [] },
  speed: { p50_ms: 40, p90_ms: 60, p99_ms: 90, samples: 3 },
  series: [],
  agreement: { days: 30, since: '2026-10-31T00:00:00Z', labels: 8, agree: 6, share: 0.75 },
};

/** The text of an element with spaces collapsed. */
const text = (el: Element) => (el.textContent ?? '').replace(/\s+/g, ' ').trim();
/** A table row's cells, one space apart. */
const row = (tr: Element) => [...tr.children].map(text).join(' ');

describe('ModelCardPage', () => {
  beforeEach(() => {
    answers.stats = stats;
  });

  it('shows both models, the held-out photos and the refusal curve', async () => {
    answers.model = model(NEW_METRICS);
    render(<ModelCardPage />);
    const facts = text(await screen.findByTestId('model-facts'));
    // The end-to-end test reads these exact strings.
    expect(facts).toContain('Validation accuracy90.0%');
    expect(facts).toContain('Model size5 MB');
    expect(facts).toContain('float model 96.7%');
    expect(facts).toContain('Validation photos refused3.3%');
    expect(facts).toContain('float model 14.3 MB');
    expect(facts).toContain('29.2 ms / 32.1 ms');
    expect(facts).toContain('float model 26.0 ms / 27.6 ms');
    expect(facts).toContain('Refuses below26.2% score');
    expect(facts).toContain('or when it looks like none of 452 reference photos (similarity to the 5th closest below 0.46)');

    const real = text(screen.getByTestId('real-facts'));
    expect(real).toContain('Top-1, real photos91.7%');
    expect(real).toContain('Real photos refused8.3%');
    expect(real).toContain('Other photos refused77.8%');
    expect(screen.getByText(/held out from every choice/)).toBeTruthy();
    // The real-world monitor: people's own labels against the predictions.
    await waitFor(() => expect(text(screen.getByTestId('agreement'))).toContain('75.0% of the 8 labels people gave in the last 30 days say what the model said (6 of 8'));
    const kinds = within(screen.getByRole('table', { name: 'Real photos, per kind' })).getAllByRole('row').slice(1).map(row);
    expect(kinds).toEqual(['Carrot 5 100.0% 0.0%', 'Tomato 7 85.7% 14.3%']);

    const compare = within(screen.getByRole('region', { name: 'The int8 model and the float model' }));
    expect(row(compare.getByRole('row', { name: /Validation top-1/ }))).toBe('Validation top-1 90.0% 96.7%');
    expect(row(compare.getByRole('row', { name: /File size/ }))).toBe('File size 5 MB 14.3 MB');

    const curve = screen.getByTestId('refusal-curve');
    const rows = within(curve).getAllByRole('row').slice(1);
    expect(rows.map(row)).toEqual([
      '5% 0.0% 0.0% 44.4%',
      '26.2% this model 3.3% 8.3% 77.8%',
      '50% 10.0% 16.7% 88.9%',
    ]);
    expect(rows[1]!.getAttribute('aria-current')).toBe('true');
    expect(rows.filter((r) => r.classList.contains('current'))).toHaveLength(1);

    // Unchanged: per-kind validation rows, the confusion matrix, the labelling speed.
    expect(document.querySelectorAll('table.per-class tbody tr')).toHaveLength(3);
    expect(document.querySelectorAll('table.matrix tbody td')).toHaveLength(9);
    expect(text(await screen.findByTestId('speed-facts'))).toMatch(/^Median40\.0 ms/);
  });

  it('shows dashes, not invented numbers, for an older metrics.json', async () => {
    answers.model = model(
      {
        validation: { accuracy: 1, n: 30, errors: 0, per_class: { Bean: { precision: 1, recall: 1, support: 10 } } },
        refusal: { score: 'max_probability', threshold: 0.99, refused_fraction: 0.01, accuracy_on_accepted: 1 },
        latency: { what: 'onnxruntime', runs: 300, p50_ms: 9.46, p99_ms: 11.7 },
        onnx_size_bytes: 13573895,
      },
      0.99,
    );
    render(<ModelCardPage />);
    const facts = text(await screen.findByTestId('model-facts'));
    expect(facts).toContain('Validation accuracy100.0%');
    expect(facts).toContain('Validation photos refused1.0%');
    expect(facts).toContain('9.5 ms / 11.7 ms');
    expect(facts).toContain('Refuses below99% confidence');
    expect(facts).not.toContain('float model');
    expect(screen.getByText('The training run did not measure the model on real-world photos.')).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'The int8 model and the float model' })).toBeNull();
    expect(screen.getByText('The training run did not record a refusal curve.')).toBeTruthy();
    expect(document.querySelectorAll('table.per-class tbody tr')).toHaveLength(1);
  });

  it('shows dashes for nulls and for metrics it does not know', async () => {
    answers.model = model({
      quantized: true,
      validation: { accuracy: null, refused: null },
      validation_fp32: { accuracy: null },
      report: { real: { n: 10, top1: null, refused: null, per_kind: { Tomato: { n: 10, top1: null, refused: null } } }, unknown: null },
      refusal: { curve: { report: [{ threshold: 0.5, validation_refused: null, real_refused: null, unknown_refused: null }] } },
      latency: { int8: null, fp32: null },
    });
    render(<ModelCardPage />);
    const facts = text(await screen.findByTestId('model-facts'));
    expect(facts).toContain('Validation accuracy–');
    expect(facts).toContain('Validation photos refused–');
    expect(facts).toContain('Latency per image (p50 / p99)–');
    const real = text(screen.getByTestId('real-facts'));
    expect(real).toContain('Top-1, real photos–');
    expect(real).toContain('Other photos refused–');
    const kinds = within(screen.getByRole('table', { name: 'Real photos, per kind' })).getAllByRole('row').slice(1).map(row);
    expect(kinds).toEqual(['Tomato 10 – –']);
    const rows = within(screen.getByTestId('refusal-curve')).getAllByRole('row').slice(1);
    expect(rows.map(row)).toEqual(['50% – – –']);
    expect(screen.getByText(/is not one of the rows/)).toBeTruthy();
    expect(screen.getByText('The training run did not record a confusion matrix.')).toBeTruthy();
  });
});
