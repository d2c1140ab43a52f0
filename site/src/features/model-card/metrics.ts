// Reads the training run's metrics (GET /api/model -> metrics: the model's
// metrics.json as written by the model code, free-form JSON) into the numbers
// the model card shows. Nothing here trusts the shape: every value is checked
// at run time, and whatever is missing or null comes back as null (or an empty
// list), so an older metrics.json, or one with nothing measured, still renders.
//
// The shape the model code writes (models/vegnet/train.py), all parts optional here:
//   validation / validation_fp32   the dataset's validation photos, shipped int8 model / float model:
//                                  {accuracy, n, errors, per_class, confusion_matrix, ece_15_bins, refused}
//   report / report_fp32           extra photos held out from every choice:
//                                  {real: {n, refused, top1, accepted_top1, per_kind: {Kind: {n, top1, refused}}},
//                                   unknown: {n, refused, per_label: {label: refused fraction}}}
//   select / select_fp32           the same for the photos the refusal threshold was chosen on
//   refusal                        {score, threshold, rule, familiarity?, chosen_on, auroc: {select, report},
//                                   validation_refused, curve: {select: [...], report: [CurvePoint...]}}
//   latency                        {int8: {what, runs, p50_ms, p99_ms}, fp32: {...}}
//   quantized, onnx_size_bytes (the shipped file), onnx_fp32_size_bytes
// Older runs wrote latency as one {what, runs, p50_ms, p99_ms} and refusal.refused_fraction
// (the validation photos refused); both are still read.

export interface ClassMetrics {
  kind: string;
  precision: number | null;
  recall: number | null;
  support: number | null;
}

export interface Latency {
  p50: number | null;
  p99: number | null;
  /** How it was measured, when the metrics say. */
  what: string | null;
  /** How many timed runs the percentiles come from. */
  runs: number | null;
}

/** One model's numbers on the validation photos. */
export interface Validation {
  /** Top-1 accuracy, 0..1. */
  accuracy: number | null;
  n: number | null;
  errors: number | null;
  /** Fraction of the validation photos refused at the model's threshold. */
  refused: number | null;
  ece: number | null;
}

export interface KindResult {
  kind: string;
  n: number | null;
  top1: number | null;
  refused: number | null;
}

/** Photos of the model's kinds taken outside the dataset. */
export interface RealPhotos {
  n: number | null;
  /** Top-1 over all of them, refused or not. */
  top1: number | null;
  /** Top-1 over those the model did not refuse. */
  acceptedTop1: number | null;
  refused: number | null;
  /** In the model's label order, then any others. */
  perKind: KindResult[];
}

/** Photos of none of the kinds (other fruit and vegetables, objects, scenes). */
export interface UnknownPhotos {
  n: number | null;
  refused: number | null;
  /** Refused fraction per kind of photo, in the order written. */
  perLabel: { label: string; refused: number | null }[];
}

/** A group of extra photos (the held-out "report" part, or the "select" part). */
export interface ExtraPart {
  real: RealPhotos | null;
  unknown: UnknownPhotos | null;
}

export interface CurvePoint {
  threshold: number;
  validationRefused: number | null;
  realRefused: number | null;
  unknownRefused: number | null;
}

export interface Refusal {
  /** What the score is: "max_probability", "min(max_probability, mahalanobis)", ... */
  score: string | null;
  threshold: number | null;
  rule: string | null;
  chosenOn: string | null;
  /** AUROC of telling real photos (high score) from unknown ones (low score). */
  aurocReport: number | null;
  aurocSelect: number | null;
  /** The refusal curve on the report part, by threshold, lowest first. */
  curve: CurvePoint[];
  /**
   * The rule's second half, when the model has one: refused when the photo's cosine similarity
   * to its k-th most similar of `count` reference photos is below `threshold`.
   */
  familiarity: { threshold: number; k: number; count: number } | null;
}

export interface CardMetrics {
  /** Validation top-1 of the shipped model. */
  accuracy: number | null;
  perClass: ClassMetrics[];
  confusion: number[][] | null;
  /** Latency of the shipped model. */
  latency: Latency | null;
  /** The shipped model (int8 when quantized) on the validation photos. */
  validation: Validation | null;
  /** The float model it was made from; null when not measured. */
  validationFp32: Validation | null;
  /** Held-out photos, never used for any choice: shipped model and float model. */
  report: ExtraPart | null;
  reportFp32: ExtraPart | null;
  refusal: Refusal | null;
  latencyFp32: Latency | null;
  /** True: int8 weights and activations; null when the metrics do not say. */
  quantized: boolean | null;
  /** ONNX file sizes in bytes: the shipped one, and the float one. */
  sizeBytes: number | null;
  sizeFp32Bytes: number | null;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function obj(v: unknown): Obj | null {
  return isObj(v) ? v : null;
}

/** The first of `keys` found in obj or one level down (e.g. metrics.validation.accuracy). */
function find(obj: Obj, keys: string[]): unknown {
  for (const k of keys) if (k in obj) return obj[k];
  for (const v of Object.values(obj)) {
    if (isObj(v)) for (const k of keys) if (k in v) return v[k];
  }
  return undefined;
}

function isMatrix(v: unknown): v is number[][] {
  return Array.isArray(v) && v.length > 0 && v.every((r) => Array.isArray(r) && r.every((x) => typeof x === 'number'));
}

/** The keys of o in the model's label order, then any others in the order written. */
function inLabelOrder(o: Obj, labels: string[]): string[] {
  return labels.filter((l) => l in o).concat(Object.keys(o).filter((k) => !labels.includes(k)));
}

function parsePerClass(m: Obj, labels: string[]): ClassMetrics[] {
  const v = obj(m.validation);
  const pc = v && 'per_class' in v ? v.per_class : find(m, ['per_class', 'perClass', 'classes', 'class_metrics', 'per_class_metrics']);
  const row = (kind: string, v: unknown): ClassMetrics => {
    const o = isObj(v) ? v : {};
    return {
      kind,
      precision: num(o.precision),
      recall: num(o.recall),
      support: num(o.support ?? o.count ?? o.n),
    };
  };
  if (isObj(pc)) return inLabelOrder(pc, labels).map((k) => row(k, pc[k]));
  if (Array.isArray(pc)) {
    return pc.filter(isObj).map((o, i) => {
      const name = o.kind ?? o.class ?? o.label ?? o.name ?? labels[i];
      return row(typeof name === 'string' ? name : String(i), o);
    });
  }
  // Parallel arrays: precision[i], recall[i] in label order.
  const p = find(m, ['precision']);
  const r = find(m, ['recall']);
  if (Array.isArray(p) && Array.isArray(r)) {
    return labels.map((l, i) => ({ kind: l, precision: num(p[i]), recall: num(r[i]), support: null }));
  }
  return [];
}

function latencyOf(v: unknown): Latency | null {
  if (!isObj(v)) return null;
  const p50 = num(v.p50 ?? v.p50_ms ?? v.median ?? v.median_ms);
  const p99 = num(v.p99 ?? v.p99_ms);
  if (p50 === null && p99 === null) return null;
  return { p50, p99, what: str(v.what), runs: num(v.runs) };
}

/** The shipped model's latency and the float model's (only in metrics that time both). */
function parseLatency(m: Obj): { shipped: Latency | null; fp32: Latency | null } {
  const v = find(m, ['latency_ms', 'latency', 'inference_latency_ms', 'cpu_latency_ms']);
  if (isObj(v) && (isObj(v.int8) || isObj(v.fp32))) {
    // Per model. A model that is not quantized ships the float one.
    const shipped = m.quantized === false ? latencyOf(v.fp32) : latencyOf(v.int8);
    return { shipped, fp32: m.quantized === false ? null : latencyOf(v.fp32) };
  }
  const one = latencyOf(v);
  if (one) return { shipped: one, fp32: null };
  const p50 = num(find(m, ['latency_p50_ms', 'p50_ms']));
  const p99 = num(find(m, ['latency_p99_ms', 'p99_ms']));
  return { shipped: p50 !== null || p99 !== null ? { p50, p99, what: null, runs: null } : null, fp32: null };
}

/** A fraction written as a percentage (91.5) back to 0..1. */
function fraction(v: number | null): number | null {
  return v !== null && v > 1 ? v / 100 : v;
}

function parseValidation(v: unknown, refusedElsewhere: number | null): Validation | null {
  if (!isObj(v)) return null;
  const out: Validation = {
    accuracy: fraction(num(v.accuracy ?? v.top1)),
    n: num(v.n),
    errors: num(v.errors),
    refused: num(v.refused) ?? refusedElsewhere,
    ece: num(v.ece_15_bins ?? v.ece),
  };
  return Object.values(out).some((x) => x !== null) ? out : null;
}

function parseReal(v: unknown, labels: string[]): RealPhotos | null {
  if (!isObj(v)) return null;
  const pk = obj(v.per_kind);
  const perKind = pk
    ? inLabelOrder(pk, labels).map((kind) => {
        const o = obj(pk[kind]) ?? {};
        return { kind, n: num(o.n), top1: num(o.top1), refused: num(o.refused) };
      })
    : [];
  return { n: num(v.n), top1: num(v.top1), acceptedTop1: num(v.accepted_top1), refused: num(v.refused), perKind };
}

function parseUnknown(v: unknown): UnknownPhotos | null {
  if (!isObj(v)) return null;
  const pl = obj(v.per_label);
  const perLabel = pl ? Object.keys(pl).map((label) => ({ label, refused: num(pl[label]) })) : [];
  return { n: num(v.n), refused: num(v.refused), perLabel };
}

function parsePart(v: unknown, labels: string[]): ExtraPart | null {
  if (!isObj(v)) return null;
  const real = parseReal(v.real, labels);
  const unknown = parseUnknown(v.unknown);
  return real || unknown ? { real, unknown } : null;
}

function parseCurve(v: unknown): CurvePoint[] {
  if (!Array.isArray(v)) return [];
  return v
    .filter(isObj)
    .map((p) => ({
      threshold: num(p.threshold),
      validationRefused: num(p.validation_refused),
      realRefused: num(p.real_refused),
      unknownRefused: num(p.unknown_refused),
    }))
    .filter((p): p is CurvePoint => p.threshold !== null)
    .sort((a, b) => a.threshold - b.threshold);
}

function parseRefusal(v: unknown): Refusal | null {
  if (!isObj(v)) return null;
  const auroc = obj(v.auroc) ?? {};
  const curve = obj(v.curve);
  return {
    score: str(v.score),
    threshold: num(v.threshold),
    rule: str(v.rule),
    chosenOn: str(v.chosen_on),
    aurocReport: num(auroc.report),
    aurocSelect: num(auroc.select),
    curve: curve ? parseCurve(curve.report) : [],
    familiarity: parseFamiliarity(v.familiarity),
  };
}

function parseFamiliarity(v: unknown): Refusal['familiarity'] {
  const f = obj(v);
  const threshold = f ? num(f.threshold) : null;
  const k = f ? num(f.k) : null;
  const count = f ? num(f.count) : null;
  return threshold !== null && k !== null && count !== null ? { threshold, k, count } : null;
}

export function parseMetrics(metrics: Obj, labels: string[]): CardMetrics {
  const validationObj = obj(metrics.validation);
  let accuracy = num(
    validationObj && 'accuracy' in validationObj
      ? validationObj.accuracy
      : find(metrics, ['val_accuracy', 'validation_accuracy', 'accuracy', 'top1', 'top1_accuracy']),
  );
  accuracy = fraction(accuracy); // sometimes written as a percentage
  const cm = validationObj && 'confusion_matrix' in validationObj
    ? validationObj.confusion_matrix
    : find(metrics, ['confusion_matrix', 'confusion', 'confusionMatrix']);
  const confusion = isMatrix(cm) ? cm : isObj(cm) && isMatrix(cm.matrix) ? cm.matrix : null;
  const refusalObj = obj(metrics.refusal);
  // Older metrics kept the validation photos' refused fraction under refusal.
  const valRefused = refusalObj ? num(refusalObj.validation_refused ?? refusalObj.refused_fraction) : null;
  const latency = parseLatency(metrics);
  const quantized = typeof metrics.quantized === 'boolean' ? metrics.quantized : null;
  return {
    accuracy,
    perClass: parsePerClass(metrics, labels),
    confusion,
    latency: latency.shipped,
    validation: parseValidation(validationObj, valRefused),
    validationFp32: parseValidation(metrics.validation_fp32, null),
    report: parsePart(metrics.report, labels),
    reportFp32: parsePart(metrics.report_fp32, labels),
    refusal: parseRefusal(refusalObj),
    latencyFp32: latency.fp32,
    quantized,
    sizeBytes: num(metrics.onnx_size_bytes),
    sizeFp32Bytes: num(metrics.onnx_fp32_size_bytes),
  };
}

/**
 * The curve row of the model's threshold: the closest one, when it is within `tolerance`
 * (the curve writes the chosen threshold rounded to 4 decimals); -1 when there is none.
 */
export function thresholdRow(curve: CurvePoint[], threshold: number | null, tolerance = 5e-4): number {
  if (threshold === null) return -1;
  let best = -1;
  for (let i = 0; i < curve.length; i++) {
    const d = Math.abs(curve[i]!.threshold - threshold);
    if (d <= tolerance && (best < 0 || d < Math.abs(curve[best]!.threshold - threshold))) best = i;
  }
  return best;
}

/** Each row of a confusion matrix as fractions of the row's total (recall per true class). */
export function rowNormalise(m: number[][]): number[][] {
  return m.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total > 0 ? v / total : 0));
  });
}
