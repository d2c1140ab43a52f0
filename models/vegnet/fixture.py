"""Parity fixture: validation images saved losslessly plus what Python computes for them with
the shipped (int8) model: the probabilities, the refusal score, the embedding and, when the
model has familiarity references, each image's familiarity.

The Go side feeds the same PNG pixels through ONNX Runtime and must agree closely.
"""
from __future__ import annotations

import os

import numpy as np

from .data import Sample, load_rgb
from .export import onnx_predict, session, write_json
from .net import IMAGE_SIZE

PER_CLASS = 4


def pick(samples: list[Sample], classes: list[str], per_class: int = PER_CLASS) -> list[Sample]:
    """The first per_class square 224x224 images of each class (sorted order), no resizing involved.

    classes: the kinds in label order (sample.label indexes it).
    """
    chosen, counts = [], [0] * len(classes)
    for s in samples:
        if counts[s.label] >= per_class:
            continue
        im = load_rgb(s.path)
        if im.size == (IMAGE_SIZE, IMAGE_SIZE):
            chosen.append(s)
            counts[s.label] += 1
    short = [classes[i] for i, c in enumerate(counts) if c < per_class]
    if short:
        raise ValueError(f"not enough 224x224 images for: {', '.join(short)}")
    return chosen


def write(samples: list[Sample], onnx_path: str, version: str, out_dir: str,
          references: np.ndarray | None = None, k: int = 0) -> dict:
    """Save samples as <Class>_<stem>.png in out_dir and expected.json with ORT probabilities
    (and familiarity against references, k-th nearest, when given)."""
    os.makedirs(out_dir, exist_ok=True)
    for old in os.listdir(out_dir):
        if old.endswith(".png"):
            os.remove(os.path.join(out_dir, old))
    files, pixels = [], []
    for s in samples:
        im = load_rgb(s.path)
        stem = os.path.splitext(os.path.basename(s.path))[0]
        name = f"{s.class_name}_{stem}.png"
        im.save(os.path.join(out_dir, name), format="PNG", optimize=True)
        files.append((name, s.class_name))
        pixels.append(np.asarray(im, dtype=np.uint8))
    # Re-read the written PNGs so the probabilities come from exactly the committed pixels.
    reread = np.stack([np.asarray(load_rgb(os.path.join(out_dir, n)), dtype=np.uint8) for n, _ in files])
    if not np.array_equal(reread, np.stack(pixels)):
        raise RuntimeError("PNG round trip changed pixels")
    out = onnx_predict(session(onnx_path), reread)
    expected = {
        "model_version": version,
        "images": [
            {"file": n, "label": c, "probabilities": [float(p) for p in probs], "score": float(score),
             "embedding_head": [float(x) for x in emb[:8]]}
            for (n, c), probs, score, emb in zip(files, out["probabilities"].astype(np.float64),
                                                 out["score"].astype(np.float64), out["embedding"].astype(np.float64))
        ],
    }
    if references is not None:
        from .refusal import familiarity
        for im, fam in zip(expected["images"], familiarity(out["embedding"], references, k)):
            im["familiarity"] = float(fam)
    write_json(os.path.join(out_dir, "expected.json"), expected)
    return expected
