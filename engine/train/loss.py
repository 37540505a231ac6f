"""BCEWithLogits loss and `weighted_loss`.

`weighted_loss` (seed: 0 none, 1 sqrt of class weights, 2 class weights) becomes
BCEWithLogits' `pos_weight`, one value per label from the training labels:

    class_weight[l] = negatives[l] / positives[l]
    pos_weight[l]   = class_weight[l]        (weighted_loss 2)
                    = sqrt(class_weight[l])  (weighted_loss 1)

so a label present in 1 image of 5 weighs its positives 4x (2x with sqrt). A label
never positive in training gets 1.0: pos_weight only scales positive terms, so any
value is inert for it, and 1.0 keeps the vector finite.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn as nn


def label_pos_weight(targets: torch.Tensor, weighted_loss: int) -> torch.Tensor | None:
    """`pos_weight` from a (samples, labels) 0/1 matrix; None for weighted_loss 0."""
    return pos_weight_from_counts(targets.sum(dim=0).tolist(), targets.shape[0], weighted_loss)


def pos_weight_from_counts(
    positive_counts: Sequence[int], samples: int, weighted_loss: int
) -> torch.Tensor | None:
    """`pos_weight` from per-label training positives (e.g. `LabelStatistics`)."""
    if weighted_loss not in (0, 1, 2):
        raise ValueError(f"weighted_loss must be 0, 1 or 2, not {weighted_loss!r}")
    if weighted_loss == 0:
        return None
    positives = torch.tensor(positive_counts, dtype=torch.float64)
    negatives = samples - positives
    weight = torch.where(positives > 0, negatives / positives.clamp(min=1), torch.ones_like(positives))
    if weighted_loss == 1:
        weight = weight.sqrt()
    return weight.to(torch.float32)


def create_loss(pos_weight: torch.Tensor | None = None) -> nn.BCEWithLogitsLoss:
    return nn.BCEWithLogitsLoss(pos_weight=pos_weight)
