"""`python -m vegnet.train --data DIR`: train, select on validation, export, and write every artefact.

Recipe (all on CPU in well under an hour):
 1. The pretrained EfficientNet-Lite trunk (stem + first `split` blocks) is frozen; its feature
    maps are computed once with ONNX Runtime for several views of each training image
    (one light view, the others phone-photo augmentations) and for the plain validation images.
 2. Linear head: trained on the pooled features of all views (class-weighted cross-entropy).
 3. Fine-tuning: the last block, the 1x1 head convolution and the linear layer are trained on
    the cached feature maps, one view per round, cosine learning rate; after every round the
    validation accuracy is measured and the best round is kept (validation only; no test data).
 4. Export to ONNX, check it against PyTorch, choose the refusal threshold on validation, and
    write model.json, metrics.json, MODEL_CARD.md and the Go parity fixture.
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

from . import card, data, export, features, fixture, metrics, net
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
    p = tail_probs(tail, feats)
    acc = float((p.argmax(1) == labels).mean())
    nll = float(-np.log(np.clip(p[np.arange(len(labels)), labels], 1e-12, 1)).mean())
    return acc, nll


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


def fine_tune(tail: net.Tail, train_views: list[np.ndarray], labels: np.ndarray, val_feats: np.ndarray,
              val_labels: np.ndarray, weights: torch.Tensor, cfg: Config, gen: torch.Generator) -> dict:
    """Train the whole tail; returns the history and leaves the best-on-validation weights in tail."""
    acc, nll = evaluate(tail, val_feats, val_labels)
    log.info("round 0 (head only): validation accuracy %.4f, nll %.4f", acc, nll)
    best = {"round": 0, "accuracy": acc, "nll": nll, "state": copy.deepcopy(tail.state_dict())}
    history = [{"round": 0, "val_accuracy": acc, "val_nll": nll}]
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
        acc, nll = evaluate(tail, val_feats, val_labels)
        history.append({"round": r, "train_loss": total / len(labels), "val_accuracy": acc, "val_nll": nll,
                        "seconds": time.time() - start})
        log.info("round %d/%d (view %d): train loss %.4f, validation accuracy %.4f, nll %.4f, %.0f s",
                 r, cfg.rounds, (r - 1) % len(train_views), total / len(labels), acc, nll, time.time() - start)
        if (acc, -nll) > (best["accuracy"], -best["nll"]):
            best = {"round": r, "accuracy": acc, "nll": nll, "state": copy.deepcopy(tail.state_dict())}
    tail.load_state_dict(best["state"])
    log.info("selected round %d: validation accuracy %.4f", best["round"], best["accuracy"])
    return {"best_round": best["round"], "history": history}


def measure_latency(onnx_path: str, runs: int) -> dict:
    """ONNX Runtime (Python), 1 intra-op thread, batch 1, inference only (no decode/resize)."""
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
    log.handlers.clear()
    fmt = logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S")
    for h in (logging.StreamHandler(sys.stdout), logging.FileHandler(path)):
        h.setFormatter(fmt)
        log.addHandler(h)
    return path


def run(cfg: Config) -> dict:
    """The whole pipeline; returns the metrics it wrote."""
    started = time.time()
    log_path = setup_logging(cfg.runs)
    log.info("config: %s", json.dumps({k: v for k, v in asdict(cfg).items() if k != "data"}))
    torch.set_num_threads(cfg.threads)
    seed_everything(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)

    # The kinds are the class folders of the training data, sorted: that order is the model's output order.
    classes = data.class_names(cfg.data)
    train_s = limit(data.list_split(cfg.data, "train", classes), cfg.limit_per_class)
    val_s = limit(data.list_split(cfg.data, "validation", classes), cfg.limit_per_class)
    train_y = np.array([s.label for s in train_s])
    val_y = np.array([s.label for s in val_s])
    counts = data.class_counts(train_s, len(classes)).tolist()
    log.info("%d kinds; train %d images %s; validation %d images", len(classes), len(train_s),
             dict(zip(classes, counts)), len(val_s))

    trunk, tail = net.split_model(cfg.variant, cfg.split, pretrained=cfg.pretrained, dropout=cfg.dropout,
                                  num_classes=len(classes))
    for p in trunk.parameters():
        p.requires_grad_(False)
    os.makedirs(cfg.cache, exist_ok=True)
    trunk_onnx = os.path.join(cfg.cache, f"trunk-{cfg.variant}-{cfg.split}-{os.getpid()}.onnx")
    features.export_trunk(trunk.eval(), trunk_onnx)
    key = (cfg.variant, cfg.split)
    try:
        t0 = time.time()
        train_views = [features.extract(train_s, v, i, cfg.seed, trunk_onnx, cfg.cache, key, cfg.threads)
                       for i, v in enumerate(cfg.views)]
        val_feats = features.extract(val_s, "clean", 0, cfg.seed, trunk_onnx, cfg.cache, key, cfg.threads)
        feature_seconds = time.time() - t0
    finally:
        os.remove(trunk_onnx)

    weights = class_weights(train_y, len(classes))
    t0 = time.time()
    train_head(tail, train_views, train_y, weights, cfg, gen)
    tuned = fine_tune(tail, train_views, train_y, val_feats, val_y, weights, cfg, gen)
    train_seconds = time.time() - t0

    model = net.VegLens(trunk, tail).eval()
    onnx_path = os.path.join(cfg.out, "veglens.onnx")
    export.export_onnx(model, onnx_path)
    val_x, _ = data.load_arrays(val_s)
    check_idx = np.random.default_rng(cfg.seed).choice(len(val_s), min(64, len(val_s)), replace=False)
    max_diff = export.verify_against_torch(model, onnx_path, val_x[np.sort(check_idx)])
    log.info("ONNX matches PyTorch: max |diff| %.2e", max_diff)

    # Every reported number comes from the exported file, run by ONNX Runtime.
    _, val_probs = export.onnx_predict(export.session(onnx_path, cfg.threads), val_x)
    scores = val_probs.max(1)
    threshold = metrics.refusal_threshold(scores, cfg.max_refused)
    version = export.file_version(onnx_path)
    summary = metrics.summary(val_probs, val_y, classes)
    accepted = scores >= threshold
    result = {
        "model_version": version,
        "architecture": f"efficientnet-{cfg.variant}",
        "labels": list(classes),
        "validation": summary,
        "refusal": {
            "score": "max_probability", "threshold": threshold, "rule": "refused when score < threshold",
            "refused_fraction": metrics.refused_fraction(scores, threshold),
            "accuracy_on_accepted": float((val_probs.argmax(1) == val_y)[accepted].mean()) if accepted.any() else None,
        },
        "latency": measure_latency(onnx_path, cfg.latency_runs),
        "parameter_count": net.parameter_count(model),
        "onnx_size_bytes": os.path.getsize(onnx_path),
        "onnx_opset": export.OPSET,
        "onnx_max_abs_diff_vs_pytorch": max_diff,
        "training": {
            "seed": cfg.seed, "numpy_seed": cfg.seed, "torch_seed": cfg.seed,
            "train_images": len(train_s), "validation_images": len(val_s),
            "class_counts": dict(zip(classes, counts)),
            "class_weights": dict(zip(classes, [round(float(w), 4) for w in weights])),
            "views": list(cfg.views), "split_after_block": cfg.split,
            "trainable_parameters": net.parameter_count(tail),
            "selected_round": tuned["best_round"], "history": tuned["history"],
            "feature_seconds": round(feature_seconds, 1), "train_seconds": round(train_seconds, 1),
            "wall_seconds": None, "threads": cfg.threads,
            "torch": torch.__version__, "python": platform.python_version(),
        },
    }
    export.write_json(os.path.join(cfg.out, "model.json"),
                      export.model_json(onnx_path, result["architecture"], threshold, classes))
    if cfg.fixture_dir:
        fx = fixture.write(fixture.pick(val_s, classes), onnx_path, version, cfg.fixture_dir)
        log.info("parity fixture: %d images in %s", len(fx["images"]), cfg.fixture_dir)
    result["training"]["wall_seconds"] = round(time.time() - started, 1)
    export.write_json(os.path.join(cfg.out, "metrics.json"), result)
    card.write(os.path.join(cfg.out, "MODEL_CARD.md"), result, cfg)
    log.info("validation accuracy %.4f (%d errors of %d), refused %.4f at threshold %.4f, ECE %.4f",
             summary["accuracy"], summary["errors"], summary["n"], result["refusal"]["refused_fraction"],
             threshold, summary["ece_15_bins"])
    log.info("model %s, %d bytes, wall %.0f s; log %s", version, result["onnx_size_bytes"],
             result["training"]["wall_seconds"], log_path)
    return result


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m vegnet.train", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True,
                   help="dataset folder with train/<Class>/* and validation/<Class>/*")
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
    cfg = Config(data=a.data, out=a.out, cache=a.cache, runs=a.runs, fixture_dir=a.fixture_dir or None,
                 rounds=a.rounds, seed=a.seed, threads=a.threads)
    try:
        run(cfg)
    except data.DatasetError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
