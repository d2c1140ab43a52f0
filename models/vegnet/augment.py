"""Augmentations that make the training photos look like real phone photos.

Each call takes its own numpy Generator, so a (seed, view, image) triple always gives the
same picture: the cached training features are reproducible.
Hue changes stay small on purpose: colour is part of what tells the kinds apart.
"""
from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter

from .net import IMAGE_SIZE

INTERPOLATIONS = (Image.NEAREST, Image.BILINEAR, Image.BICUBIC, Image.LANCZOS, Image.BOX, Image.HAMMING)
SMOOTH_INTERPOLATIONS = INTERPOLATIONS[1:]


def _corner_fill(im: Image.Image) -> tuple[int, int, int]:
    a = np.asarray(im)
    corners = np.stack([a[0, 0], a[0, -1], a[-1, 0], a[-1, -1]])
    return tuple(int(v) for v in np.median(corners, axis=0))


def random_resized_crop(im: Image.Image, rng: np.random.Generator, scale=(0.35, 1.0),
                        ratio=(3 / 4, 4 / 3)) -> Image.Image:
    w, h = im.size
    area = w * h
    for _ in range(10):
        target = area * rng.uniform(*scale)
        aspect = np.exp(rng.uniform(np.log(ratio[0]), np.log(ratio[1])))
        cw, ch = int(round(np.sqrt(target * aspect))), int(round(np.sqrt(target / aspect)))
        if 0 < cw <= w and 0 < ch <= h:
            x0, y0 = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
            break
    else:
        cw, ch, x0, y0 = w, h, 0, 0
    resample = SMOOTH_INTERPOLATIONS[int(rng.integers(len(SMOOTH_INTERPOLATIONS)))]
    return im.resize((IMAGE_SIZE, IMAGE_SIZE), resample, box=(x0, y0, x0 + cw, y0 + ch))


def shift_hue(im: Image.Image, delta: float) -> Image.Image:
    """Rotate hue by delta (fraction of the colour circle)."""
    hsv = np.asarray(im.convert("HSV")).copy()
    hsv[..., 0] = (hsv[..., 0].astype(np.int16) + int(round(delta * 255))) % 256
    return Image.fromarray(hsv, "HSV").convert("RGB")


def jpeg(im: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=quality)
    buf.seek(0)
    with Image.open(buf) as out:
        return out.convert("RGB")


def light(im: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Mild view: flips and a gentle crop; close to the validation photos."""
    if rng.random() < 0.5:
        im = im.transpose(Image.FLIP_LEFT_RIGHT)
    if rng.random() < 0.5:
        im = im.transpose(Image.FLIP_TOP_BOTTOM)
    return random_resized_crop(im, rng, scale=(0.7, 1.0), ratio=(0.9, 1.1))


def phone(im: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Strong view: framing, orientation, lighting, focus, resolution and compression of phone photos."""
    if rng.random() < 0.5:
        im = im.transpose(Image.FLIP_LEFT_RIGHT)
    if rng.random() < 0.5:
        im = im.transpose(Image.FLIP_TOP_BOTTOM)
    if rng.random() < 0.6:
        im = im.rotate(float(rng.uniform(-15, 15)), resample=Image.BILINEAR, fillcolor=_corner_fill(im))
    im = random_resized_crop(im, rng)
    im = ImageEnhance.Brightness(im).enhance(rng.uniform(0.7, 1.3))
    im = ImageEnhance.Contrast(im).enhance(rng.uniform(0.75, 1.25))
    im = ImageEnhance.Color(im).enhance(rng.uniform(0.8, 1.2))
    if rng.random() < 0.3:
        im = shift_hue(im, rng.uniform(-0.02, 0.02))
    if rng.random() < 0.3:
        im = im.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.5)))
    if rng.random() < 0.2:
        side = int(rng.integers(96, 180))
        down = INTERPOLATIONS[int(rng.integers(len(INTERPOLATIONS)))]
        up = SMOOTH_INTERPOLATIONS[int(rng.integers(len(SMOOTH_INTERPOLATIONS)))]
        im = im.resize((side, side), down).resize((IMAGE_SIZE, IMAGE_SIZE), up)
    if rng.random() < 0.2:
        a = np.asarray(im, dtype=np.float32)
        a = a + rng.normal(0, rng.uniform(2, 8), a.shape)
        im = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    if rng.random() < 0.5:
        im = jpeg(im, int(rng.integers(35, 96)))
    return im


VIEWS = {"light": light, "phone": phone}
