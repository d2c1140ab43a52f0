"""ONNX export of the deployable model, its verification, and model.json."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings

import numpy as np
import torch

from .net import IMAGE_SIZE, VegLens

OPSET = 17
INPUT_NAME = "image"
OUTPUT_NAMES = ("logits", "probabilities")


def export_onnx(model: VegLens, path: str, opset: int = OPSET) -> None:
    """Write model as ONNX: input `image` float32 [N,224,224,3], outputs logits/probabilities [N,kinds].

    The file is written to a temporary name first and renamed, so a failed export leaves
    no half-written model behind.
    """
    model = model.eval()
    example = torch.full((2, IMAGE_SIZE, IMAGE_SIZE, 3), 127.0)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(suffix=".onnx", dir=directory)
    os.close(fd)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                model, (example,), tmp,
                input_names=[INPUT_NAME], output_names=list(OUTPUT_NAMES),
                dynamic_axes={INPUT_NAME: {0: "N"}, OUTPUT_NAMES[0]: {0: "N"}, OUTPUT_NAMES[1]: {0: "N"}},
                opset_version=opset, do_constant_folding=True, dynamo=False,
            )
        import onnx
        onnx.checker.check_model(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def session(path: str, threads: int = 1):
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(path, sess_options=opts, providers=["CPUExecutionProvider"])


def onnx_predict(sess, images: np.ndarray, batch: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Run uint8/float (N,224,224,3) images through an ORT session; returns (logits, probabilities)."""
    logits, probs = [], []
    for i in range(0, len(images), batch):
        x = np.ascontiguousarray(images[i:i + batch], dtype=np.float32)
        lo, pr = sess.run(list(OUTPUT_NAMES), {INPUT_NAME: x})
        logits.append(lo)
        probs.append(pr)
    return np.concatenate(logits), np.concatenate(probs)


def verify_against_torch(model: VegLens, path: str, images: np.ndarray, atol: float = 1e-4) -> float:
    """Max |ORT - PyTorch| probability difference on images; raises if above atol or top-1 differs."""
    model = model.eval()
    with torch.inference_mode():
        _, ref = model(torch.from_numpy(np.asarray(images, dtype=np.float32)))
    _, got = onnx_predict(session(path), images)
    ref = ref.numpy()
    diff = float(np.abs(ref - got).max())
    if diff > atol or not np.array_equal(ref.argmax(1), got.argmax(1)):
        raise RuntimeError(f"ONNX model disagrees with PyTorch: max |diff| {diff:.2e} (allowed {atol:.0e})")
    return diff


def file_version(path: str) -> str:
    """Model version: the first 12 hex characters of the file's sha256."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:12]


def write_json(path: str, obj) -> None:
    """Write JSON atomically (temporary file + rename)."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def model_json(onnx_path: str, architecture: str, threshold: float, labels: list[str]) -> dict:
    """model.json: labels are the kinds in output order (the training data's sorted class folders)."""
    return {
        "name": "veglens",
        "version": file_version(onnx_path),
        "architecture": architecture,
        "input": {"name": INPUT_NAME, "size": IMAGE_SIZE, "layout": "NHWC", "range": [0, 255]},
        "outputs": {"logits": OUTPUT_NAMES[0], "probabilities": OUTPUT_NAMES[1]},
        "labels": list(labels),
        "refusal": {"score": "max_probability", "threshold": float(threshold)},
    }
