"""The familiarity half of the refusal rule: k-th nearest reference similarity and the choice
of the two thresholds."""
import numpy as np

from vegnet import refusal


def unit(x):
    x = np.asarray(x, np.float64)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_familiarity_is_the_kth_nearest_similarity():
    refs = unit([[1, 0], [0.8, 0.6], [0, 1], [-1, 0]])
    emb = unit([[1, 0]])
    np.testing.assert_allclose(refusal.familiarity(emb, refs, k=1), [1.0])
    np.testing.assert_allclose(refusal.familiarity(emb, refs, k=2), [0.8])
    np.testing.assert_allclose(refusal.familiarity(emb, refs, k=3), [0.0])
    # k beyond the references: the least similar one
    np.testing.assert_allclose(refusal.familiarity(emb, refs, k=9), [-1.0])


def test_effective_score_refuses_the_unfamiliar():
    s = refusal.effective_score(np.array([0.9, 0.9, 0.2]), np.array([0.8, 0.1, 0.8]), 0.5)
    assert list(s < 0.5) == [False, True, True]


def test_rule_refuses_confident_strangers_the_score_alone_lets_through():
    rng = np.random.default_rng(0)
    # validation and real photos: confident and familiar; unknown photos: half unsure, half
    # confident but unfamiliar (the banana called Radish 1.000)
    val = (rng.uniform(0.6, 1, 400), rng.uniform(0.6, 0.9, 400))
    real = (rng.uniform(0.5, 1, 60), rng.uniform(0.5, 0.9, 60))
    unknown = (np.r_[rng.uniform(0, 0.3, 60), rng.uniform(0.9, 1, 60)], np.r_[rng.uniform(0.5, 0.9, 60), rng.uniform(0, 0.3, 60)])
    ts, tf = refusal.choose_rule(val, real, unknown)
    refused = lambda g: refusal.effective_score(g[0], g[1], tf) < ts
    assert refused(val).mean() <= 0.01
    assert refused(unknown).mean() >= 0.95
    assert refused(real).mean() <= 0.05
    # the score alone cannot reach the aim without refusing real photos wholesale
    alone = refusal.choose_threshold(val[0], real[0], unknown[0])
    assert (unknown[0] < alone).mean() < 0.9 or (real[0] < alone).mean() > 0.3


def test_without_unknown_photos_familiarity_never_refuses():
    val = (np.linspace(0.5, 1, 100), np.linspace(0.5, 1, 100))
    ts, tf = refusal.choose_rule(val, (np.empty(0), np.empty(0)), (np.empty(0), np.empty(0)))
    assert tf == float("-inf") and 0 <= ts <= 1
