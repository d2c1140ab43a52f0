"""The similar-photo key: the model's embedding projected onto its principal components.

The model's embedding (1280 values, L2-normalised) is what "more like this photo" compares,
but the database's nearest-neighbour index (PostgreSQL's cube extension, at most 100
dimensions) cannot hold 1280. Principal component analysis (PCA: Pearson 1901; here the
singular value decomposition of the centred embeddings) keeps the directions in which the
shipped model's embeddings of training photos vary most:

    key = normalise((embedding - mean) @ components.T)     # (DIM,), unit length

Unit length makes the Euclidean distance the index orders by a monotone function of the
cosine similarity of the keys (|a-b|^2 = 2 - 2 cos).

Fitted on the first PER_KIND training photos of every kind (sorted file names: one fixed
sample) and measured on the validation photos: precision@K is the share of each photo's K
nearest other validation photos that show the same kind, for the full embedding and for the
key. Writes models/similarity.json, which the Go service reads beside model.json.

    python -m vegnet.similarity --data <dataset folder> [--model veglens.onnx] [--out ..]
"""
from __future__ import annotations

import argparse
import json
import os

import numpy as np

from . import data, export

DIM = 16          # key length: the cube extension holds 100, but its GiST index prunes
                  # well only in few dimensions (64: every search reads the whole index)
PER_KIND = 100    # training photos per kind the components are fitted on
K = 5             # neighbours counted by precision@K
FILE = "similarity.json"


def embeddings(model_path: str, samples: list[data.Sample], threads: int) -> np.ndarray:
    """The model's embedding output for each sample: float32 (N, embedding_dim)."""
    images, _ = data.load_arrays(samples)
    return export.onnx_predict(export.session(model_path, threads), images)["embedding"].astype(np.float64)


def fit(emb: np.ndarray, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """PCA of emb (N, D): the mean (D,) and the first dim components (dim, D), unit rows."""
    mean = emb.mean(axis=0)
    _, _, vt = np.linalg.svd(emb - mean, full_matrices=False)
    return mean, vt[:dim]


def project(emb: np.ndarray, mean: np.ndarray, components: np.ndarray) -> np.ndarray:
    """Keys of emb (N, D): centred, projected and L2-normalised, (N, dim)."""
    key = (emb - mean) @ components.T
    return key / np.maximum(np.linalg.norm(key, axis=1, keepdims=True), 1e-12)


def precision_at(vectors: np.ndarray, labels: np.ndarray, k: int = K) -> float:
    """Mean share of each vector's k nearest others (by cosine) with the same label."""
    v = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    sim = v @ v.T
    np.fill_diagonal(sim, -np.inf)
    nearest = np.argsort(-sim, axis=1)[:, :k]
    return float((labels[nearest] == labels[:, None]).mean())


def build(data_dir: str, model_dir: str, threads: int = 2, dim: int = DIM, per_kind: int = PER_KIND) -> dict:
    """Fit the key on training photos of data_dir with model_dir's shipped model; measure it
    on the validation photos. Returns the content of similarity.json."""
    with open(os.path.join(model_dir, "model.json")) as f:
        meta = json.load(f)
    model_path = os.path.join(model_dir, "veglens.onnx")
    version = export.file_version(model_path)
    if version != meta["version"]:
        raise ValueError(f"{model_path} is version {version}, model.json says {meta['version']}")
    train = data.list_split(data_dir, "train", meta["labels"])
    fit_on = [s for label in range(len(meta["labels"]))
              for s in [t for t in train if t.label == label][:per_kind]]
    mean, components = fit(embeddings(model_path, fit_on, threads), dim)

    val = data.list_split(data_dir, "validation", meta["labels"])
    val_emb = embeddings(model_path, val, threads)
    labels = np.array([s.label for s in val])
    return {
        "model_version": version,
        "rule": "key = normalise((embedding - mean) @ components^T); nearest by Euclidean distance",
        "input_dim": int(meta["embedding_dim"]),
        "dim": int(dim),
        "fitted_on": f"the first {per_kind} training photos of each kind (sorted file names)",
        "quality": {
            "photos": len(val),
            "k": K,
            "precision_at_k_embedding": round(precision_at(val_emb, labels), 4),
            "precision_at_k_key": round(precision_at(project(val_emb, mean, components), labels), 4),
            "measured_on": "validation photos, each against the other validation photos",
        },
        "mean": [float(f"{x:.6g}") for x in mean],
        "components": [[float(f"{x:.6g}") for x in row] for row in components],
    }


def write(path: str, content: dict) -> None:
    """Write similarity.json atomically: one line per key and per component row (about
    1 MB; indented number by number it would be twice that)."""
    lines = []
    for name, value in content.items():
        if name == "components":
            rows = ",\n    ".join(json.dumps(r, allow_nan=False) for r in value)
            lines.append(f'  "{name}": [\n    {rows}\n  ]')
        else:
            lines.append(f"  {json.dumps(name)}: {json.dumps(value, allow_nan=False)}")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("{\n" + ",\n".join(lines) + "\n}\n")
    os.replace(tmp, path)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, help="dataset folder with train/ and validation/")
    p.add_argument("--model-dir", default=".", help="folder with veglens.onnx and model.json")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--dim", type=int, default=DIM)
    a = p.parse_args(argv)
    out = build(a.data, a.model_dir, a.threads, a.dim)
    write(os.path.join(a.model_dir, FILE), out)
    q = out["quality"]
    print(f"similarity key: {out['dim']} of {out['input_dim']} dims; validation precision@{q['k']}: "
          f"embedding {q['precision_at_k_embedding']:.4f}, key {q['precision_at_k_key']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
