import { api, unwrap } from '../../lib/api/client';
import { bytes, labelOf, ms, percent, percent1 } from '../../lib/format';
import { useApi } from '../../lib/useApi';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ConfusionMatrix } from './ConfusionMatrix';
import { parseMetrics } from './metrics';
import { SpeedChart } from './SpeedChart';

function pct(v: number | null): string {
  return v === null ? '–' : percent1(v);
}

export function ModelCardPage() {
  const model = useApi('model', (signal) => unwrap(api.GET('/api/model', { signal })));
  const stats = useApi('stats', (signal) => unwrap(api.GET('/api/stats', { signal })));
  const m = model.data;
  const card = m ? parseMetrics(m.metrics, m.labels) : null;
  const s = stats.data;

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
            </div>
            <div>
              <dt>Model size</dt>
              <dd>{bytes(m.sizeBytes)}</dd>
            </div>
            <div>
              <dt>Latency per image (p50 / p99)</dt>
              <dd>{card.latency ? `${ms(card.latency.p50)} / ${ms(card.latency.p99)}` : '–'}</dd>
            </div>
            <div>
              <dt>Refuses below</dt>
              <dd>{percent(m.threshold)} confidence</dd>
            </div>
          </dl>
          <p className="muted small">
            {m.name} {m.version} · {m.architecture} · {m.labels.length} kinds
            {card.latency?.what ? ` · latency: ${card.latency.what}` : ''}
          </p>

          <section aria-labelledby="per-class-title">
            <h2 id="per-class-title">Per kind</h2>
            {card.perClass.length === 0 ? (
              <p className="muted">The training run did not record per-kind numbers.</p>
            ) : (
              <div className="table-scroll">
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
                        {card.perClass.some((x) => x.support !== null) && <td>{c.support ?? '–'}</td>}
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
            <dl className="facts">
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
                  {s.pending} waiting · {s.rejected} unreadable · {s.refused} not one of the 15
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
