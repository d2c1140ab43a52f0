import type { Guess } from '../lib/api/types';
import { kindLabel, percent } from '../lib/format';

/** The top kinds with their probabilities as bars. */
export function Guesses({ top }: { top: Guess[] }) {
  return (
    <ol className="guesses">
      {top.map((g) => (
        <li key={g.kind}>
          <span className="guess-name">{kindLabel(g.kind)}</span>
          <span className="guess-bar" aria-hidden="true">
            <span style={{ width: `${Math.max(1, g.probability * 100)}%` }} />
          </span>
          <span className="guess-p">{percent(g.probability)}</span>
        </li>
      ))}
    </ol>
  );
}
