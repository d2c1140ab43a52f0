import { api, unwrap } from '../../lib/api/client';
import { bytes, labelOf, ms, percent1 } from '../../lib/format';
import { useApi } from '../../lib/useApi';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ConfusionMatrix } from './ConfusionMatrix';
import type { Stats } from '../../lib/api/types';
import { parseMetrics, thresholdRow, type CardMetrics, type ExtraPart, type Latency } from './metrics';
import { SpeedChart } from './SpeedChart';

/** What the page shows for a number the metrics do not have. */
const NONE = '–';

function pct(v: number | null | undefined): string {
  return v === null || v === undefined ? NONE : percent1(v);
}

function count(v: number | null | undefined): string {
  return v === null || v === undefined ? NONE : String(v);
}

/** A refusal threshold (a score in 0..1) as a percentage: 0.05 -> "5%", 0.26237 -> "26.2%". */
function threshold(t: number | null | undefined): string {
  if (t === null || t === undefined) return NONE;
  const tenths = Math.round(t * 1000);
  return tenths % 10 === 0 ? `${tenths / 10}%` : `${(tenths / 10).toFixed(1)}%`;
}

function latencyText(l: Latency | null): string {
  return l ? `${ms(l.p50)} / ${ms(l.p99)}` : NONE;
}

/** The refusal score in words. */
function scoreWords(score: string | null): string | null {
  if (score === 'max_probability') return 'the probability of its top kind';
  if (score === 'min(max_probability, mahalanobis)') {
    return 'the lower of two numbers: the probability of its top kind, and how close the photo’s features are to the training photos of the nearest kind';
  }
  return score;
}

/** "a · b · c" from the parts that are there. */
function joined(parts: (string | null | false | undefined)[]): string {
  return parts.filter(Boolean).join(' · ');
}

export function ModelCardPage() {
  const model = useApi('model', (signal) => unwrap(api.GET('/api/model', { signal })));
  const stats = useApi('stats', (signal) => unwrap(api.GET('/api/stats', { signal })));
  const m = model.data;
  const card = m ? parseMetrics(m.metrics, m.labels) : null;
  const s = stats.data;
  const kinds = m?.labels.length ?? 15;

  return (
    <div className="model-page">
      <h1>Model card</h1>
      {model.error !== undefined && <ErrorNotice error={model.error} />}
      {model.loading && !m && <p aria-live="polite">Loading the model’s numbers…</p>}
      {m && card && (
        <>
          <dl className="facts" data-testid="model-facts">
            <div>
              <dt>Validation accuracy</dt>
              <dd>{pct(card.accuracy)}</dd>
              {(card.validation?.n != null || card.validationFp32?.accuracy != null) && (
                <dd className="facts-small">
                  {joined([
                    card.validation?.n != null && `top-1 on ${card.validation.n} photos`,
                    card.validationFp32?.accuracy != null && `float model ${pct(card.validationFp32.accuracy)}`,
                  ])}
                </dd>
              )}
            </div>
            <div>
              <dt>Validation photos refused</dt>
              <dd>{pct(card.validation?.refused)}</dd>
            </div>
            <div>
              <dt>Model size</dt>
              <dd>{bytes(m.sizeBytes)}</dd>
              {card.sizeFp32Bytes !== null && card.quantized !== false && (
                <dd className="facts-small">float model {bytes(card.sizeFp32Bytes)}</dd>
              )}
            </div>
            <div>
              <dt>Latency per image (p50 / p99)</dt>
              <dd>{latencyText(card.latency)}</dd>
              {card.latencyFp32 && <dd className="facts-small">float model {latencyText(card.latencyFp32)}</dd>}
            </div>
            <div>
              <dt>Refuses below</dt>
              <dd>
                {threshold(m.threshold)} {card.refusal?.score && card.refusal.score !== 'max_probability' ? 'score' : 'confidence'}
              </dd>
              {card.refusal?.familiarity && (
                <dd className="facts-small">
                  or when it looks like none of {card.refusal.familiarity.count} reference photos (similarity to the{' '}
                  {ordinal(card.refusal.familiarity.k)} closest below {card.refusal.familiarity.threshold.toFixed(2)})
                </dd>
              )}
            </div>
          </dl>
          <p className="muted small">
            {joined([
              `${m.name} ${m.version}`,
              m.architecture,
              `${kinds} kinds`,
              card.quantized === true && 'int8 (quantised)',
              card.latency?.what && `latency: ${card.latency.what}${card.latency.runs !== null ? `, ${card.latency.runs} runs` : ''}`,
            ])}
          </p>

          <RealWorld report={card.report} kinds={kinds} />
          <Agreement agreement={s?.agreement} />
          <Compare card={card} sizeBytes={m.sizeBytes} />
          <RefusalCurve card={card} threshold={card.refusal?.threshold ?? m.threshold} kinds={kinds} />

          <section aria-labelledby="per-class-title">
            <h2 id="per-class-title">Per kind, validation photos</h2>
            {card.perClass.length === 0 ? (
              <p className="muted">The training run did not record per-kind numbers.</p>
            ) : (
              <div className="table-scroll" tabIndex={0} role="region" aria-label="Validation, per kind">
                <table className="per-class">
                  <thead>
                    <tr>
                      <th scope="col">Kind</th>
                      <th scope="col">Precision</th>
                      <th scope="col">Recall</th>
                      {card.perClass.some((c) => c.support !== null) && <th scope="col">Photos</th>}
                    </tr>
                  </thead>
                  <tbody>
                    {card.perClass.map((c) => (
                      <tr key={c.kind}>
                        <th scope="row">{labelOf(c.kind)}</th>
                        <td>
                          <span className="meter" style={{ ['--v' as string]: c.precision ?? 0 }}>{pct(c.precision)}</span>
                        </td>
                        <td>
                          <span className="meter" style={{ ['--v' as string]: c.recall ?? 0 }}>{pct(c.recall)}</span>
                        </td>
                        {card.perClass.some((x) => x.support !== null) && <td>{count(c.support)}</td>}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>

          <section aria-labelledby="confusion-title">
            <h2 id="confusion-title">Where it gets confused</h2>
            {card.confusion ? (
              <ConfusionMatrix matrix={card.confusion} labels={m.labels} />
            ) : (
              <p className="muted">The training run did not record a confusion matrix.</p>
            )}
          </section>
        </>
      )}

      <section aria-labelledby="speed-title">
        <h2 id="speed-title">Labelling speed</h2>
        {stats.error !== undefined && <ErrorNotice error={stats.error} />}
        {s && (
          <>
            <dl className="facts" data-testid="speed-facts">
              <div>
                <dt>Median</dt>
                <dd>{ms(s.speed.p50_ms)}</dd>
              </div>
              <div>
                <dt>90th percentile</dt>
                <dd>{ms(s.speed.p90_ms)}</dd>
              </div>
              <div>
                <dt>99th percentile</dt>
                <dd>{ms(s.speed.p99_ms)}</dd>
              </div>
              <div>
                <dt>Photos labelled</dt>
                <dd>{s.done}</dd>
                <dd className="facts-small">
                  {s.pending} waiting · {s.rejected} unreadable · {s.refused} not one of the {kinds}
                </dd>
              </div>
            </dl>
            {s.speed.samples > 0 && <p className="muted small">Over the {s.speed.samples} most recently labelled photos.</p>}
            <SpeedChart series={s.series} />
          </>
        )}
      </section>
    </div>
  );
}

/** The held-out photos: real photos of the kinds, and photos of other things. */
function RealWorld({ report, kinds }: { report: ExtraPart | null; kinds: number }) {
  const real = report?.real ?? null;
  const unknown = report?.unknown ?? null;
  // Those the model lets through most often first.
  const perLabel = [...(unknown?.perLabel ?? [])].sort(
    (a, b) => (a.refused ?? 2) - (b.refused ?? 2) || a.label.localeCompare(b.label),
  );
  return (
    <section aria-labelledby="real-title">
      <h2 id="real-title">Real-world photos</h2>
      {!real && !unknown ? (
        <p className="muted">The training run did not measure the model on real-world photos.</p>
      ) : (
        <>
          <p>
            {real?.n != null &&
              `${real.n} shop photos of ${real.perKind.length ? `${real.perKind.length} of the ${kinds}` : `the ${kinds}`} kinds taken outside the dataset`}
            {real?.n != null && unknown?.n != null && ', and '}
            {unknown?.n != null && `${unknown.n} photos of other things (other fruit and vegetables, objects, scenes)`}
            {(real?.n != null || unknown?.n != null) && '. '}
            These photos were held out from every choice (training, picking the training round and setting the refusal
            threshold). Other frames of the same shop visits were trained on, so the real-photo figures are likely
            better than on photos from elsewhere. There are few of them per kind: one photo more or less moves a row by
            several percent.
          </p>
          <dl className="facts" data-testid="real-facts">
            <div>
              <dt>Top-1, real photos</dt>
              <dd>{pct(real?.top1)}</dd>
              <dd className="facts-small">refused ones included</dd>
            </div>
            <div>
              <dt>Real photos refused</dt>
              <dd>{pct(real?.refused)}</dd>
            </div>
            <div>
              <dt>Top-1 of those accepted</dt>
              <dd>{pct(real?.acceptedTop1)}</dd>
            </div>
            <div>
              <dt>Other photos refused</dt>
              <dd>{pct(unknown?.refused)}</dd>
              <dd className="facts-small">higher is better</dd>
            </div>
          </dl>
          {real && real.perKind.length > 0 && (
            <div className="table-scroll" tabIndex={0} role="region" aria-label="Real photos, per kind">
              <table className="data-table real-kinds">
                <caption>Real photos, per kind</caption>
                <thead>
                  <tr>
                    <th scope="col">Kind</th>
                    <th scope="col">Photos</th>
                    <th scope="col">Top-1</th>
                    <th scope="col">Refused</th>
                  </tr>
                </thead>
                <tbody>
                  {real.perKind.map((k) => (
                    <tr key={k.kind}>
                      <th scope="row">{labelOf(k.kind)}</th>
                      <td>{count(k.n)}</td>
                      <td>
                        <span className="meter" style={{ ['--v' as string]: k.top1 ?? 0 }}>{pct(k.top1)}</span>
                      </td>
                      <td>{pct(k.refused)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {perLabel.length > 0 && (
            <details className="more">
              <summary>Other photos refused, per kind of photo ({perLabel.length})</summary>
              <div className="table-scroll" tabIndex={0} role="region" aria-label="Other photos refused, per kind of photo">
                <table className="data-table unknown-labels">
                  <caption className="visually-hidden">Other photos refused, per kind of photo, least refused first</caption>
                  <thead>
                    <tr>
                      <th scope="col">Photos of</th>
                      <th scope="col">Refused</th>
                    </tr>
                  </thead>
                  <tbody>
                    {perLabel.map((u) => (
                      <tr key={u.label}>
                        <th scope="row">{labelOf(u.label)}</th>
                        <td>{pct(u.refused)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          )}
        </>
      )}
    </section>
  );
}

/** The shipped int8 model beside the float model it was made from. */
function Compare({ card, sizeBytes }: { card: CardMetrics; sizeBytes: number }) {
  const hasFloat =
    card.validationFp32 !== null || card.reportFp32 !== null || card.latencyFp32 !== null || card.sizeFp32Bytes !== null;
  if (card.quantized === false || !hasFloat) return null;
  const rows: [string, string, string][] = [
    ['Validation top-1', pct(card.validation?.accuracy), pct(card.validationFp32?.accuracy)],
    ['Validation photos refused', pct(card.validation?.refused), pct(card.validationFp32?.refused)],
    ['Real photos top-1', pct(card.report?.real?.top1), pct(card.reportFp32?.real?.top1)],
    ['Real photos refused', pct(card.report?.real?.refused), pct(card.reportFp32?.real?.refused)],
    ['Other photos refused', pct(card.report?.unknown?.refused), pct(card.reportFp32?.unknown?.refused)],
    ['Latency p50', ms(card.latency?.p50), ms(card.latencyFp32?.p50)],
    ['Latency p99', ms(card.latency?.p99), ms(card.latencyFp32?.p99)],
    ['File size', bytes(sizeBytes), card.sizeFp32Bytes !== null ? bytes(card.sizeFp32Bytes) : NONE],
  ];
  return (
    <section aria-labelledby="compare-title">
      <h2 id="compare-title">The int8 model and the float model</h2>
      <p>
        The service runs the int8 (quantised) model. The float model it was made from is measured the same way, with the
        same refusal threshold, to show what quantising costs.
      </p>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="The int8 model beside the float model">
        <table className="data-table compare">
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">Measure</span>
              </th>
              <th scope="col">int8 (runs here)</th>
              <th scope="col">float</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([what, int8, fp32]) => (
              <tr key={what}>
                <th scope="row">{what}</th>
                <td>{int8}</td>
                <td>{fp32}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** How the model decides to refuse, and what other thresholds would have refused. */
function RefusalCurve({ card, threshold: t, kinds }: { card: CardMetrics; threshold: number; kinds: number }) {
  const r = card.refusal;
  const curve = r?.curve ?? [];
  const here = thresholdRow(curve, t);
  const words = scoreWords(r?.score ?? null);
  return (
    <section aria-labelledby="refusal-title">
      <h2 id="refusal-title">When it says “not one of the {kinds}”</h2>
      <p>
        The model refuses to name a kind when its score for a photo is below {threshold(t)}
        {words ? `; the score is ${words}` : ''}
        {r?.familiarity
          ? `, or when the photo looks like none of the ${r.familiarity.count} reference photos it was trained on: the similarity of its features to the ${ordinal(r.familiarity.k)} closest one is below ${r.familiarity.threshold.toFixed(2)}.`
          : '.'}
        {r?.chosenOn && ` ${r.familiarity ? 'Both thresholds were' : 'The threshold was'} chosen on ${r.chosenOn}.`}
        {r?.aurocReport != null &&
          ` On the held-out photos ${r.familiarity ? 'the rule' : 'the score'} tells real photos of the kinds from other things with an AUROC of ${r.aurocReport.toFixed(3)} (1 is perfect, 0.5 is a coin toss).`}
      </p>
      {curve.length === 0 ? (
        <p className="muted">The training run did not record a refusal curve.</p>
      ) : (
        <>
          <div className="table-scroll" tabIndex={0} role="region" aria-label="Refusal curve">
            <table className="data-table curve" data-testid="refusal-curve">
              <caption>
                What each threshold would refuse, on the validation photos and the held-out photos
                {r?.familiarity ? ' (the score’s threshold varied, the familiarity threshold kept)' : ''}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Threshold</th>
                  <th scope="col">Validation refused</th>
                  <th scope="col">Real refused</th>
                  <th scope="col">Other refused</th>
                </tr>
              </thead>
              <tbody>
                {curve.map((p, i) => (
                  <tr key={`${i}-${p.threshold}`} className={i === here ? 'current' : undefined} aria-current={i === here ? 'true' : undefined}>
                    <th scope="row">
                      {threshold(p.threshold)}
                      {i === here && (
                        <>
                          {' '}
                          <span className="badge">this model</span>
                        </>
                      )}
                    </th>
                    <td>{pct(p.validationRefused)}</td>
                    <td>{pct(p.realRefused)}</td>
                    <td>{pct(p.unknownRefused)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted small">
            A higher threshold refuses more of the other photos (good) and more real ones (bad).
            {here < 0 && ` The model’s threshold, ${threshold(t)}, is not one of the rows.`}
          </p>
        </>
      )}
    </section>
  );
}

/** 1st, 2nd, 3rd, 4th ... */
function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/** The real-world accuracy monitor: how often people's own labels say what the model said. */
function Agreement({ agreement: a }: { agreement: Stats['agreement'] | undefined }) {
  return (
    <section aria-labelledby="agreement-title" data-testid="agreement">
      <h2 id="agreement-title">Agreement with people’s own labels</h2>
      {!a ? (
        <p className="muted">Loading…</p>
      ) : a.labels === 0 || a.share === null ? (
        <p>
          Nobody has confirmed or corrected a photo in the last {a.days} days. Every photo’s page asks “Is this right?”; the
          answers are counted here.
        </p>
      ) : (
        <p>
          <strong className="big-number">{percent1(a.share)}</strong> of the {a.labels} labels people gave in the last {a.days}{' '}
          days say what the model said ({a.agree} of {a.labels}: the same kind, or “not one of our vegetables” for a photo it
          refused). This is the model’s accuracy on the photos people really bring, as far as they told us.
        </p>
      )}
    </section>
  );
}
