// Test data: a small metrics.json of the shape the model code writes (models/vegnet/train.py).

export const labels = ['Bean', 'Carrot', 'Tomato'];

/** An int8 model's metrics: both models on validation, held-out photos, the refusal curve. */
export const NEW_METRICS = {
  model_version: '28f0d26378a8',
  architecture: 'efficientnet-lite0',
  labels,
  quantized: true,
  validation: {
    accuracy: 0.9,
    n: 30,
    errors: 3,
    per_class: {
      Bean: { precision: 0.9, recall: 0.9, f1: 0.9, support: 10 },
      Carrot: { precision: 1, recall: 0.9, f1: 0.95, support: 10 },
      Tomato: { precision: 0.82, recall: 0.9, f1: 0.86, support: 10 },
    },
    confusion_matrix: [[9, 0, 1], [0, 9, 1], [1, 0, 9]],
    ece_15_bins: 0.04,
    refused: 0.0333,
  },
  validation_fp32: { accuracy: 0.9667, n: 30, errors: 1, per_class: {}, confusion_matrix: [], ece_15_bins: 0.03, refused: 0 },
  select: { real: { n: 4, refused: 0, top1: 1, accepted_top1: 1, per_kind: {} }, unknown: { n: 3, refused: 1, per_label: {} } },
  report: {
    real: {
      n: 12,
      refused: 0.0833,
      top1: 0.9167,
      accepted_top1: 1,
      per_kind: { Tomato: { n: 7, top1: 0.8571, refused: 0.1429 }, Carrot: { n: 5, top1: 1, refused: 0 } },
    },
    unknown: { n: 9, refused: 0.7778, per_label: { banana: 0, dog_cat: 1 } },
  },
  report_fp32: {
    real: { n: 12, refused: 0, top1: 1, accepted_top1: 1, per_kind: {} },
    unknown: { n: 9, refused: 0.6667, per_label: {} },
  },
  refusal: {
    score: 'min(max_probability, mahalanobis)',
    threshold: 0.26237,
    rule: 'refused when score < threshold',
    chosen_on: 'validation and the select part',
    candidates_select_auroc: { max_probability: 0.95 },
    auroc: { select: 0.944, report: 0.958 },
    validation_refused: 0.0333,
    curve: {
      select: [{ threshold: 0.5, validation_refused: 0.1, real_refused: 0.25, unknown_refused: 1 }],
      report: [
        { threshold: 0.5, validation_refused: 0.1, real_refused: 0.1667, unknown_refused: 0.8889 },
        { threshold: 0.05, validation_refused: 0, real_refused: 0, unknown_refused: 0.4444 },
        { threshold: 0.2624, validation_refused: 0.0333, real_refused: 0.0833, unknown_refused: 0.7778 },
        { validation_refused: 0.5 },
      ],
    },
    mahalanobis: { components: 256, d0: 433.2, tau: 63.9 },
    familiarity: { file: 'references.f32', count: 452, dim: 1280, k: 5, threshold: 0.4599 },
  },
  latency: {
    int8: { what: 'onnxruntime, 1 thread', runs: 50, p50_ms: 29.2, p99_ms: 32.1 },
    fp32: { what: 'onnxruntime, 1 thread', runs: 50, p50_ms: 26, p99_ms: 27.6 },
  },
  embedding_dim: 1280,
  activation_map_size: 7,
  onnx_size_bytes: 5198385,
  onnx_fp32_size_bytes: 14914117,
};
