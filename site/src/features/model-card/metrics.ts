// Reads the training run's metrics (GET /api/model -> metrics, free-form JSON
// written by the model code) into the few numbers the model card shows.

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
}

export interface CardMetrics {
  accuracy: number | null;
  perClass: ClassMetrics[];
  confusion: number[][] | null;
  latency: Latency | null;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
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

function parsePerClass(m: Obj, labels: string[]): ClassMetrics[] {
  const pc = find(m, ['per_class', 'perClass', 'classes', 'class_metrics', 'per_class_metrics']);
  const row = (kind: string, v: unknown): ClassMetrics => {
    const o = isObj(v) ? v : {};
    return {
      kind,
      precision: num(o.precision),
      recall: num(o.recall),
      support: num(o.support ?? o.count ?? o.n),
    };
  };
  if (isObj(pc)) {
    return labels.filter((l) => l in pc).map((l) => row(l, pc[l])).concat(
      Object.keys(pc).filter((k) => !labels.includes(k)).map((k) => row(k, pc[k])),
    );
  }
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

function parseLatency(m: Obj): Latency | null {
  const v = find(m, ['latency_ms', 'latency', 'inference_latency_ms', 'cpu_latency_ms']);
  if (isObj(v)) {
    const p50 = num(v.p50 ?? v.p50_ms ?? v.median ?? v.median_ms);
    const p99 = num(v.p99 ?? v.p99_ms);
    if (p50 !== null || p99 !== null) return { p50, p99, what: typeof v.what === 'string' ? v.what : null };
  }
  const p50 = num(find(m, ['latency_p50_ms', 'p50_ms']));
  const p99 = num(find(m, ['latency_p99_ms', 'p99_ms']));
  return p50 !== null || p99 !== null ? { p50, p99, what: null } : null;
}

export function parseMetrics(metrics: Obj, labels: string[]): CardMetrics {
  let accuracy = num(find(metrics, ['val_accuracy', 'validation_accuracy', 'accuracy', 'top1', 'top1_accuracy']));
  if (accuracy !== null && accuracy > 1) accuracy /= 100; // written as a percentage
  const cm = find(metrics, ['confusion_matrix', 'confusion', 'confusionMatrix']);
  const confusion = isMatrix(cm) ? cm : isObj(cm) && isMatrix(cm.matrix) ? cm.matrix : null;
  return { accuracy, perClass: parsePerClass(metrics, labels), confusion, latency: parseLatency(metrics) };
}

/** Each row of a confusion matrix as fractions of the row's total (recall per true class). */
export function rowNormalise(m: number[][]): number[][] {
  return m.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total > 0 ? v / total : 0));
  });
}
