import os
import shutil
import sys

import pytest

MODELS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, MODELS_DIR)


def repo_root() -> str:
    d = MODELS_DIR
    while not os.path.exists(os.path.join(d, "go.mod")):
        parent = os.path.dirname(d)
        if parent == d:
            raise RuntimeError("no go.mod above the tests")
        d = parent
    return d


GALLERY = os.path.join(repo_root(), "infra", "gallery")


def gallery_kinds() -> list[str]:
    """The sample gallery's class folders, sorted (the same 15 kinds as the real dataset)."""
    return sorted(d for d in os.listdir(GALLERY) if os.path.isdir(os.path.join(GALLERY, d)))


def make_dataset(root, kinds, n_train=3, n_validation=4) -> str:
    """root/train/<kind>/ (the first n_train gallery photos) and root/validation/<kind>/ (the next n_validation)."""
    for name in kinds:
        files = sorted(os.listdir(os.path.join(GALLERY, name)))
        assert len(files) >= n_train + n_validation, f"gallery has too few photos of {name}"
        for split, chosen in (("train", files[:n_train]),
                              ("validation", files[n_train:n_train + n_validation])):
            os.makedirs(root / split / name, exist_ok=True)
            for f in chosen:
                shutil.copy(os.path.join(GALLERY, name, f), root / split / name / f)
    return str(root)


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory):
    """train/ (3 photos per kind) and validation/ (the next 4) of every kind of the committed sample gallery."""
    return make_dataset(tmp_path_factory.mktemp("vegetables"), gallery_kinds())


@pytest.fixture(scope="session")
def tiny_extra(tmp_path_factory):
    """realworld/<Kind>/ (gallery photos of three kinds, under new names) and unknown/<label>/
    (generated pictures: noise and stripes), twelve of each, so every part gets some."""
    import numpy as np
    from PIL import Image
    root = tmp_path_factory.mktemp("extra")
    for kind in ("Carrot", "Potato", "Tomato"):
        d = root / "realworld" / kind
        d.mkdir(parents=True)
        for i, f in enumerate(sorted(os.listdir(os.path.join(GALLERY, kind)))[-4:]):
            shutil.copy(os.path.join(GALLERY, kind, f), d / f"shop-{kind.lower()}-{i}.jpg")
    rng = np.random.default_rng(0)
    for label in ("noise", "stripes"):
        d = root / "unknown" / label
        d.mkdir(parents=True)
        for i in range(6):
            a = rng.integers(0, 256, (256, 300, 3), dtype=np.uint8)
            if label == "stripes":
                a[:, ::8] = 255
            Image.fromarray(a).save(d / f"{label}-{i}.jpg", quality=85)
    return str(root)
