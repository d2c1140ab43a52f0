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


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory):
    """train/ (3 photos per kind) and validation/ (the next 4) taken from the committed sample gallery."""
    root = tmp_path_factory.mktemp("vegetables")
    from vegnet.net import CLASSES
    for name in CLASSES:
        files = sorted(os.listdir(os.path.join(GALLERY, name)))
        assert len(files) >= 7, f"gallery has too few photos of {name}"
        for split, chosen in (("train", files[:3]), ("validation", files[3:7])):
            os.makedirs(root / split / name, exist_ok=True)
            for f in chosen:
                shutil.copy(os.path.join(GALLERY, name, f), root / split / name / f)
    return str(root)
