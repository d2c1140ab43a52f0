"""Evaluation numbers: accuracy, per-class precision/recall/F1, confusion, calibration."""
from __future__ import annotations

import numpy as np


def confusion(labels: np.ndarray, preds: np.ndarray, n_classes: int) -> np.ndarray:
    """cm[i, j] = number of images of true class i predicted as j."""
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(cm, (labels, preds), 1)
    return cm


def per_class(cm: np.ndarray, names: list[str]) -> dict:
    out = {}
    for i, name in enumerate(names):
        tp = int(cm[i, i])
        predicted, actual = int(cm[:, i].sum()), int(cm[i].sum())
        p = tp / predicted if predicted else 0.0
        r = tp / actual if actual else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        out[name] = {"precision": p, "recall": r, "f1": f1, "support": actual}
    return out


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = 15) -> float:
    """ECE of the top-1 confidence with equal-width bins over (0, 1]."""
    conf = probs.max(1)
    correct = probs.argmax(1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        in_bin = (conf > lo) & (conf <= hi)
        if in_bin.any():
            ece += in_bin.mean() * abs(correct[in_bin].mean() - conf[in_bin].mean())
    return float(ece)



def summary(probs: np.ndarray, labels: np.ndarray, names: list[str]) -> dict:
    preds = probs.argmax(1)
    cm = confusion(labels, preds, len(names))
    return {
        "accuracy": float((preds == labels).mean()),
        "n": int(len(labels)),
        "errors": int((preds != labels).sum()),
        "per_class": per_class(cm, names),
        "confusion_matrix": cm.tolist(),
        "ece_15_bins": expected_calibration_error(probs, labels, 15),
    }
