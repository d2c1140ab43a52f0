import type { SeriesPoint } from '../../lib/api/types';
import { ms } from '../../lib/format';

const W = 640;
const H = 200;
const PAD = { l: 40, r: 56, t: 14, b: 28 };

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function timeLabel(iso: string): string {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/**
 * Labelling speed over the last hour: bars are images labelled per minute,
 * lines are the median and 99th percentile time per image (right-hand scale).
 */
export function SpeedChart({ series }: { series: SeriesPoint[] }) {
  if (series.length === 0) return <p className="muted">No images labelled yet.</p>;
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const maxImages = niceMax(Math.max(...series.map((s) => s.images)));
  const maxMs = niceMax(Math.max(...series.map((s) => s.p99_ms ?? s.p50_ms ?? 0)));
  // One slot per minute, at most 48 units wide, the latest minute on the right.
  const bw = Math.min(iw / series.length, 48);
  const left = PAD.l + iw - series.length * bw;
  const x = (i: number) => left + i * bw + bw / 2;
  const yImg = (v: number) => PAD.t + ih - (v / maxImages) * ih;
  const yMs = (v: number) => PAD.t + ih - (v / maxMs) * ih;
  const line = (key: 'p50_ms' | 'p99_ms') =>
    series
      .map((s, i) => (s[key] === null ? null : `${x(i).toFixed(1)},${yMs(s[key]!).toFixed(1)}`))
      .filter(Boolean)
      .join(' ');
  const ticks = [0, 0.5, 1];
  const every = Math.max(1, Math.ceil(series.length / 6));
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="speed-chart-title" preserveAspectRatio="xMidYMid meet">
        <title id="speed-chart-title">
          Images labelled per minute and time per image over the last {series.length} minutes
        </title>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.l} x2={W - PAD.r} y1={PAD.t + ih * (1 - t)} y2={PAD.t + ih * (1 - t)} className="chart-grid" />
            <text x={PAD.l - 6} y={PAD.t + ih * (1 - t) + 4} textAnchor="end" className="chart-axis">
              {Math.round(maxImages * t)}
            </text>
            <text x={W - PAD.r + 6} y={PAD.t + ih * (1 - t) + 4} textAnchor="start" className="chart-axis chart-axis-ms">
              {t > 0 ? ms(maxMs * t) : ''}
            </text>
          </g>
        ))}
        {series.map((s, i) => (
          <rect
            key={s.start}
            x={left + i * bw + bw * 0.15}
            width={bw * 0.7}
            y={yImg(s.images)}
            height={PAD.t + ih - yImg(s.images)}
            className="chart-bar"
          >
            <title>{`${timeLabel(s.start)}: ${s.images} images, median ${ms(s.p50_ms)}, p99 ${ms(s.p99_ms)}`}</title>
          </rect>
        ))}
        <polyline points={line('p99_ms')} className="chart-line chart-line-p99" />
        <polyline points={line('p50_ms')} className="chart-line chart-line-p50" />
        {series.map((s, i) => (
          <g key={`pts-${s.start}`}>
            {s.p99_ms !== null && <circle cx={x(i)} cy={yMs(s.p99_ms)} r={3} className="chart-dot-p99" />}
            {s.p50_ms !== null && <circle cx={x(i)} cy={yMs(s.p50_ms)} r={3} className="chart-dot-p50" />}
          </g>
        ))}
        {series.map((s, i) =>
          i % every === 0 ? (
            <text key={s.start} x={x(i)} y={H - 8} textAnchor="middle" className="chart-axis">
              {timeLabel(s.start)}
            </text>
          ) : null,
        )}
      </svg>
      <figcaption className="chart-legend">
        <span><i className="legend-bar" /> images per minute (left scale)</span>
        <span><i className="legend-p50" /> median time per image</span>
        <span><i className="legend-p99" /> 99th percentile (right scale)</span>
      </figcaption>
    </figure>
  );
}
