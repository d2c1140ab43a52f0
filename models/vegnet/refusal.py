"""The "none of the kinds" decision: the Mahalanobis head's fit, the candidate scores, the
familiarity, the two thresholds and the refusal curve.

The score is computed inside the exported graph (net.VegLens); the familiarity (the k-th
nearest reference embedding's cosine similarity) by the service from the graph's embedding and
references.f32. A photo is refused when score < threshold or familiarity < the familiarity
threshold, both stored in model.json (refusal.threshold, refusal.familiarity.threshold).
"""
from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import torch

from .net import Mahalanobis

COMPONENTS = 256  # principal components kept for the Mahalanobis head


def l2(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def fit_mahalanobis(emb: np.ndarray, labels: np.ndarray, kinds: int, calibration: np.ndarray,
                    components: int = COMPONENTS) -> Mahalanobis:
    """Fit the head on L2-normalised training embeddings of the kinds (labels < kinds).

    The top `components` principal directions of the embeddings, whitened by the pooled
    within-kind covariance (shrunk 10 % towards its mean variance for stability). d0 and tau
    come from the distances of `calibration` embeddings (validation photos of the kinds):
    d0 = their 99th percentile, tau = (99th - 50th percentile) / 4.
    """
    keep = labels < kinds
    e, y = emb[keep].astype(np.float64), labels[keep]
    mean = e.mean(0)
    _, _, vt = np.linalg.svd(e - mean, full_matrices=False)
    v = vt[:components].T                                   # [D, P]
    z = (e - mean) @ v
    centres = np.stack([z[y == k].mean(0) if (y == k).any() else np.full(v.shape[1], 1e3) for k in range(kinds)])
    within = z - centres[y]
    cov = within.T @ within / max(len(z) - kinds, 1)
    cov = 0.9 * cov + 0.1 * np.eye(len(cov)) * np.trace(cov) / len(cov)
    vals, vecs = np.linalg.eigh(cov)
    white = vecs @ np.diag(1 / np.sqrt(np.maximum(vals, 1e-12))) @ vecs.T
    proj = v @ white
    head = Mahalanobis(torch.from_numpy(mean), torch.from_numpy(proj), torch.from_numpy(centres @ white), 0.0, 1.0)
    with torch.inference_mode():
        d = head.distance(torch.from_numpy(calibration.astype(np.float32))).numpy()
    p50, p99 = np.percentile(d, [50, 99])
    head.d0, head.tau = float(p99), float(max((p99 - p50) / 4, 1e-6))
    return head


def auroc(known: np.ndarray, unknown: np.ndarray) -> float:
    """Area under the ROC curve of telling known (high score) from unknown (low score)."""
    known, unknown = np.asarray(known, np.float64), np.asarray(unknown, np.float64)
    if len(known) == 0 or len(unknown) == 0:
        return float("nan")
    allv = np.concatenate([known, unknown])
    ranks = allv.argsort().argsort().astype(np.float64) + 1
    # average ranks of ties
    for v in np.unique(allv):
        tie = allv == v
        if tie.sum() > 1:
            ranks[tie] = ranks[tie].mean()
    r_known = ranks[: len(known)].sum()
    return float((r_known - len(known) * (len(known) + 1) / 2) / (len(known) * len(unknown)))


def refused(scores: np.ndarray, threshold: float) -> float:
    """Fraction of scores below threshold, compared in float64 as the Go service compares."""
    return float(np.mean(np.asarray(scores, dtype=np.float64) < threshold)) if len(scores) else float("nan")


def wilson_lower(k: int, n: int, confidence: float) -> float:
    """One-sided lower confidence bound on a rate after k successes in n trials (Wilson 1927,
    "Probable inference, the law of succession, and statistical inference"); 0 when n is 0."""
    if n == 0:
        return 0.0
    z = NormalDist().inv_cdf(confidence)
    p = k / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - margin) / (1 + z * z / n)


def refused_lower_bound(scores: np.ndarray, threshold: float, confidence: float) -> float | None:
    """The Wilson lower bound of the refused share of scores at threshold; None without scores."""
    n = len(scores)
    if n == 0:
        return None
    return wilson_lower(int(np.sum(np.asarray(scores, dtype=np.float64) < threshold)), n, confidence)


def choose_threshold(val: np.ndarray, real: np.ndarray, unknown: np.ndarray, max_val_refused: float = 0.01,
                     want_unknown_refused: float = 0.90, confidence: float = 0.95) -> float:
    """The threshold: at most max_val_refused of the validation photos refused; within that,
    the lowest threshold whose refused share of the unknown photos reaches
    want_unknown_refused with the given confidence (its Wilson lower bound: the select part
    is a sample, and a threshold that only just reaches the aim there misses it on other
    photos about half the time), so as few real photos as possible are refused. When no
    allowed threshold reaches the aim with that confidence, the lowest that reaches it at
    all; when none does, the one that refuses the most unknown photos for each real photo
    it refuses (max of unknown refused minus real refused).
    Candidates are midpoints between consecutive distinct scores, so tiny numeric
    differences between runtimes do not move a photo across the threshold."""
    allv = np.unique(np.concatenate([val, real, unknown]).astype(np.float64))
    cands = np.concatenate([[0.0], (allv[1:] + allv[:-1]) / 2, [1.0]])
    ok = [t for t in cands if refused(val, t) <= max_val_refused]
    if len(unknown) == 0:  # nothing to refuse was seen: refuse what validation allows
        return float(max(ok))
    confident = [t for t in ok if refused_lower_bound(unknown, t, confidence) >= want_unknown_refused]
    if confident:
        return float(min(confident))
    reaching = [t for t in ok if refused(unknown, t) >= want_unknown_refused]
    if reaching:
        return float(min(reaching))
    real_refused = (lambda t: refused(real, t)) if len(real) else (lambda t: 0.0)
    return float(max(ok, key=lambda t: (refused(unknown, t) - real_refused(t), -t)))


def curve(val: np.ndarray, real: np.ndarray, unknown: np.ndarray, thresholds) -> list[dict]:
    """Refused fractions of each set at each threshold."""
    return [{"threshold": float(t), "validation_refused": refused(val, t), "real_refused": refused(real, t),
             "unknown_refused": refused(unknown, t)} for t in thresholds]


# ---------------------------------------------------------------- familiarity

FAMILIAR_K = 5            # the k-th most similar reference photo decides (k-nearest neighbours)
REFERENCE_STEP = 45       # references: every 45th training photo of the kinds (sorted), plus
                          # the extra photos' train-part real photos
REFERENCES_FILE = "references.f32"


def familiarity(emb: np.ndarray, refs: np.ndarray, k: int = FAMILIAR_K) -> np.ndarray:
    """How familiar each photo looks: the cosine similarity of its L2-normalised embedding
    (N, D) to its k-th most similar reference embedding (R, D), in float64 as the Go service
    computes it (Sun et al. 2022, "Out-of-distribution detection with deep nearest
    neighbors": the k-th nearest training feature's distance). Photos of the kinds sit close
    to some training photo; other things sit far from all of them. (N,)"""
    emb, refs = np.asarray(emb, np.float64), np.asarray(refs, np.float64)
    if len(emb) == 0:
        return np.empty(0)
    sims = emb @ refs.T
    k = min(k, refs.shape[0])
    return np.partition(sims, -k, axis=1)[:, -k]


def effective_score(score: np.ndarray, fam: np.ndarray, fam_threshold: float) -> np.ndarray:
    """The score with unfamiliar photos set to -1: refused when this is below the score
    threshold is the combined rule, refused when score < threshold or familiarity <
    fam_threshold (every figure computed with one threshold then applies to the rule)."""
    s = np.asarray(score, np.float64).copy()
    s[np.asarray(fam, np.float64) < fam_threshold] = -1.0
    return s


def _candidates(values: np.ndarray, n: int = 300) -> np.ndarray:
    """Thresholds between distinct values at n quantiles, with one below them all."""
    v = np.unique(np.asarray(values, np.float64))
    if len(v) < 2:
        return np.array([-np.inf])
    mids = (v[1:] + v[:-1]) / 2
    picks = np.unique(np.quantile(mids, np.linspace(0, 1, n), method="nearest"))
    return np.concatenate([[-np.inf], picks])


def choose_rule(val: tuple[np.ndarray, np.ndarray], real: tuple[np.ndarray, np.ndarray],
                unknown: tuple[np.ndarray, np.ndarray], max_val_refused: float = 0.01,
                want_unknown_refused: float = 0.90, confidence: float = 0.95) -> tuple[float, float]:
    """The two thresholds (score, familiarity) of the rule "refused when score < ts or
    familiarity < tf", each group given as (scores, familiarities). Among the pairs that
    refuse at most max_val_refused of the validation photos and whose refused share of the
    unknown photos reaches want_unknown_refused with the given confidence (Wilson lower
    bound), the one that refuses the fewest real photos, then the most unknown ones, then
    the lowest thresholds. Without unknown photos, or when no pair qualifies, the score
    alone as choose_threshold picks it (tf = -inf: familiarity never refuses)."""
    (vs, vf), (rs, rf), (us, uf) = val, real, unknown
    fallback = (choose_threshold(vs, rs, us, max_val_refused, want_unknown_refused, confidence), float("-inf"))
    if len(us) == 0:
        return fallback
    best, best_key = None, None
    for tf in _candidates(np.concatenate([vf, rf, uf])):
        for ts in _candidates(np.concatenate([vs, rs, us])):
            if refused(effective_score(vs, vf, tf), ts) > max_val_refused:
                continue
            u = effective_score(us, uf, tf) < ts
            if wilson_lower(int(u.sum()), len(u), confidence) < want_unknown_refused:
                continue
            r = refused(effective_score(rs, rf, tf), ts) if len(rs) else 0.0
            key = (r, -float(u.mean()), ts, tf)
            if best_key is None or key < best_key:
                best, best_key = (float(ts), float(tf)), key
    return best if best is not None else fallback
