"""Metrics, the refusal rule, augmentation, the extra photos' parts and dataset checks."""
import os

import numpy as np
import pytest
from PIL import Image

from conftest import gallery_kinds
from vegnet import augment, config, data, extra, metrics, refusal, train


def test_confusion_and_per_class():
    labels = np.array([0, 0, 1, 1, 2])
    preds = np.array([0, 1, 1, 1, 0])
    cm = metrics.confusion(labels, preds, 3)
    assert cm.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]
    pc = metrics.per_class(cm, ["a", "b", "c"])
    assert pc["a"]["precision"] == 0.5 and pc["a"]["recall"] == 0.5
    assert pc["b"]["precision"] == pytest.approx(2 / 3) and pc["b"]["recall"] == 1.0
    assert pc["b"]["f1"] == pytest.approx(0.8)
    assert pc["c"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}


def test_ece():
    # confident and right: no calibration error
    probs = np.eye(3)[[0, 1, 2, 0]]
    assert metrics.expected_calibration_error(probs, np.array([0, 1, 2, 0])) == 0.0
    # 0.9 confident, right half the time: error 0.4
    probs = np.tile([0.9, 0.1], (4, 1))
    assert metrics.expected_calibration_error(probs, np.array([0, 0, 1, 1])) == pytest.approx(0.4)


@pytest.mark.parametrize("n", [100, 250, 3000])
def test_threshold_refuses_at_most_one_percent_of_validation(n):
    rng = np.random.default_rng(n)
    val, real, unknown = rng.uniform(0.3, 1.0, n), rng.uniform(0.8, 1.0, 50), rng.uniform(0.0, 0.7, 80)
    t = refusal.choose_threshold(val, real, unknown, 0.01, 0.9)
    assert refusal.refused(val, t) <= 0.01
    # no allowed threshold reaches 90 % of the unknown photos here: none may do better at refusing
    # unknown photos for each real photo refused
    gain = lambda x: refusal.refused(unknown, x) - refusal.refused(real, x)  # noqa: E731
    allowed = [x for x in np.linspace(0, 1, 401) if refusal.refused(val, x) <= 0.01]
    assert all(gain(x) <= gain(t) + 1e-12 for x in allowed)


def test_threshold_stops_where_enough_unknown_photos_are_refused():
    val = np.linspace(0.9, 1.0, 200)
    real = np.array([0.65, 0.7, 0.8, 0.95])
    unknown = np.array([0.1, 0.2, 0.3, 0.4, 0.45, 0.5, 0.52, 0.54, 0.56, 0.6])
    t = refusal.choose_threshold(val, real, unknown, 0.01, 0.9)
    assert refusal.refused(unknown, t) == 0.9
    assert refusal.refused(real, t) == 0.0 and t < 0.6  # the lowest such threshold
    assert refusal.choose_threshold(val, np.array([]), np.array([]), 0.01, 0.9) > 0.9  # only validation to go by


def test_threshold_keeps_a_margin_when_the_sample_allows():
    # 400 unknown photos with scores spread evenly: refusing just 90 % of them would miss 90 %
    # on other photos half the time, so the threshold refuses enough that the Wilson lower
    # bound (95 %) reaches 90 %.
    val = np.linspace(0.9, 1.0, 200)
    unknown = np.linspace(0.0, 0.8, 400)
    t = refusal.choose_threshold(val, np.array([0.85]), unknown, 0.01, 0.9, 0.95)
    k = int(round(refusal.refused(unknown, t) * 400))
    assert refusal.wilson_lower(k, 400, 0.95) >= 0.9 > refusal.wilson_lower(k - 1, 400, 0.95)
    assert 0.92 < k / 400 < 0.94


def test_wilson_lower_bound():
    assert refusal.wilson_lower(0, 0, 0.95) == 0.0
    assert abs(refusal.wilson_lower(90, 100, 0.95) - 0.8395) < 1e-3  # z = 1.645
    assert refusal.wilson_lower(10, 10, 0.95) < 1.0


def test_threshold_with_ties():
    scores = np.array([0.5] * 5 + [1.0] * 95)
    t = refusal.choose_threshold(scores, np.array([]), np.array([]), 0.01, 0.9)
    assert refusal.refused(scores, t) <= 0.01


def test_auroc():
    assert refusal.auroc(np.array([0.9, 0.8]), np.array([0.1, 0.2])) == 1.0
    assert refusal.auroc(np.array([0.1]), np.array([0.9])) == 0.0
    assert refusal.auroc(np.array([0.9, 0.8]), np.array([0.1, 0.85])) == 0.75
    assert refusal.auroc(np.array([0.5, 0.5]), np.array([0.5])) == 0.5


def test_mahalanobis_head_tells_near_from_far():
    rng = np.random.default_rng(0)
    centres = refusal.l2(rng.normal(size=(3, 32)))
    labels = np.repeat(np.arange(3), 100)
    emb = refusal.l2(centres[labels] + rng.normal(scale=0.05, size=(300, 32)))
    val = refusal.l2(centres[np.arange(60) % 3] + rng.normal(scale=0.05, size=(60, 32)))
    far = refusal.l2(rng.normal(size=(40, 32)))
    head = refusal.fit_mahalanobis(emb, labels, 3, val, components=16)
    import torch
    with torch.inference_mode():
        near_v, far_v = (head(torch.from_numpy(x.astype(np.float32))).numpy() for x in (val, far))
    assert np.median(near_v) > 0.8 and np.median(far_v) < 0.2
    assert refusal.auroc(near_v, far_v) > 0.95


def test_extra_parts_are_fixed_by_the_file_name():
    names = [f"photo-{i}.jpg" for i in range(500)]
    parts = [extra.part_of(n) for n in names]
    assert parts == [extra.part_of("some/folder/" + n) for n in names]  # the folder does not matter
    counts = {p: parts.count(p) / len(parts) for p in extra.PARTS}
    assert 0.5 < counts["train"] < 0.7 and 0.12 < counts["select"] < 0.28 and 0.12 < counts["report"] < 0.28


def test_shop_photo_bursts_stay_in_one_part():
    # The source's own train/val photos are trained on; its test photos are held out, and
    # neighbouring frames of one shelf (ten consecutive numbers) are never split between
    # select and report.
    assert extra.part_of("gsd-train_Carrots_001.jpg") == "train"
    assert extra.part_of("realworld/Carrot/gsd-val_Carrots_004.jpg") == "train"
    burst = {extra.part_of(f"gsd-test_Vine-Tomato_{n:03d}.jpg") for n in range(20, 30)}
    assert burst == {"select"}
    assert {extra.part_of(f"gsd-test_Vine-Tomato_{n:03d}.jpg") for n in range(30, 40)} == {"report"}
    assert extra.part_of("gsd-test_Red-Bell-Pepper_105.jpg") == "select"
    # not the source's naming: the hash rule
    assert extra.part_of("gsd-test_Carrots.jpg") in extra.PARTS


def test_extra_layout(tiny_extra):
    parts = extra.list_extra(tiny_extra, gallery_kinds())
    real = [s for p in extra.PARTS for s in parts[p]["realworld"]]
    unknown = [s for p in extra.PARTS for s in parts[p]["unknown"]]
    assert len(real) == 12 and len(unknown) == 12
    assert {s.class_name for s in real} == {"Carrot", "Potato", "Tomato"}
    assert all(s.label == len(gallery_kinds()) and s.class_name.startswith("unknown/") for s in unknown)
    with pytest.raises(data.DatasetError, match="not one of the kinds"):
        extra.list_extra(tiny_extra, ["Carrot", "Tomato"])


def test_cutout_finds_the_subject_on_a_plain_background():
    im = Image.new("RGB", (224, 224), (240, 240, 235))
    im.paste((200, 30, 30), (60, 80, 160, 170))
    cut = augment.cutout(im)
    assert cut is not None and cut.mode == "RGBA"
    assert abs(cut.width - 100) <= 4 and abs(cut.height - 90) <= 4
    assert augment.cutout(sample_image()) is None  # noise: no plain background to remove


def test_paste_puts_the_vegetable_on_another_scene(tiny_extra):
    im = Image.new("RGB", (224, 224), (240, 240, 235))
    im.paste((200, 30, 30), (40, 40, 184, 184))
    scenes = sorted(str(p) for p in __import__("pathlib").Path(tiny_extra, "unknown").rglob("*.jpg"))
    out = np.asarray(augment.paste(im, np.random.default_rng(3), scenes)).astype(int)
    red = (out[..., 0] > 120) & (out[..., 1] < 90)
    plain = (np.abs(out - [240, 240, 235]).sum(2) < 30)
    assert 0.15 < red.mean() < 0.95, "the vegetable is there, at a sensible size"
    assert plain.mean() < 0.3, "the plain background is gone"


def test_class_weights_balance_the_classes():
    labels = np.array([0] * 90 + [1] * 10)
    w = train.class_weights(labels, 2).numpy()
    assert w[1] / w[0] == pytest.approx(9.0)
    assert (w * np.bincount(labels)).tolist() == pytest.approx([50.0, 50.0])


def sample_image():
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 256, (224, 200, 3), dtype=np.uint8))


@pytest.mark.parametrize("view", sorted(augment.VIEWS))
def test_augmentation_is_reproducible(view):
    im = sample_image()
    a = np.asarray(augment.VIEWS[view](im, np.random.default_rng([1, 2, 3]), ()))
    b = np.asarray(augment.VIEWS[view](im, np.random.default_rng([1, 2, 3]), ()))
    c = np.asarray(augment.VIEWS[view](im, np.random.default_rng([1, 2, 4]), ()))
    assert a.shape == (224, 224, 3) and a.dtype == np.uint8
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_hue_shift_is_small():
    im = Image.new("RGB", (32, 32), (200, 40, 40))
    shifted = augment.shift_hue(im, 0.02)
    h0 = np.asarray(im.convert("HSV"))[..., 0].astype(int)
    h1 = np.asarray(shifted.convert("HSV"))[..., 0].astype(int)
    assert 0 < abs(int(h1.mean()) - int(h0.mean())) <= 6


def test_missing_split_is_a_clear_error(tmp_path):
    with pytest.raises(data.DatasetError, match="no 'train' sub-folder"):
        data.list_split(str(tmp_path), "train")


def test_kinds_are_the_sorted_train_folders(tmp_path):
    for name in ("Tomato", "Bean", "Bitter_Gourd", ".hidden"):
        os.makedirs(tmp_path / "train" / name)
    (tmp_path / "train" / "notes.txt").write_text("not a class")
    assert data.class_names(str(tmp_path)) == ["Bean", "Bitter_Gourd", "Tomato"]


def test_samples_carry_label_and_kind(tmp_path):
    for name in ("Carrot", "Bean"):
        os.makedirs(tmp_path / "train" / name)
        Image.new("RGB", (8, 8)).save(tmp_path / "train" / name / "a.jpg")
    samples = data.list_split(str(tmp_path), "train")
    assert [(s.label, s.class_name, os.path.basename(s.path)) for s in samples] == [
        (0, "Bean", "a.jpg"), (1, "Carrot", "a.jpg")]


def test_committed_labels_are_the_sorted_kinds():
    """model.json's labels are what training on the real dataset's sorted folders wrote."""
    labels = config.committed_labels()
    assert labels == sorted(labels) == gallery_kinds()
    assert len(labels) == 15


def test_too_few_kinds_is_a_clear_error(tmp_path):
    os.makedirs(tmp_path / "train" / "Bean")
    with pytest.raises(data.DatasetError, match="at least 2 class folders, has 1"):
        data.class_names(str(tmp_path))


def test_missing_class_folder_is_a_clear_error(tmp_path):
    kinds = gallery_kinds()
    for name in kinds:
        os.makedirs(tmp_path / "train" / name)
    for name in kinds[:-1]:
        os.makedirs(tmp_path / "validation" / name)
    with pytest.raises(data.DatasetError, match="lacks class folders: Tomato"):
        data.list_split(str(tmp_path), "validation")


def test_extra_class_folder_is_a_clear_error(tmp_path):
    for split, kinds in (("train", ["Bean", "Carrot"]), ("validation", ["Bean", "Carrot", "Okra"])):
        for name in kinds:
            os.makedirs(tmp_path / split / name)
    with pytest.raises(data.DatasetError, match="not kinds of the training data: Okra"):
        data.list_split(str(tmp_path), "validation")


def test_empty_class_folder_is_a_clear_error(tmp_path):
    for name in gallery_kinds():
        os.makedirs(tmp_path / "train" / name)
    with pytest.raises(data.DatasetError, match="has no images"):
        data.list_split(str(tmp_path), "train")


def test_cli_reports_bad_data_without_writing(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    code = train.main(["--data", str(tmp_path), "--out", str(out), "--runs", str(tmp_path / "runs"),
                       "--cache", str(tmp_path / "cache"), "--fixture-dir", ""])
    assert code == 2
    assert "no 'train' sub-folder" in capsys.readouterr().err
    assert list(out.iterdir()) == []
