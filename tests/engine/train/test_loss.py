import math

import pytest
import torch

from engine.train import create_loss, label_pos_weight, pos_weight_from_counts

# 5 images: label 0 in 1 image, label 1 in 4, label 2 in none.
TARGETS = torch.tensor([[1, 1, 0], [0, 1, 0], [0, 1, 0], [0, 1, 0], [0, 0, 0]], dtype=torch.float32)


def test_weighted_loss_2_is_negatives_over_positives():
    assert label_pos_weight(TARGETS, 2).tolist() == pytest.approx([4.0, 0.25, 1.0])


def test_weighted_loss_1_is_the_square_root():
    assert label_pos_weight(TARGETS, 1).tolist() == pytest.approx([2.0, 0.5, 1.0])


def test_weighted_loss_0_is_unweighted_and_others_are_refused():
    assert label_pos_weight(TARGETS, 0) is None
    with pytest.raises(ValueError):
        label_pos_weight(TARGETS, 3)


def test_pos_weight_scales_only_the_positive_terms():
    logits = torch.zeros(1, 3)
    target = torch.tensor([[1.0, 0.0, 1.0]])
    loss = create_loss(torch.tensor([4.0, 4.0, 1.0]))(logits, target)
    # log(2) per term; label 0 counts 4x, label 1 is negative (unscaled), label 2 1x.
    assert loss.item() == pytest.approx((4 + 1 + 1) * math.log(2) / 3)


def test_counts_give_the_same_weights_as_the_matrix():
    assert pos_weight_from_counts([1, 4, 0], 5, 2).tolist() == label_pos_weight(TARGETS, 2).tolist()
