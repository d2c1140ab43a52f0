"""ONNX export of the deployable model, its int8 quantisation, their verification, and model.json."""
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
OUTPUT_NAMES = ("logits", "probabilities", "embedding", "activation_map", "score")
FP32_FILE = "veglens-fp32.onnx"  # the float model, kept for parity and comparison
INT8_FILE = "veglens.onnx"       # the statically quantised model the service runs


def export_onnx(model: VegLens, path: str, opset: int = OPSET) -> None:
    """Write model as ONNX: input `image` float32 [N,224,224,3], outputs as net.VegLens documents.

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
                dynamic_axes={INPUT_NAME: {0: "N"}, **{name: {0: "N"} for name in OUTPUT_NAMES}},
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


def onnx_predict(sess, images: np.ndarray, batch: int = 32) -> dict[str, np.ndarray]:
    """Run uint8/float (N,224,224,3) images through an ORT session; every output by name."""
    out: dict[str, list[np.ndarray]] = {name: [] for name in OUTPUT_NAMES}
    for i in range(0, len(images), batch):
        x = np.ascontiguousarray(images[i:i + batch], dtype=np.float32)
        for name, value in zip(OUTPUT_NAMES, sess.run(list(OUTPUT_NAMES), {INPUT_NAME: x})):
            out[name].append(value)
    return {name: np.concatenate(v) for name, v in out.items()}


def verify_against_torch(model: VegLens, path: str, images: np.ndarray, atol: float = 1e-4) -> float:
    """Max |ORT - PyTorch| difference of probabilities and score on images; raises if above
    atol or the top-1 differs."""
    model = model.eval()
    with torch.inference_mode():
        ref = dict(zip(OUTPUT_NAMES, (t.numpy() for t in model(torch.from_numpy(np.asarray(images, dtype=np.float32))))))
    got = onnx_predict(session(path), images)
    diff = max(float(np.abs(ref[k] - got[k]).max()) for k in OUTPUT_NAMES)
    if diff > atol or not np.array_equal(ref["probabilities"].argmax(1), got["probabilities"].argmax(1)):
        raise RuntimeError(f"ONNX model disagrees with PyTorch: max |diff| {diff:.2e} (allowed {atol:.0e})")
    return diff


def head_nodes(path: str) -> list[str]:
    """Names of the nodes after the head convolution's activation: pooling, the classifier,
    softmax, normalisation, the activation map and the refusal score. They are cheap and
    sensitive, so quantisation leaves them in float."""
    import onnx
    g = onnx.load(path).graph
    consumers: dict[str, list] = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    pools = [n for n in g.node if n.op_type in ("ReduceMean", "GlobalAveragePool")]
    if not pools:
        raise RuntimeError("no pooling node found")
    fmap = pools[0].input[0]  # the head's feature map: everything reading it, and downstream
    seen, stack = {}, list(consumers.get(fmap, []))
    while stack:
        n = stack.pop()
        if n.name in seen:
            continue
        seen[n.name] = n
        for o in n.output:
            stack.extend(consumers.get(o, []))
    return sorted(seen)


def quantize(fp32_path: str, int8_path: str, calibration: np.ndarray) -> None:
    """Static int8 quantisation (QDQ, per-channel weights, activations calibrated by MinMax on
    `calibration`, uint8 (N,224,224,3) training images) of everything up to the head's
    feature map; the head stays float (head_nodes). Weights use 7 of their 8 bits
    (reduce_range): x86 CPUs without VNNI multiply uint8 by int8 in 16-bit sums that full-range
    weights can saturate (ONNX Runtime's quantisation guide). Written atomically."""
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.batches = iter([{INPUT_NAME: np.ascontiguousarray(calibration[i:i + 8], dtype=np.float32)}
                                 for i in range(0, len(calibration), 8)])

        def get_next(self):
            return next(self.batches, None)

    directory = os.path.dirname(os.path.abspath(int8_path))
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        pre = os.path.join(tmp, "pre.onnx")
        quant_pre_process(fp32_path, pre, skip_symbolic_shape=True)
        out = os.path.join(tmp, "int8.onnx")
        quantize_static(pre, out, Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, reduce_range=True,
                        nodes_to_exclude=head_nodes(pre), extra_options={"ActivationSymmetric": False})
        import onnx
        onnx.checker.check_model(out)
        os.chmod(out, 0o644)
        os.replace(out, int8_path)


def file_version(path: str) -> str:
    """Model version: the first 12 hex characters of the file's sha256."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:12]


def finite(obj):
    """obj with every NaN or infinite float replaced by None: strict JSON, which the Go
    service and browsers parse (Python would write NaN)."""
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite(v) for v in obj]
    return obj


def write_json(path: str, obj) -> None:
    """Write strict JSON (no NaN: see finite) atomically (temporary file + rename)."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(finite(obj), f, indent=2, allow_nan=False)
        f.write("\n")
    os.replace(tmp, path)


def model_json(onnx_path: str, architecture: str, refusal: dict, labels: list[str],
               reference_path: str | None = None, embedding_dim: int = 0, map_size: int = 7) -> dict:
    """model.json: labels are the kinds in output order (the training data's sorted class
    folders); refusal = {"score": <what the score output is>, "threshold": t, "rule": ...};
    reference_path: the float model the quantised one was made from."""
    out = {
        "name": "veglens",
        "version": file_version(onnx_path),
        "architecture": architecture,
        "quantized": reference_path is not None,
        "input": {"name": INPUT_NAME, "size": IMAGE_SIZE, "layout": "NHWC", "range": [0, 255]},
        "outputs": {"logits": OUTPUT_NAMES[0], "probabilities": OUTPUT_NAMES[1], "embedding": OUTPUT_NAMES[2],
                    "activation_map": OUTPUT_NAMES[3], "score": OUTPUT_NAMES[4]},
        "embedding_dim": int(embedding_dim),
        "activation_map_size": int(map_size),
        "labels": list(labels),
        "refusal": refusal,
    }
    if reference_path is not None:
        out["reference"] = {"file": os.path.basename(reference_path), "version": file_version(reference_path)}
    return out
