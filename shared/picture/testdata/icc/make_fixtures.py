"""Writes the colour-management fixtures of shared/picture (icc_test.go).

Run once with the models' environment (it has Pillow, whose ImageCms is Little CMS):

    ../../../../.cache/venv-models/bin/python make_fixtures.py

It builds two matrix/TRC ICC profiles from the figures their makers publish (Display P3:
Apple's D50-adapted primaries and the sRGB tone curve as a parametric curve; Adobe RGB (1998):
its D50-adapted primaries and gamma 563/256), paints a 64x48 test card of saturated and
neutral colours, and saves it carrying each profile (PNG iCCP, JPEG APP2, WebP ICCP), together
with what Little CMS makes of it in sRGB (relative colorimetric; for the JPEG, of its pixels as
Pillow decodes them): the oracle the Go conversion is checked against.
"""
import io
import struct

from PIL import Image, ImageCms


def s15(v: float) -> bytes:
    return struct.pack(">i", round(v * 65536))


def tag_xyz(x, y, z) -> bytes:
    return b"XYZ \0\0\0\0" + s15(x) + s15(y) + s15(z)


def tag_text(t: str) -> bytes:  # v2 textDescriptionType
    a = t.encode("ascii") + b"\0"
    return b"desc\0\0\0\0" + struct.pack(">I", len(a)) + a + b"\0" * (4 + 4 + 2 + 1 + 67)


def pad4(b: bytes) -> bytes:
    return b + b"\0" * (-len(b) % 4)


def profile(name: str, primaries, trc: bytes) -> bytes:
    tags = [(b"desc", tag_text(name)), (b"cprt", b"text\0\0\0\0public domain\0"),
            (b"wtpt", tag_xyz(0.9642, 1.0, 0.8249))]
    for ch, xyz in zip((b"r", b"g", b"b"), primaries):
        tags.append((ch + b"XYZ", tag_xyz(*xyz)))
    for ch in (b"r", b"g", b"b"):
        tags.append((ch + b"TRC", trc))
    table, body = b"", b""
    offset = 128 + 4 + 12 * len(tags)
    for sig, data in tags:
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += pad4(data)
    size = offset + len(body)
    header = struct.pack(">I", size) + b"lcms" + bytes([2, 0x10, 0, 0]) + b"mntrRGB XYZ "
    header += struct.pack(">6H", 2026, 1, 1, 0, 0, 0) + b"acsp" + b"\0" * 24
    header += struct.pack(">I", 0) + s15(0.9642) + s15(1.0) + s15(0.8249) + b"\0" * 48
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


srgb_curve = b"para\0\0\0\0" + struct.pack(">H", 3) + b"\0\0" + b"".join(
    s15(v) for v in (2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045))
P3 = profile("Display P3 (test)", [(0.515121, 0.241196, -0.001053), (0.291977, 0.692245, 0.041885),
                                   (0.157104, 0.066574, 0.784073)], srgb_curve)
ADOBE = profile("Adobe RGB (1998) (test)", [(0.609741, 0.311111, 0.019470), (0.205276, 0.625671, 0.060867),
                                            (0.149185, 0.063217, 0.744568)],
                b"curv\0\0\0\0" + struct.pack(">IH", 1, 563) + b"\0\0")


def card() -> Image.Image:
    im = Image.new("RGB", (64, 48))
    px = im.load()
    for y in range(48):
        for x in range(64):
            if y < 16:  # saturated ramps: red, green, blue, then mixes
                v = 255 - 4 * (x % 16)
                px[x, y] = [(v, 0, 0), (0, v, 0), (0, 0, v), (v, v // 2, 0)][x // 16]
            elif y < 32:  # greys
                px[x, y] = (4 * x,) * 3
            else:  # a hue sweep
                h = Image.new("HSV", (1, 1), (4 * x, 200 + (y - 32) * 3, 220)).convert("RGB")
                px[x, y] = h.getpixel((0, 0))
    return im


def main() -> None:
    src = card()
    srgb = ImageCms.createProfile("sRGB")
    for name, prof in (("p3", P3), ("adobergb", ADOBE)):
        p = ImageCms.ImageCmsProfile(io.BytesIO(prof))
        src.save(f"{name}.png", icc_profile=prof)
        ImageCms.profileToProfile(src, p, srgb, renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                  outputMode="RGB").save(f"{name}-srgb.png")
    src.save("p3.jpg", quality=95, subsampling=0, icc_profile=P3)  # 4:4:4: no chroma upsampling to differ
    p3 = ImageCms.ImageCmsProfile(io.BytesIO(P3))
    ImageCms.profileToProfile(Image.open("p3.jpg"), p3, srgb, renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                              outputMode="RGB").save("p3-jpg-srgb.png")
    src.save("p3.webp", lossless=True, icc_profile=P3)
    src.save("srgb-profile.png", icc_profile=ImageCms.ImageCmsProfile(srgb).tobytes())


if __name__ == "__main__":
    main()
