"""Where the model's files live, the committed labels, and the settings of a training run.

Kept apart from train.py so that card.py (and anything else that only needs paths or
settings) can use them without importing the training pipeline.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

MODELS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_ROOT = os.path.dirname(MODELS_DIR)
MODEL_JSON = os.path.join(MODELS_DIR, "model.json")


def committed_labels(path: str = MODEL_JSON) -> list[str]:
    """The kinds of the committed model, in output order: the "labels" of model.json.

    For code that runs without a dataset; a training run takes its kinds from the data.
    """
    with open(path) as f:
        labels = json.load(f)["labels"]
    if not labels or not all(isinstance(x, str) and x for x in labels):
        raise ValueError(f"{path}: \"labels\" must be a non-empty list of names")
    return list(labels)


@dataclass
class Config:
    data: str
    extra: str | None = None  # realworld/<Kind>/ and unknown/<label>/ photos (vegnet.extra)
    out: str = MODELS_DIR
    cache: str = os.path.join(MODELS_DIR, "cache")
    runs: str = os.path.join(MODELS_DIR, "runs")
    fixture_dir: str | None = os.path.join(REPO_ROOT, "shared", "vision", "testdata", "parity")
    variant: str = "lite0"
    split: int = 15
    views: tuple[str, ...] = ("light", "phone", "paste")
    extra_repeats: int = 3  # copies of each extra training photo per view (each augmented differently)
    seed: int = 20261127
    threads: int = 2
    head_epochs: int = 15
    head_lr: float = 2e-3
    rounds: int = 9
    lr: float = 3e-4
    weight_decay: float = 1e-2
    batch: int = 64
    dropout: float = 0.2
    max_refused: float = 0.01
    want_unknown_refused: float = 0.90
    unknown_confidence: float = 0.95  # ... reached with this confidence on the select part (Wilson bound)
    calibration_images: int = 256
    limit_per_class: int = 0
    latency_runs: int = 300
    pretrained: bool = True
