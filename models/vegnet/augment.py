"""Augmentations that make the training photos look like real phone photos.

Each call takes its own numpy Generator, so a (seed, view, image) triple always gives the
same picture: the cached training features are reproducible.
Hue changes stay small on purpose: colour is part of what tells the kinds apart.

The dataset's photos show the vegetable on a plain background, a shortcut a network happily
learns. The `paste` view breaks it: the vegetable is cut out by a simple background rule
(`cutout`) and pasted, at a random size and place, onto a crop of a photo that shows none of
the kinds (or onto a generated texture when there is none), then lit and compressed like a
phone photo.
"""
from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter

from .data import load_rgb
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


def white_balance(im: Image.Image, rng: np.random.Generator, spread: float = 0.12) -> Image.Image:
    """Per-channel gains around 1 (a warm or cool cast), keeping the overall brightness."""
    gains = np.exp(rng.uniform(-spread, spread, 3))
    gains /= gains.mean()
    a = np.asarray(im, dtype=np.float32) * gains
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def light(im: Image.Image, rng: np.random.Generator, backgrounds=()) -> Image.Image:
    """Mild view: flips and a gentle crop; close to the validation photos."""
    if rng.random() < 0.5:
        im = im.transpose(Image.FLIP_LEFT_RIGHT)
    if rng.random() < 0.5:
        im = im.transpose(Image.FLIP_TOP_BOTTOM)
    return random_resized_crop(im, rng, scale=(0.7, 1.0), ratio=(0.9, 1.1))


def phone(im: Image.Image, rng: np.random.Generator, backgrounds=()) -> Image.Image:
    """Strong view: framing, orientation, lighting, focus, resolution and compression of phone photos."""
    if rng.random() < 0.5:
        im = im.transpose(Image.FLIP_LEFT_RIGHT)
    if rng.random() < 0.5:
        im = im.transpose(Image.FLIP_TOP_BOTTOM)
    if rng.random() < 0.6:
        im = im.rotate(float(rng.uniform(-15, 15)), resample=Image.BILINEAR, fillcolor=_corner_fill(im))
    im = random_resized_crop(im, rng)
    return camera(im, rng)


def camera(im: Image.Image, rng: np.random.Generator) -> Image.Image:
    """What a phone camera does to a 224x224 scene: exposure, contrast, white balance, focus,
    resolution, sensor noise and JPEG compression."""
    if rng.random() < 0.5:
        im = white_balance(im, rng)
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


def cutout(im: Image.Image, min_share: float = 0.12, max_share: float = 0.92) -> Image.Image | None:
    """The subject of a plain-background photo as RGBA (alpha = subject), or None.

    Rule: the background colour is the median of the outermost 3-pixel frame; a pixel is
    subject when it differs from it by more than max(28, 3 x the frame's median deviation)
    in RGB; the mask is cleaned by an opening and a closing (5x5) and feathered. None when
    the subject covers less than min_share or more than max_share of the picture (no plain
    background to remove).
    """
    a = np.asarray(im.convert("RGB"), dtype=np.int16)
    frame = np.concatenate([a[:3].reshape(-1, 3), a[-3:].reshape(-1, 3), a[:, :3].reshape(-1, 3),
                            a[:, -3:].reshape(-1, 3)])
    bg = np.median(frame, axis=0)
    spread = np.median(np.abs(frame - bg).sum(1))
    dist = np.abs(a - bg).sum(2)
    m = dist > max(28.0, 3.0 * spread)
    m = _grow(_grow(m, 2, np.logical_and), 2, np.logical_or)  # opening: drops specks
    m = _grow(_grow(m, 2, np.logical_or), 2, np.logical_and)  # closing: fills pinholes
    mask = Image.fromarray((m * 255).astype(np.uint8))
    share = m.mean()
    if not min_share <= share <= max_share:
        return None
    out = im.convert("RGBA")
    out.putalpha(mask.filter(ImageFilter.GaussianBlur(1.5)))
    return out.crop(mask.getbbox())


def _grow(m: np.ndarray, r: int, op) -> np.ndarray:
    """Binary erosion (op=logical_and) or dilation (logical_or) with a (2r+1)^2 square,
    separably; outside the picture counts as background for dilation and subject for erosion."""
    for axis in (0, 1):
        out = m.copy()
        for d in range(1, r + 1):
            for shift in (d, -d):
                rolled = np.roll(m, shift, axis=axis)
                edge = [slice(None)] * 2
                edge[axis] = slice(0, d) if shift > 0 else slice(-d, None)
                rolled[tuple(edge)] = op is np.logical_and
                out = op(out, rolled)
        m = out
    return m


def background(rng: np.random.Generator, backgrounds) -> Image.Image:
    """A 224x224 scene without any of the kinds: a random crop of one of the background
    photos, or, without any, a generated texture (gradient and blotches)."""
    if len(backgrounds):
        bg = load_rgb(backgrounds[int(rng.integers(len(backgrounds)))])
        if rng.random() < 0.5:
            bg = bg.transpose(Image.FLIP_LEFT_RIGHT)
        return random_resized_crop(bg, rng, scale=(0.2, 1.0))
    y, x = np.mgrid[0:IMAGE_SIZE, 0:IMAGE_SIZE] / IMAGE_SIZE
    c0, c1 = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
    t = (x * rng.uniform(-1, 1) + y * rng.uniform(-1, 1))[..., None]
    a = c0 + (c1 - c0) * (t - t.min()) / max(np.ptp(t), 1e-6)
    a += rng.normal(0, rng.uniform(3, 25), a.shape)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(rng.uniform(0, 3)))


def paste(im: Image.Image, rng: np.random.Generator, backgrounds=()) -> Image.Image:
    """The vegetable cut out of its plain background and pasted onto another scene; photos
    without a plain background get the phone view instead."""
    subject = cutout(im)
    if subject is None:
        return phone(im, rng)
    if rng.random() < 0.5:
        subject = subject.transpose(Image.FLIP_LEFT_RIGHT)
    if rng.random() < 0.5:
        subject = subject.rotate(float(rng.uniform(-30, 30)), resample=Image.BILINEAR, expand=True)
    scene = background(rng, backgrounds)
    side = rng.uniform(0.6, 1.05) * IMAGE_SIZE
    scale = side / max(subject.size)
    w, h = max(1, int(subject.width * scale)), max(1, int(subject.height * scale))
    subject = subject.resize((w, h), Image.BILINEAR)
    x = int(rng.integers(min(0, IMAGE_SIZE - w), max(0, IMAGE_SIZE - w) + 1))
    y = int(rng.integers(min(0, IMAGE_SIZE - h), max(0, IMAGE_SIZE - h) + 1))
    scene.paste(subject, (x, y), subject)
    return camera(scene, rng)


VIEWS = {"light": light, "phone": phone, "paste": paste}
