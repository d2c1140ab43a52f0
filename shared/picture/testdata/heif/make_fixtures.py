"""Writes the HEIC and AVIF fixtures of shared/picture (heif_test.go).

Needs Pillow (which writes AVIF through libavif) and pillow-heif (libheif with the x265
encoder), in a throwaway environment:

    python3 -m venv /tmp/heif && /tmp/heif/bin/pip install pillow pillow-heif
    /tmp/heif/bin/python make_fixtures.py

It writes a 128x64 card of four quarters (red, green / blue, white) as HEIC and AVIF, a
HEIC of the same card at 256x128 stored sideways with HEIF's irot property, and the colour
card of ../icc at twice its size (Display P3 profile) as HEIC and AVIF, with what Little CMS
makes of the AVIF's decoded pixels in sRGB: the oracle the Go conversion is checked against; and a gallery tomato photo as HEIC, for the end-to-end upload tests. (HEICs are at least 128 px wide, but narrow.heic, which picture refuses.)
"""
import io
import os
import sys

import pillow_heif
from PIL import Image, ImageCms

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "icc"))
from make_fixtures import P3, card  # noqa: E402  (the ICC fixtures' profile and test card)

pillow_heif.register_heif_opener()


def quadrants(w: int, h: int) -> Image.Image:
    im = Image.new("RGB", (w, h))
    colours = [[(255, 0, 0), (0, 255, 0)], [(0, 0, 255), (255, 255, 255)]]
    px = im.load()
    for y in range(h):
        for x in range(w):
            px[x, y] = colours[min(2 * y // h, 1)][min(2 * x // w, 1)]
    return im


def main() -> None:
    q = quadrants(128, 64)
    q.save("quadrants.heic", quality=90)
    q.save("quadrants.avif", quality=90)
    quadrants(96, 64).save("narrow.heic", quality=90)  # refused: too narrow to decode reliably
    # Stored sideways, as a phone sensor does, with EXIF orientation 6, which pillow-heif
    # writes as HEIF's irot property: shown as the upright 256x128 card.
    sideways = quadrants(256, 128).transpose(Image.Transpose.ROTATE_90)  # what a phone sensor stores
    exif = Image.Exif()
    exif[0x0112] = 6
    sideways.save("rotated.heic", quality=90, exif=exif.tobytes())
    # A gallery tomato as an iPhone would send it (HEIC, Display P3 not needed: sRGB):
    # the end-to-end upload tests expect it classified as Tomato.
    gallery = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "infra", "gallery", "Tomato")
    tomato = Image.open(os.path.join(gallery, sorted(os.listdir(gallery))[0])).convert("RGB")
    tomato.resize((256, 256), Image.Resampling.BICUBIC).save("tomato.heic", quality=75)
    src = card().resize((128, 96), Image.Resampling.NEAREST)
    srgb = ImageCms.createProfile("sRGB")
    p3 = ImageCms.ImageCmsProfile(io.BytesIO(P3))
    src.save("p3.heic", quality=95, icc_profile=P3)  # 4:2:0, as phones write
    src.save("p3.avif", quality=95, icc_profile=P3, subsampling="4:4:4")  # 4:4:4: no chroma upsampling to differ
    ImageCms.profileToProfile(Image.open("p3.avif").convert("RGB"), p3, srgb,
                              renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                              outputMode="RGB").save("p3-avif-srgb.png")


if __name__ == "__main__":
    main()
