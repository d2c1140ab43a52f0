"""`python -m vegnet.bench FILE...`: the baseline the Go service is measured against.

The stack veglens replaces: Pillow decodes each JPEG and resizes it to 224x224 (bilinear),
numpy makes the float32 NHWC batch of one, and onnxruntime (Python, 1 intra-op thread) runs
the model. For each model file given with --model (default: the int8 and float models of
models/), it times decode+classify of every file `--rounds` times and prints one JSON line
per model: p50/p99 ms of decode+classify and of inference alone. Prints nothing else on stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
from PIL import Image

from .config import MODELS_DIR
from .export import INPUT_NAME, session

IMAGE_SIZE = 224


def decode(path: str) -> np.ndarray:
    with Image.open(path) as im:
        im = im.convert("RGB")
        if im.size != (IMAGE_SIZE, IMAGE_SIZE):
            im = im.resize((IMAGE_SIZE, IMAGE_SIZE), Image.BILINEAR)
        return np.asarray(im, dtype=np.float32)[None]


def measure(model: str, files: list[str], rounds: int) -> dict:
    sess = session(model, threads=1)
    for f in files[:10]:  # warm-up
        sess.run(None, {INPUT_NAME: decode(f)})
    total, infer = [], []
    for _ in range(rounds):
        for f in files:
            t0 = time.perf_counter()
            x = decode(f)
            t1 = time.perf_counter()
            sess.run(None, {INPUT_NAME: x})
            t2 = time.perf_counter()
            total.append((t2 - t0) * 1000)
            infer.append((t2 - t1) * 1000)
    pct = lambda v, q: round(float(np.percentile(v, q)), 3)  # noqa: E731
    return {"stack": "python-pillow-onnxruntime", "model": os.path.basename(model), "files": len(files),
            "runs": len(total), "decode_classify_p50_ms": pct(total, 50), "decode_classify_p99_ms": pct(total, 99),
            "inference_p50_ms": pct(infer, 50), "inference_p99_ms": pct(infer, 99)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m vegnet.bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+", help="JPEG files")
    p.add_argument("--model", action="append", help="ONNX model (repeatable); default: both of models/")
    p.add_argument("--rounds", type=int, default=3)
    a = p.parse_args(argv)
    models = a.model or [os.path.join(MODELS_DIR, "veglens.onnx"), os.path.join(MODELS_DIR, "veglens-fp32.onnx")]
    for m in models:
        print(json.dumps(measure(m, a.files, a.rounds)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
