import { describe, expect, it } from 'vitest';
import { parseMetrics, rowNormalise } from './metrics';

const labels = ['Bean', 'Carrot', 'Tomato'];

describe('parseMetrics', () => {
  it('reads per-class objects, a confusion matrix and latency', () => {
    const m = parseMetrics(
      {
        accuracy: 0.97,
        per_class: { Bean: { precision: 0.9, recall: 1, support: 10 }, Carrot: { precision: 1, recall: 0.8, support: 10 }, Tomato: { precision: 1, recall: 1, support: 10 } },
        confusion_matrix: [[10, 0, 0], [2, 8, 0], [0, 0, 10]],
        latency_ms: { p50: 4.2, p99: 9.9 },
      },
      labels,
    );
    expect(m.accuracy).toBe(0.97);
    expect(m.perClass.map((c) => [c.kind, c.precision, c.recall, c.support])).toEqual([
      ['Bean', 0.9, 1, 10],
      ['Carrot', 1, 0.8, 10],
      ['Tomato', 1, 1, 10],
    ]);
    expect(m.confusion?.[1]).toEqual([2, 8, 0]);
    expect(m.latency).toEqual({ p50: 4.2, p99: 9.9, what: null });
  });

  it('reads the training code\'s metrics.json', () => {
    // The shape models/vegnet/train.py writes.
    const m = parseMetrics(
      {
        model_version: '356c587946b0',
        architecture: 'efficientnet-lite0',
        labels,
        validation: {
          accuracy: 0.98,
          n: 30,
          errors: 1,
          per_class: {
            Bean: { precision: 1, recall: 0.9, f1: 0.95, support: 10 },
            Carrot: { precision: 0.91, recall: 1, f1: 0.95, support: 10 },
            Tomato: { precision: 1, recall: 1, f1: 1, support: 10 },
          },
          confusion_matrix: [[9, 1, 0], [0, 10, 0], [0, 0, 10]],
          ece_15_bins: 0.01,
        },
        refusal: { score: 'max_probability', threshold: 0.5, accuracy_on_accepted: 0.99 },
        latency: { what: 'onnxruntime (Python), 1 thread', runs: 200, p50_ms: 6.1, p99_ms: 8.7 },
        onnx_size_bytes: 13573245,
      },
      labels,
    );
    expect(m.accuracy).toBe(0.98);
    expect(m.perClass.map((c) => [c.kind, c.recall, c.support])).toEqual([
      ['Bean', 0.9, 10],
      ['Carrot', 1, 10],
      ['Tomato', 1, 10],
    ]);
    expect(m.confusion?.[0]).toEqual([9, 1, 0]);
    expect(m.latency).toEqual({ p50: 6.1, p99: 8.7, what: 'onnxruntime (Python), 1 thread' });
  });

  it('reads nested and list shapes', () => {
    const m = parseMetrics(
      {
        validation: { accuracy: 91.5, confusion: { labels, matrix: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] } },
        classes: [
          { class: 'Bean', precision: 0.5, recall: 0.6 },
          { class: 'Carrot', precision: 0.7, recall: 0.8 },
        ],
      },
      labels,
    );
    expect(m.accuracy).toBeCloseTo(0.915);
    expect(m.perClass.map((c) => c.kind)).toEqual(['Bean', 'Carrot']);
    expect(m.confusion).toHaveLength(3);
    expect(m.latency).toBeNull();
  });

  it('is empty, not broken, for metrics it does not know', () => {
    expect(parseMetrics({ loss: 0.1 }, labels)).toEqual({ accuracy: null, perClass: [], confusion: null, latency: null });
  });

  it('row-normalises a confusion matrix', () => {
    expect(rowNormalise([[3, 1], [0, 0]])).toEqual([[0.75, 0.25], [0, 0]]);
  });
});
