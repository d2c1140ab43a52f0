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
