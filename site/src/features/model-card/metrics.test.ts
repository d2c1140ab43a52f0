import { describe, expect, it } from 'vitest';
import { parseMetrics, rowNormalise, thresholdRow } from './metrics';
import { NEW_METRICS } from './metrics.fixture';

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
    expect(m.latency).toEqual({ p50: 4.2, p99: 9.9, what: null, runs: null });
  });

  it('reads an older metrics.json (one latency, refused fraction under refusal)', () => {
    // The shape models/vegnet/train.py wrote before the int8 model.
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
        refusal: { score: 'max_probability', threshold: 0.5, refused_fraction: 0.01, accuracy_on_accepted: 0.99 },
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
    expect(m.latency).toEqual({ p50: 6.1, p99: 8.7, what: 'onnxruntime (Python), 1 thread', runs: 200 });
    expect(m.latencyFp32).toBeNull();
    expect(m.validation).toEqual({ accuracy: 0.98, n: 30, errors: 1, refused: 0.01, ece: 0.01 });
    expect(m.validationFp32).toBeNull();
    expect(m.report).toBeNull();
    expect(m.refusal).toMatchObject({ score: 'max_probability', threshold: 0.5, curve: [], aurocReport: null });
    expect(m.quantized).toBeNull();
    expect(m.sizeBytes).toBe(13573245);
    expect(m.sizeFp32Bytes).toBeNull();
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
    expect(parseMetrics({ loss: 0.1 }, labels)).toEqual({
      accuracy: null,
      perClass: [],
      confusion: null,
      latency: null,
      validation: null,
      validationFp32: null,
      report: null,
      reportFp32: null,
      refusal: null,
      latencyFp32: null,
      quantized: null,
      sizeBytes: null,
      sizeFp32Bytes: null,
    });
  });

  it('reads the int8 model\'s metrics.json: both models, held-out photos, the refusal curve', () => {
    const m = parseMetrics(NEW_METRICS, labels);
    expect(m.quantized).toBe(true);
    expect(m.accuracy).toBe(0.9);
    expect(m.validation).toEqual({ accuracy: 0.9, n: 30, errors: 3, refused: 0.0333, ece: 0.04 });
    expect(m.validationFp32).toEqual({ accuracy: 0.9667, n: 30, errors: 1, refused: 0, ece: 0.03 });
    expect(m.perClass.map((c) => c.kind)).toEqual(labels);
    expect(m.confusion?.[2]).toEqual([1, 0, 9]);
    // Label order, whatever the order written.
    expect(m.report?.real).toEqual({
      n: 12,
      top1: 0.9167,
      acceptedTop1: 1,
      refused: 0.0833,
      perKind: [
        { kind: 'Carrot', n: 5, top1: 1, refused: 0 },
        { kind: 'Tomato', n: 7, top1: 0.8571, refused: 0.1429 },
      ],
    });
    expect(m.report?.unknown).toEqual({
      n: 9,
      refused: 0.7778,
      perLabel: [
        { label: 'banana', refused: 0 },
        { label: 'dog_cat', refused: 1 },
      ],
    });
    expect(m.reportFp32?.real?.top1).toBe(1);
    expect(m.refusal).toMatchObject({
      score: 'min(max_probability, mahalanobis)',
      threshold: 0.26237,
      chosenOn: 'validation and the select part',
      aurocReport: 0.958,
      aurocSelect: 0.944,
    });
    // The report part's curve, sorted by threshold, the pointless row dropped.
    expect(m.refusal?.curve.map((p) => p.threshold)).toEqual([0.05, 0.2624, 0.5]);
    expect(m.refusal?.curve[1]).toEqual({ threshold: 0.2624, validationRefused: 0.0333, realRefused: 0.0833, unknownRefused: 0.7778 });
    expect(m.latency).toEqual({ p50: 29.2, p99: 32.1, what: 'onnxruntime, 1 thread', runs: 50 });
    expect(m.latencyFp32).toEqual({ p50: 26, p99: 27.6, what: 'onnxruntime, 1 thread', runs: 50 });
    expect(m.sizeBytes).toBe(5198385);
    expect(m.sizeFp32Bytes).toBe(14914117);
  });

  it('takes nulls and missing parts as unknown', () => {
    const m = parseMetrics(
      {
        quantized: true,
        validation: { accuracy: null, n: 30, refused: null, per_class: {} },
        report: { real: { n: 0 }, unknown: { n: 4, refused: null, per_label: { kiwi: null } } },
        refusal: { threshold: null, auroc: { report: null }, curve: { report: [{ threshold: 0.1, real_refused: null }, 'x'] } },
        latency: { int8: { p50_ms: null, p99_ms: null }, fp32: { p50_ms: 3, p99_ms: null } },
        onnx_size_bytes: null,
      },
      labels,
    );
    expect(m.accuracy).toBeNull();
    expect(m.validation).toEqual({ accuracy: null, n: 30, errors: null, refused: null, ece: null });
    expect(m.perClass).toEqual([]);
    expect(m.report?.real).toEqual({ n: 0, top1: null, acceptedTop1: null, refused: null, perKind: [] });
    expect(m.report?.unknown?.perLabel).toEqual([{ label: 'kiwi', refused: null }]);
    expect(m.refusal?.curve).toEqual([{ threshold: 0.1, validationRefused: null, realRefused: null, unknownRefused: null }]);
    expect(m.latency).toBeNull();
    expect(m.latencyFp32).toEqual({ p50: 3, p99: null, what: null, runs: null });
    expect(m.sizeBytes).toBeNull();
  });

  it('finds the model\'s threshold among the curve\'s rows', () => {
    const curve = [0.05, 0.25, 0.2624, 0.3].map((threshold) => ({ threshold, validationRefused: null, realRefused: null, unknownRefused: null }));
    expect(thresholdRow(curve, 0.26237)).toBe(2);
    expect(thresholdRow(curve, 0.3)).toBe(3);
    expect(thresholdRow(curve, 0.27)).toBe(-1);
    expect(thresholdRow(curve, null)).toBe(-1);
    expect(thresholdRow([], 0.5)).toBe(-1);
  });

  it('row-normalises a confusion matrix', () => {
    expect(rowNormalise([[3, 1], [0, 0]])).toEqual([[0.75, 0.25], [0, 0]]);
  });
});
