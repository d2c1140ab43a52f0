// Why a refused photo was not named, in words, following the model's own refusal rule
// (the API's `refusal`: "unsure" below the score threshold, "unfamiliar" when the photo
// looks too unlike the model's reference photos, however sure its guess).
import type { Image } from '../../lib/api/types';
import { kindLabel, percent } from '../../lib/format';

export function refusalText(image: Image): string {
  const r = image.refusal;
  const best = image.top[0];
  const guess = best ? `${kindLabel(best.kind)} ${percent(best.probability)}` : null;
  if (!r) return 'The model is not confident enough to name it.';
  if (r.reason === 'unsure') {
    return `We name a vegetable only when the model is at least ${percent(r.threshold)} sure${guess ? `; its best guess is ${guess}` : ''}.`;
  }
  const numbers =
    r.familiarity !== null && r.familiarityThreshold !== null
      ? ` (its likeness to them is ${r.familiarity.toFixed(2)}; we need at least ${r.familiarityThreshold.toFixed(2)})`
      : '';
  return `We name a vegetable only when the photo looks enough like the vegetable photos the model learned from, and this one does not${numbers}. So we do not trust its best guess${guess ? `, ${guess}` : ''}.`;
}
