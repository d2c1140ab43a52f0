"""The similar-photo key: PCA fitted on embeddings, unit-length keys, precision@k."""
import json

import numpy as np

from vegnet import similarity


def clusters(n_per: int = 20, dim: int = 32, seed: int = 0):
    """Three well-separated groups of unit vectors, like embeddings of three kinds."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, dim)) * 4
    x = np.concatenate([c + rng.normal(size=(n_per, dim)) for c in centres])
    return x / np.linalg.norm(x, axis=1, keepdims=True), np.repeat(np.arange(3), n_per)


def test_keys_are_unit_length_and_keep_neighbours():
    x, labels = clusters()
    mean, comps = similarity.fit(x, 4)
    assert comps.shape == (4, x.shape[1])
    np.testing.assert_allclose(np.linalg.norm(comps, axis=1), 1, atol=1e-9)
    keys = similarity.project(x, mean, comps)
    np.testing.assert_allclose(np.linalg.norm(keys, axis=1), 1, atol=1e-9)
    assert similarity.precision_at(keys, labels) > 0.95


def test_precision_counts_only_other_photos_of_the_same_label():
    v = np.array([[1.0, 0], [0.9, 0.1], [0, 1.0], [0.1, 0.9]])
    assert similarity.precision_at(v, np.array([0, 0, 1, 1]), k=1) == 1.0
    assert similarity.precision_at(v, np.array([0, 1, 0, 1]), k=1) == 0.0


def test_written_file_is_json_the_service_reads(tmp_path):
    x, _ = clusters(dim=8)
    mean, comps = similarity.fit(x, 3)
    content = {"model_version": "abc", "input_dim": 8, "dim": 3, "quality": {"k": 5},
               "mean": mean.tolist(), "components": comps.tolist()}
    path = tmp_path / similarity.FILE
    similarity.write(str(path), content)
    back = json.loads(path.read_text())
    assert back["dim"] == 3 and len(back["components"]) == 3 and len(back["components"][0]) == 8
    np.testing.assert_allclose(back["mean"], mean)
