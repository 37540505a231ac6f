"""Multi-label metrics on the whole validation set, with scikit-learn's definitions.

Predictions are `probability > threshold` (0.5, strict, as Azure). Scores:

- `accuracy`: subset accuracy (every label of an image right).
- `iou`: Jaccard index per sample, averaged over samples (an image with no true and no
  predicted label counts 1: nothing to find, nothing wrongly found).
- `precision_score_weighted`: per-label precision weighted by label support.
- `auc_weighted`, `average_precision_score_weighted`: on probabilities, over the labels
  present in the validation set (a label with no positive has no ROC curve or AP, and
  one with no negative has no ROC curve; those are left out instead of failing).
  Absent when no label qualifies.
- `norm_macro_recall`: (macro recall - 0.5) / 0.5, macro over labels with positives;
  Azure's normalisation (0 = chance, 1 = perfect; may be negative).
Per label: precision, recall, average_precision (AP is NaN for a label with no positive).
Degenerate divisions score 0 (`zero_division=0`), without warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn import metrics as skm

PRIMARY_METRICS = (
    "accuracy",
    "iou",
    "precision_score_weighted",
    "auc_weighted",
    "average_precision_score_weighted",
    "norm_macro_recall",
)


@dataclass(frozen=True)
class Evaluation:
    scores: dict[str, float]
    per_label: dict[str, dict[str, float]] = field(default_factory=dict)


def compute_metrics(
    targets: np.ndarray,
    probabilities: np.ndarray,
    *,
    labels: list[str] | None = None,
    threshold: float = 0.5,
) -> Evaluation:
    """`targets` 0/1 and `probabilities` in [0, 1], both (samples, labels)."""
    y = np.asarray(targets).astype(int)
    p = np.asarray(probabilities, dtype=np.float64)
    if y.shape != p.shape or y.ndim != 2 or y.shape[0] == 0:
        raise ValueError(f"targets {y.shape} and probabilities {p.shape} must be equal, non-empty 2-D")
    pred = (p > threshold).astype(int)
    names = labels if labels is not None else [str(i) for i in range(y.shape[1])]
    scores = {
        "accuracy": float(skm.accuracy_score(y, pred)),
        "iou": float(skm.jaccard_score(y, pred, average="samples", zero_division=1)),
        "precision_score_weighted": float(
            skm.precision_score(y, pred, average="weighted", zero_division=0)
        ),
    }
    scores.update(_ranking_scores(y, p))
    present = y.sum(axis=0) > 0
    if present.any():
        macro_recall = skm.recall_score(y[:, present], pred[:, present], average="macro", zero_division=0)
        scores["norm_macro_recall"] = float((macro_recall - 0.5) / 0.5)
    return Evaluation(scores=scores, per_label=_per_label(y, p, pred, names))


def _ranking_scores(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    positives = y.sum(axis=0)
    has_pos = positives > 0
    has_both = has_pos & (positives < y.shape[0])
    out: dict[str, float] = {}
    if has_pos.any():
        out["average_precision_score_weighted"] = float(
            skm.average_precision_score(y[:, has_pos], p[:, has_pos], average="weighted")
        )
    if has_both.any():
        out["auc_weighted"] = float(skm.roc_auc_score(y[:, has_both], p[:, has_both], average="weighted"))
    return out


def _per_label(y: np.ndarray, p: np.ndarray, pred: np.ndarray, names: list[str]) -> dict[str, dict[str, float]]:
    precision = skm.precision_score(y, pred, average=None, zero_division=0)
    recall = skm.recall_score(y, pred, average=None, zero_division=0)
    out = {}
    for i, name in enumerate(names):
        ap = float(skm.average_precision_score(y[:, i], p[:, i])) if y[:, i].any() else float("nan")
        out[name] = {"precision": float(precision[i]), "recall": float(recall[i]), "average_precision": ap}
    return out


def is_better(new: float, best: float | None) -> bool:
    """Every primary metric is higher-is-better; ties keep the earlier (cheaper) epoch."""
    return best is None or new > best
