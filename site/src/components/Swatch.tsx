import { textOn } from '../lib/format';

interface SwatchProps {
  hex: string;
  name: string;
  size?: 'sm' | 'md';
  /** Show the name next to the swatch instead of only on hover/focus. */
  labelled?: boolean;
}

/** A colour chip; its name is always available to screen readers and as a tooltip. */
export function Swatch({ hex, name, size = 'sm', labelled = false }: SwatchProps) {
  return (
    <span className={`swatch swatch-${size}`} title={`${name} ${hex}`}>
      <span className="swatch-chip" style={{ background: hex }} aria-hidden="true" />
      {labelled ? <span className="swatch-name">{name}</span> : <span className="visually-hidden">{name}</span>}
    </span>
  );
}

/** A chip that shows its own name in a readable ink. */
export function ColourTag({ hex, name }: { hex: string; name: string }) {
  return (
    <span className="colour-tag" style={{ background: hex, color: textOn(hex) }}>
      {name}
    </span>
  );
}
