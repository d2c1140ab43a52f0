"""Metrics, refusal threshold, augmentation and dataset checks."""
import os

import numpy as np
import pytest
from PIL import Image

from conftest import gallery_kinds
from vegnet import augment, config, data, metrics, train


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
def test_refusal_threshold_refuses_at_most_one_percent(n):
    scores = np.random.default_rng(n).uniform(0.3, 1.0, n)
    t = metrics.refusal_threshold(scores, 0.01)
    refused = metrics.refused_fraction(scores, t)
    assert refused <= 0.01
    assert refused >= 0.01 - 1 / n  # not needlessly lax


def test_refusal_threshold_with_ties():
    scores = np.array([0.5] * 5 + [1.0] * 95)
    t = metrics.refusal_threshold(scores, 0.01)
    assert metrics.refused_fraction(scores, t) <= 0.01


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
    a = np.asarray(augment.VIEWS[view](im, np.random.default_rng([1, 2, 3])))
    b = np.asarray(augment.VIEWS[view](im, np.random.default_rng([1, 2, 3])))
    c = np.asarray(augment.VIEWS[view](im, np.random.default_rng([1, 2, 4])))
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
