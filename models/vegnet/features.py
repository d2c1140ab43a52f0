"""Frozen-trunk features, computed once per (augmented) view with ONNX Runtime and cached on disk."""
from __future__ import annotations

import hashlib
import inspect
import json
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
from torch import nn

from . import augment, net
from .data import Sample, load_rgb, to_model_input
from .export import session

log = logging.getLogger("vegnet")


class _NormalisedTrunk(nn.Module):
    def __init__(self, trunk: net.Trunk):
        super().__init__()
        self.trunk = trunk

    def forward(self, image):
        return self.trunk(net.normalise(image))


def export_trunk(trunk: net.Trunk, path: str) -> None:
    """ONNX copy of the frozen trunk (NHWC 0..255 in, feature map out); much faster on CPU than eager PyTorch."""
    import warnings
    example = torch.full((2, net.IMAGE_SIZE, net.IMAGE_SIZE, 3), 127.0)
    tmp = path + ".tmp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(_NormalisedTrunk(trunk).eval(), (example,), tmp, input_names=["image"],
                          output_names=["features"], dynamic_axes={"image": {0: "N"}, "features": {0: "N"}},
                          opset_version=17, do_constant_folding=True, dynamo=False)
    os.replace(tmp, path)


def view_image(sample: Sample, view: str, seed: int, view_index: int, index: int,
               backgrounds: tuple[str, ...] = ()) -> np.ndarray:
    """The uint8 (224,224,3) picture of one sample in one view ('clean' = resized original);
    backgrounds: photos the paste view may put the vegetable in."""
    im = load_rgb(sample.path)
    if view == "clean":
        return to_model_input(im)
    rng = np.random.default_rng([seed, view_index, index])
    return to_model_input(augment.VIEWS[view](im, rng, backgrounds))


def cache_key(samples: list[Sample], view: str, view_index: int, seed: int, variant: str, split: int,
              backgrounds: tuple[str, ...] = ()) -> str:
    """Content key: the file list (names and sizes), the view, the seed, the backgrounds and
    the code that makes pixels."""
    h = hashlib.sha256()
    h.update(json.dumps([variant, split, view, view_index, seed, [os.path.basename(b) for b in backgrounds]]).encode())
    h.update(inspect.getsource(augment).encode())
    h.update(inspect.getsource(net).encode())
    for s in samples:
        h.update(f"{s.label}:{os.path.basename(os.path.dirname(s.path))}/{os.path.basename(s.path)}:"
                 f"{os.path.getsize(s.path)}\n".encode())
    return h.hexdigest()[:16]


def extract(samples: list[Sample], view: str, view_index: int, seed: int, trunk_onnx: str,
            cache_dir: str, key_parts: tuple[str, int], threads: int = 2, batch: int = 32,
            backgrounds: tuple[str, ...] = ()) -> np.ndarray:
    """Trunk features (float16) for every sample in one view; read from cache_dir when present."""
    backgrounds = tuple(backgrounds)
    key = cache_key(samples, view, view_index, seed, *key_parts, backgrounds=backgrounds)
    path = os.path.join(cache_dir, f"features-{view}{view_index}-{key}.npy")
    if os.path.exists(path):
        log.info("features %s view %d: cached (%s)", view, view_index, os.path.basename(path))
        return np.load(path)
    sess = session(trunk_onnx, threads)
    start = time.time()

    def make(lo: int) -> np.ndarray:
        return np.stack([view_image(samples[i], view, seed, view_index, i, backgrounds)
                         for i in range(lo, min(lo + batch, len(samples)))])

    out = None
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(make, 0)
        for lo in range(0, len(samples), batch):
            images = pending.result()
            if lo + batch < len(samples):
                pending = pool.submit(make, lo + batch)
            feats = sess.run(["features"], {"image": images.astype(np.float32)})[0]
            if out is None:
                out = np.empty((len(samples),) + feats.shape[1:], dtype=np.float16)
            out[lo:lo + len(images)] = feats.astype(np.float16)
            done = lo + len(images)
            if (lo // batch) % 50 == 0 or done == len(samples):
                rate = done / max(time.time() - start, 1e-9)
                log.info("features %s view %d: %d/%d (%.1f img/s)", view, view_index, done, len(samples), rate)
    os.makedirs(cache_dir, exist_ok=True)
    tmp = path + ".tmp.npy"
    np.save(tmp, out)
    os.replace(tmp, path)
    return out
