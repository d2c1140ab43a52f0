"""The supplementary photos: real-world photos of some kinds and photos of things that are none.

Layout (see the data's README):

    <EXTRA>/realworld/<Kind>/*.jpg      real photos of the model's kinds (shops, hands, varieties)
    <EXTRA>/unknown/<label>/*.jpg       none of the kinds: other produce, food, objects, scenes

Every file belongs to one part, fixed by its file name alone (so adding files never moves the
others): train, select (choosing the round, the refusal rule and its threshold) and report (the
figures the model card gives, never used for a choice).

Shop photos come in bursts: several frames of the same shelf, minutes apart, numbered one after
another. A split by a hash of each file would put neighbouring frames of one shelf on both sides
and flatter the held-out figures. So Grocery Store Dataset files (`gsd-<split>_<class>_<NNN>`)
are split by the source's own split, whose train and test photos come from different visits
(checked by eye on samples): its train and val photos are our train part; its test photos are
split into blocks of ten consecutive numbers per class, even blocks to select and odd blocks to
report, so neighbouring frames land together. Every other file (independent photos, such as
the ImageNet samples) goes by a hash of its name: train 3 in 5, select 1 in 5, report 1 in 5.
"""
from __future__ import annotations

import hashlib
import os
import re

from .data import IMAGE_EXTENSIONS, DatasetError, Sample

PARTS = ("train", "select", "report")
UNKNOWN = "unknown"  # the class name of "none of the kinds" (never a label of model.json)

# unknown/<label> folders that show no food at all: scenes the paste augmentation puts the
# vegetables in (a pasted carrot on a pile of lemons would teach that lemons are carrots).
BACKGROUND_LABELS = frozenset({
    "animal", "building_scene", "clothing", "dairy_pack", "dog_cat", "electronics", "household_object",
    "juice_carton", "kitchenware", "milk_carton", "nature_scene", "plant_milk_carton", "small_object",
    "sport_toy_music", "tool", "vehicle", "yoghurt_pack",
})


def backgrounds(samples: list[Sample]) -> list[str]:
    """The paths of the unknown samples whose folder shows no food (BACKGROUND_LABELS)."""
    return [s.path for s in samples if s.class_name.split("/", 1)[-1] in BACKGROUND_LABELS]


# Grocery Store Dataset files: gsd-<its split>_<its class>_<number>.<ext>
_GSD = re.compile(r"^gsd-(train|val|test)_(.+)_(\d+)\.[A-Za-z]+$")
BLOCK = 10  # consecutive frame numbers kept together in one held-out part


def part_of(file_name: str) -> str:
    """The part a file belongs to, from its base name (see the module docstring).

    Grocery Store Dataset train/val files: train; its test files: select when
    number // BLOCK is even, else report. Any other file: sha256 of its base name, modulo 5
    (0-2 train, 3 select, 4 report).
    """
    base = os.path.basename(file_name)
    m = _GSD.match(base)
    if m:
        split, _, number = m.groups()
        if split != "test":
            return "train"
        return "select" if (int(number) // BLOCK) % 2 == 0 else "report"
    h = int(hashlib.sha256(base.encode()).hexdigest(), 16) % 5
    return PARTS[0] if h < 3 else PARTS[h - 2]


def _files(d: str) -> list[str]:
    return sorted(f for f in os.listdir(d) if f.lower().endswith(IMAGE_EXTENSIONS) and not f.startswith("."))


def list_extra(root: str, classes: list[str]) -> dict[str, dict[str, list[Sample]]]:
    """{part: {"realworld": [...], "unknown": [...]}}.

    Real-world samples carry their kind's label; unknown samples carry label len(classes)
    (the extra "unknown" output) and class_name "unknown/<label>". A realworld folder that is
    not a kind is an error.
    """
    out = {p: {"realworld": [], "unknown": []} for p in PARTS}
    rw, unk = os.path.join(root, "realworld"), os.path.join(root, UNKNOWN)
    if not os.path.isdir(rw) or not os.path.isdir(unk):
        raise DatasetError(f"extra folder {root!r} needs realworld/<Kind>/ and unknown/<label>/ sub-folders")
    for kind in sorted(os.listdir(rw)):
        d = os.path.join(rw, kind)
        if not os.path.isdir(d) or kind.startswith("."):
            continue
        if kind not in classes:
            raise DatasetError(f"{d!r}: {kind!r} is not one of the kinds ({', '.join(classes)})")
        for f in _files(d):
            out[part_of(f)]["realworld"].append(Sample(os.path.join(d, f), classes.index(kind), kind))
    for label in sorted(os.listdir(unk)):
        d = os.path.join(unk, label)
        if not os.path.isdir(d) or label.startswith("."):
            continue
        for f in _files(d):
            out[part_of(f)]["unknown"].append(Sample(os.path.join(d, f), len(classes), f"{UNKNOWN}/{label}"))
    return out
