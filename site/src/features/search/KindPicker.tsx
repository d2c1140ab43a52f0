import { useEffect, useRef } from 'react';
import { KINDS, type Kind } from '../../lib/api/types';
import { kindLabel } from '../../lib/format';
import { kindPictureUrl } from '../../lib/vocabulary';

interface KindPickerProps {
  value: Kind | null;
  counts: Partial<Record<Kind, number>> | undefined;
  onChange: (kind: Kind | null) => void;
}

export function KindPicker({ value, counts, onChange }: KindPickerProps) {
  const grid = useRef<HTMLDivElement>(null);
  // On phones the choices scroll sideways: keep the chosen one in view.
  useEffect(() => {
    const g = grid.current;
    const chosen = g?.querySelector('input:checked')?.closest('label');
    if (!g || !chosen || g.scrollWidth <= g.clientWidth) return;
    const gr = g.getBoundingClientRect();
    const cr = chosen.getBoundingClientRect();
    if (cr.left < gr.left || cr.right > gr.right) g.scrollLeft += cr.left - gr.left - 4;
  }, [value]);
  return (
    <fieldset className="kind-picker">
      <legend>Kind</legend>
      <div className="kind-grid" ref={grid}>
        <label className="choice kind-choice">
          <input type="radio" name="kind" value="" checked={value === null} onChange={() => onChange(null)} />
          <span className="choice-body">
            <span className="kind-any" aria-hidden="true">{KINDS.length}</span>
            <span className="kind-name">Any kind</span>
          </span>
        </label>
        {KINDS.map((k) => (
          <label className="choice kind-choice" key={k}>
            <input type="radio" name="kind" value={k} checked={value === k} onChange={() => onChange(k)} />
            <span className="choice-body">
              <img src={kindPictureUrl(k)} alt="" width={48} height={48} loading="lazy" decoding="async" />
              <span className="kind-name">{kindLabel(k)}</span>
              {counts?.[k] !== undefined && (
                <span className="kind-count">
                  {counts[k]}
                  <span className="visually-hidden"> photos</span>
                </span>
              )}
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
