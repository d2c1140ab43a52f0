"""Dataset layout and image loading.

The data folder holds one sub-folder per split, each with one folder per class:

    <DATA>/train/<Class>/*.jpg
    <DATA>/validation/<Class>/*.jpg

The class folders of train/, sorted by name, are the kinds the model learns, in its output
order (class_names); validation/ must have the same class folders. Images may be any size;
they are resized to 224x224 where needed.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from PIL import Image

from .net import IMAGE_SIZE

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".bmp")


@dataclass(frozen=True)
class Sample:
    path: str
    label: int
    class_name: str


class DatasetError(ValueError):
    """The data folder does not have the expected layout."""


def _split_dir(root: str, split: str) -> str:
    split_dir = os.path.join(root, split)
    if not os.path.isdir(split_dir):
        raise DatasetError(f"data folder {root!r} has no {split!r} sub-folder "
                           f"(expected {split}/<Class>/<image files>)")
    return split_dir


def _folders(split_dir: str) -> list[str]:
    """Sub-folder names, sorted; hidden ones (".name") are not classes."""
    return sorted(d for d in os.listdir(split_dir)
                  if not d.startswith(".") and os.path.isdir(os.path.join(split_dir, d)))


def class_names(root: str) -> list[str]:
    """The kinds of a dataset: its train/ class folder names, sorted (the model's output order)."""
    split_dir = _split_dir(root, "train")
    names = _folders(split_dir)
    if len(names) < 2:
        raise DatasetError(f"{split_dir!r} needs at least 2 class folders, has {len(names)}")
    return names


def list_split(root: str, split: str, classes: list[str] | None = None) -> list[Sample]:
    """All images of one split, sorted by class then file name (deterministic order).

    classes: the kinds, in label order; by default the dataset's own (class_names). The
    split must have exactly these class folders.
    """
    split_dir = _split_dir(root, split)
    if classes is None:
        classes = class_names(root)
    present = _folders(split_dir)
    missing = [c for c in classes if c not in present]
    if missing:
        raise DatasetError(f"{split_dir!r} lacks class folders: {', '.join(missing)}")
    extra = [d for d in present if d not in classes]
    if extra:
        raise DatasetError(f"{split_dir!r} has class folders that are not kinds of the training data: "
                           f"{', '.join(extra)}")
    samples = []
    for label, name in enumerate(classes):
        class_dir = os.path.join(split_dir, name)
        files = sorted(f for f in os.listdir(class_dir) if f.lower().endswith(IMAGE_EXTENSIONS))
        if not files:
            raise DatasetError(f"class folder {class_dir!r} has no images")
        samples.extend(Sample(os.path.join(class_dir, f), label, name) for f in files)
    return samples


def load_rgb(path: str) -> Image.Image:
    """Open an image file as RGB (fully decoded, file closed)."""
    with Image.open(path) as im:
        im.load()
        return im.convert("RGB")


def to_model_input(im: Image.Image, resample=Image.BILINEAR) -> np.ndarray:
    """PIL image -> uint8 array (224, 224, 3), resized if its size differs."""
    if im.size != (IMAGE_SIZE, IMAGE_SIZE):
        im = im.resize((IMAGE_SIZE, IMAGE_SIZE), resample)
    return np.asarray(im, dtype=np.uint8)


def load_arrays(samples: list[Sample]) -> tuple[np.ndarray, np.ndarray]:
    """Images as uint8 (N,224,224,3) plus labels (N,)."""
    x = np.empty((len(samples), IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.uint8)
    for i, s in enumerate(samples):
        x[i] = to_model_input(load_rgb(s.path))
    return x, np.array([s.label for s in samples], dtype=np.int64)


def class_counts(samples: list[Sample], n_classes: int) -> np.ndarray:
    return np.bincount([s.label for s in samples], minlength=n_classes)
