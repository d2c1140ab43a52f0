import { labelOf as label } from '../../lib/format';
import { rowNormalise } from './metrics';

/** A heat map table: rows are true kinds, columns predicted kinds; darker = more photos. */
export function ConfusionMatrix({ matrix, labels }: { matrix: number[][]; labels: string[] }) {
  const norm = rowNormalise(matrix);
  return (
    <>
    <p className="matrix-help" id="matrix-help">
      Confusion matrix on the validation photos: each row is the true kind, each column what the model said. Cells show
      photo counts; the diagonal (green) is right, red cells are mistakes.
    </p>
    <div className="matrix-scroll" tabIndex={0} role="region" aria-label="Confusion matrix (scrolls sideways)">
      <table className="matrix" aria-describedby="matrix-help">
        <caption className="visually-hidden">Confusion matrix</caption>
        <thead>
          <tr>
            <th scope="col" className="matrix-corner">
              true ↓ / said →
            </th>
            {labels.map((l) => (
              <th scope="col" key={l} className="matrix-col">
                <span>{label(l)}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.map((row, i) => (
            <tr key={labels[i] ?? i}>
              <th scope="row">{label(labels[i] ?? String(i))}</th>
              {row.map((v, j) => {
                const f = norm[i]?.[j] ?? 0;
                const diag = i === j;
                // Diagonal in green, mistakes in red; strength from the row share.
                const bg = v === 0 ? 'transparent' : diag ? `rgba(31, 122, 68, ${0.15 + 0.85 * f})` : `rgba(190, 30, 45, ${0.15 + 0.85 * f})`;
                const ink = f > 0.5 ? '#FFFFFF' : '#1a1a1a';
                return (
                  <td key={j} style={{ background: bg, color: ink }} title={`${label(labels[i] ?? '')} → ${label(labels[j] ?? '')}: ${v}`}>
                    {v === 0 ? '' : v}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
    </>
  );
}
