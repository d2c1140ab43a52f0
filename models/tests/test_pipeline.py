"""A tiny end-to-end run of the training pipeline: build, train, export, load with ONNX Runtime."""
import hashlib
import json
import os

import numpy as np
import onnx
import pytest
import torch
from PIL import Image

from conftest import make_dataset
from vegnet import config, data, export, net, train
from vegnet.data import load_rgb


@pytest.fixture(scope="module")
def tiny_run(tiny_dataset, tiny_extra, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    cfg = train.Config(
        data=tiny_dataset, extra=tiny_extra, out=str(out), cache=str(out / "cache"), runs=str(out / "runs"),
        fixture_dir=str(out / "parity"), views=("light", "paste"), head_epochs=3, rounds=1,
        latency_runs=5, extra_repeats=1, calibration_images=16,
    )
    metrics = train.run(cfg)
    return out, metrics, tiny_dataset


def gallery_batch(dataset, n=5):
    files = []
    for name in data.class_names(dataset)[:n]:
        d = os.path.join(dataset, "validation", name)
        files.append(os.path.join(d, sorted(os.listdir(d))[0]))
    return np.stack([np.asarray(load_rgb(f), dtype=np.float32) for f in files])


def test_run_writes_every_artefact(tiny_run):
    out, metrics, dataset = tiny_run
    kinds = data.class_names(dataset)
    for name in ("veglens.onnx", "veglens-fp32.onnx", "model.json", "metrics.json", "MODEL_CARD.md", "parity/expected.json"):
        assert (out / name).is_file(), name
    assert len(os.listdir(out / "runs")) == 1, "one log file per run"
    with open(out / "metrics.json") as f:
        assert json.load(f) == json.loads(json.dumps(export.finite(metrics)))  # strict JSON: no NaN
    assert metrics["validation"]["n"] == 60
    assert len(metrics["validation"]["confusion_matrix"]) == len(kinds) == 15
    assert sum(map(sum, metrics["validation"]["confusion_matrix"])) == 60
    assert list(metrics["validation"]["per_class"]) == metrics["labels"] == kinds


def test_model_json_follows_the_contract(tiny_run):
    out, metrics, dataset = tiny_run
    with open(out / "model.json") as f:
        mj = json.load(f)
    digest = hashlib.sha256((out / "veglens.onnx").read_bytes()).hexdigest()
    assert mj["version"] == digest[:12] == metrics["model_version"]
    assert mj["name"] == "veglens"
    assert mj["input"] == {"name": "image", "size": 224, "layout": "NHWC", "range": [0, 255]}
    assert mj["outputs"] == {"logits": "logits", "probabilities": "probabilities", "embedding": "embedding",
                             "activation_map": "activation_map", "score": "score"}
    assert mj["embedding_dim"] == 1280 and mj["activation_map_size"] == 7
    # the kinds are the data's sorted class folders: the same labels as the committed model
    assert mj["labels"] == sorted(mj["labels"]) == data.class_names(dataset) == config.committed_labels()
    assert mj["refusal"]["score"] in ("max_probability", "min(max_probability, mahalanobis)")
    assert 0 <= mj["refusal"]["threshold"] <= 1
    # the service runs the int8 model; the float one it was made from is named, with its own version
    fp32 = hashlib.sha256((out / "veglens-fp32.onnx").read_bytes()).hexdigest()
    assert mj["quantized"] is True and mj["reference"] == {"file": "veglens-fp32.onnx", "version": fp32[:12]}


def test_onnx_graph_interface(tiny_run):
    out, metrics, _ = tiny_run
    m = onnx.load(str(out / "veglens.onnx"))
    (inp,) = m.graph.input
    assert inp.name == "image"
    assert inp.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    dims = [d.dim_param or d.dim_value for d in inp.type.tensor_type.shape.dim]
    assert dims[1:] == [224, 224, 3] and isinstance(dims[0], str), dims
    outs = {o.name: [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim] for o in m.graph.output}
    assert set(outs) == {"logits", "probabilities", "embedding", "activation_map", "score"}
    kinds = len(metrics["labels"])
    assert outs["logits"][1:] == [kinds + 1] and outs["probabilities"][1:] == [kinds]
    assert outs["embedding"][1:] == [1280] and outs["activation_map"][1:] == [7, 7] and outs["score"][1:] == []
    assert all(isinstance(d[0], str) for d in outs.values())
    assert any(n.op_type == "QuantizeLinear" for n in m.graph.node), "the shipped model is quantised"
    assert m.opset_import[0].version == export.OPSET
    assert os.path.getsize(out / "veglens.onnx") <= 20 * 1024 * 1024


def test_onnxruntime_outputs(tiny_run):
    out, _, dataset = tiny_run
    sess = export.session(str(out / "veglens.onnx"))
    x = gallery_batch(dataset)
    for batch in (x[:1], x):  # dynamic batch
        o = dict(zip(export.OUTPUT_NAMES, sess.run(list(export.OUTPUT_NAMES), {"image": batch})))
        assert o["logits"].shape == (len(batch), 16) and o["probabilities"].shape == (len(batch), 15)
        ref = torch.softmax(torch.from_numpy(o["logits"]), 1).numpy()
        np.testing.assert_allclose(o["probabilities"], ref[:, :15], atol=1e-6)  # "unknown" takes the rest
        np.testing.assert_allclose(np.linalg.norm(o["embedding"], axis=1), 1.0, atol=1e-4)
        assert o["activation_map"].shape == (len(batch), 7, 7)
        assert (o["activation_map"] >= 0).all() and np.allclose(o["activation_map"].max((1, 2)), 1.0, atol=1e-4)
        assert ((0 <= o["score"]) & (o["score"] <= o["probabilities"].max(1) + 1e-6)).all()


def test_exported_graph_equals_pytorch(tmp_path, tiny_dataset):
    torch.manual_seed(1)
    trunk, tail = net.split_model("lite0", 15)
    torch.nn.init.normal_(tail.fc.weight, std=0.05)
    model = net.VegLens(trunk, tail).eval()
    path = str(tmp_path / "m.onnx")
    export.export_onnx(model, path)
    x = gallery_batch(tiny_dataset, 4)
    with torch.inference_mode():
        ref = dict(zip(export.OUTPUT_NAMES, (t.numpy() for t in model(torch.from_numpy(x)))))
    got = export.onnx_predict(export.session(path), x)
    np.testing.assert_allclose(got["logits"], ref["logits"], atol=1e-4)
    for name in ("probabilities", "embedding", "activation_map", "score"):
        np.testing.assert_allclose(got[name], ref[name], atol=1e-4)
    assert (got["probabilities"].argmax(1) == ref["probabilities"].argmax(1)).all()


def test_activation_map_points_at_the_evidence(tmp_path):
    """A network whose kind 0 is "red here": the map of a picture red only in its top-left
    corner peaks there."""
    torch.manual_seed(4)
    trunk, tail = net.split_model("lite0", 15, num_classes=3)
    model = net.VegLens(trunk, tail).eval()
    x = np.full((1, 224, 224, 3), 200.0, dtype=np.float32)
    x[0, :64, :64] = [220, 20, 20]
    with torch.inference_mode():
        fmap = tail.feature_map(trunk(net.normalise(torch.from_numpy(x))))[0]          # [C, 7, 7]
        diff = (fmap[:, :2, :2].mean((1, 2)) - fmap[:, 4:, 4:].mean((1, 2)))          # what is special up there
        tail.fc.weight.zero_()
        tail.fc.weight[0] = diff / diff.norm()
        tail.fc.bias.copy_(torch.tensor([5.0, 0.0, 0.0]))
        _, _, _, cam, _ = model(torch.from_numpy(x))
    y, xx = np.unravel_index(cam[0].numpy().argmax(), (7, 7))
    assert y < 3 and xx < 3, cam[0]


def test_quantised_model_agrees_with_the_float_one(tiny_run):
    out, metrics, dataset = tiny_run
    x = gallery_batch(dataset, 15)
    q = export.onnx_predict(export.session(str(out / "veglens.onnx")), x)
    f = export.onnx_predict(export.session(str(out / "veglens-fp32.onnx")), x)
    # The tiny model is barely trained (its kinds are close calls), so answers may flip; the
    # outputs themselves must stay close. (The committed model's agreement is checked in Go.)
    corr = np.corrcoef(q["logits"].ravel(), f["logits"].ravel())[0, 1]
    assert corr > 0.9, corr
    assert np.abs(q["probabilities"] - f["probabilities"]).mean() < 0.05
    assert np.abs(q["score"] - f["score"]).mean() < 0.1
    assert os.path.getsize(out / "veglens.onnx") < 0.5 * os.path.getsize(out / "veglens-fp32.onnx")


def test_extra_photos_are_trained_on_and_reported(tiny_run):
    _, metrics, _ = tiny_run
    t = metrics["training"]
    assert sum(t["extra"][p]["realworld"] + t["extra"][p]["unknown"] for p in ("train", "select", "report")) == 24
    assert t["class_counts"]["unknown"] == t["extra"]["train"]["unknown"] * t["extra_repeats"]
    r = metrics["refusal"]
    assert r["validation_refused"] <= 0.01 + 1e-9
    f = r.get("familiarity")
    if f:  # the references the service compares with are written beside the model
        out = tiny_run[0]
        refs = np.fromfile(out / f["file"], dtype="<f4")
        assert refs.size == f["count"] * f["dim"] and f["k"] >= 1
        np.testing.assert_allclose(np.linalg.norm(refs.reshape(f["count"], f["dim"]), axis=1), 1, atol=1e-4)
    assert [row["threshold"] for row in r["curve"]["report"]] == sorted(row["threshold"] for row in r["curve"]["report"])
    if metrics.get("report", {}).get("unknown", {}).get("n"):
        assert 0 <= metrics["report"]["unknown"]["refused"] <= 1


def test_input_is_nhwc_rgb_0_255(tmp_path, tiny_dataset):
    """The graph takes raw pixels: it must equal the backbone fed with the normalised NCHW image."""
    torch.manual_seed(2)
    backbone = net.build_backbone("lite0").eval()
    model = net.VegLens(net.Trunk(backbone, 15), net.Tail(backbone, 15)).eval()
    path = str(tmp_path / "m.onnx")
    export.export_onnx(model, path)
    x = gallery_batch(tiny_dataset, 2)
    nchw = (torch.from_numpy(x).permute(0, 3, 1, 2) - 127.0) / 128.0
    with torch.inference_mode():
        expected = backbone(nchw).numpy()
    logits = export.onnx_predict(export.session(path), x)["logits"]
    np.testing.assert_allclose(logits, expected, atol=1e-4)
    # a transposed (NCHW-like) or 0..1-scaled image is not what the graph expects: results differ
    scaled = export.onnx_predict(export.session(path), x / 255.0)["logits"]
    assert np.abs(scaled - expected).max() > 1e-2


def test_training_step_lowers_the_loss():
    torch.manual_seed(3)
    _, tail = net.split_model("lite0", 15)
    tail.train()
    train.freeze_batchnorm(tail)
    tail.dropout.p = 0.0
    x = torch.randn(16, 192, 7, 7)
    y = torch.arange(16) % (len(config.committed_labels()) + 1)  # the default head: the committed labels and "unknown"
    opt = torch.optim.AdamW(tail.parameters(), lr=1e-3)
    before = torch.nn.functional.cross_entropy(tail(x), y).item()
    for _ in range(5):
        loss = torch.nn.functional.cross_entropy(tail(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert torch.nn.functional.cross_entropy(tail(x), y).item() < before


def test_parity_fixture_matches_the_model(tiny_run):
    out, metrics, _ = tiny_run
    with open(out / "parity" / "expected.json") as f:
        fx = json.load(f)
    assert fx["model_version"] == metrics["model_version"]
    assert len(fx["images"]) == 60
    sess = export.session(str(out / "veglens.onnx"))
    for item in fx["images"][:8]:
        im = Image.open(out / "parity" / item["file"])
        assert im.format == "PNG" and im.size == (224, 224)
        assert item["file"].startswith(item["label"] + "_")
        x = np.asarray(im.convert("RGB"), dtype=np.float32)[None]
        probs, score = sess.run(["probabilities", "score"], {"image": x})
        np.testing.assert_allclose(probs[0], item["probabilities"], atol=1e-6)
        assert abs(score[0] - item["score"]) < 1e-6


def test_kinds_come_from_the_data(tmp_path):
    """Three class folders: a three-way model whose model.json lists them, sorted."""
    dataset = make_dataset(tmp_path / "data", ["Tomato", "Carrot", "Potato"], n_train=2, n_validation=2)
    out = tmp_path / "out"
    out.mkdir()
    cfg = train.Config(
        data=dataset, out=str(out), cache=str(tmp_path / "cache"), runs=str(tmp_path / "runs"),
        fixture_dir=None, views=("light",), head_epochs=1, rounds=0, latency_runs=1,
    )
    metrics = train.run(cfg)
    with open(out / "model.json") as f:
        mj = json.load(f)
    assert mj["labels"] == metrics["labels"] == ["Carrot", "Potato", "Tomato"]
    assert list(metrics["training"]["class_counts"]) == mj["labels"] + ["unknown"]
    assert "which of 3 vegetables" in (out / "MODEL_CARD.md").read_text()
    o = export.onnx_predict(export.session(str(out / "veglens.onnx")), gallery_batch(dataset, 3))
    assert o["logits"].shape == (3, 4) and o["probabilities"].shape == (3, 3)
