import { useEffect, useId, useState, type FormEvent } from 'react';
import { api, unwrap } from '../../lib/api/client';
import { KINDS, type Image, type Kind } from '../../lib/api/types';
import { kindLabel } from '../../lib/format';
import { ErrorNotice } from '../../components/ErrorNotice';
import { getImage } from '../upload/uploadPhoto';

type UserLabel = NonNullable<Image['userLabel']>;

/** "none" (not one of the kinds) or a kind, as a person reads it. */
export function labelWords(kind: string): string {
  return kind === 'none' ? 'not one of our vegetables' : kindLabel(kind as Kind);
}

/** Stores a person's own label (POST /api/images/{id}/label); the API keeps it beside the prediction. */
export function saveLabel(id: string, kind: string): Promise<UserLabel> {
  return unwrap(api.POST('/api/images/{id}/label', { params: { path: { id } }, body: { kind } }));
}

/**
 * "Is this right?": confirm the model's answer in one click, or pick the right kind (or "not one
 * of our vegetables"). The answer is stored beside the prediction, never over it, and counts
 * towards the model page's real-world agreement.
 */
export function CorrectionForm({
  image,
  labelKnown = false,
  save = saveLabel,
}: {
  image: Image;
  /** The image came from GET /api/images/{id}, whose answer carries the label when there is one. */
  labelKnown?: boolean;
  save?: typeof saveLabel;
}) {
  const [label, setLabel] = useState<UserLabel | null>(image.userLabel ?? null);
  // Whether the label shown was given here (else it came with the photo: someone gave it before).
  const [mine, setMine] = useState(false);
  // Photos from a search come without their label; ask for it.
  useEffect(() => {
    if (labelKnown || image.userLabel !== undefined || image.status !== 'done') return;
    const ctl = new AbortController();
    getImage(image.id, ctl.signal).then(
      (full) => !ctl.signal.aborted && full.userLabel && setLabel((l) => l ?? full.userLabel ?? null),
      () => {}, // the form works without it
    );
    return () => ctl.abort();
  }, [image.id, image.status, image.userLabel, labelKnown]);
  const predicted = image.refused || !image.kind ? 'none' : image.kind;
  // The list starts at the likeliest other answer: the model's best guess for a refused photo,
  // its second guess otherwise.
  const [choice, setChoice] = useState<string>(
    label?.kind ?? (predicted === 'none' ? (image.top[0]?.kind ?? 'none') : (image.top.find((g) => g.kind !== predicted)?.kind ?? 'none')),
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const selectId = useId();

  async function send(kind: string) {
    setBusy(true);
    setError(undefined);
    try {
      setLabel(await save(image.id, kind));
      setMine(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void send(choice);
  };

  if (image.status !== 'done') return null;
  return (
    <section className="correction" aria-labelledby={`${selectId}-title`} data-testid="correction">
      <h3 id={`${selectId}-title`}>Is this right?</h3>
      {label && (
        <p className="notice notice-ok" role="status" data-testid="user-label">
          {mine ? 'Thank you: you said this is ' : 'A person who saw this photo said it is '}
          <strong>{labelWords(label.kind)}</strong>
          {label.kind === predicted
            ? ', as the model did.'
            : `. The model’s answer stays as it was; ${mine ? 'yours' : 'theirs'} is kept beside it${mine ? '' : ' (a new answer replaces it)'}.`}
        </p>
      )}
      <div className="correction-actions">
        <button type="button" className="button button-secondary" disabled={busy} onClick={() => void send(predicted)}>
          {predicted === 'none' ? 'Right, it is not one of them' : `Yes, it is ${kindLabel(predicted).toLowerCase()}`}
        </button>
        <form className="correction-pick" onSubmit={submit}>
          <label htmlFor={selectId}>No, it is</label>
          <select id={selectId} value={choice} onChange={(e) => setChoice(e.target.value)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {kindLabel(k)}
              </option>
            ))}
            <option value="none">not one of our vegetables</option>
          </select>
          <button type="submit" className="button" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </form>
      </div>
      {error !== undefined && <ErrorNotice error={error} />}
    </section>
  );
}
