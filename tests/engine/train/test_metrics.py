"""Hand-worked cases (the arithmetic is in the comments)."""

import math

import numpy as np
import pytest

from engine.train import compute_metrics

# 4 images, 3 labels; label "c" appears in no validation image.
Y = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 0]])
P = np.array([[0.9, 0.2, 0.1], [0.6, 0.7, 0.3], [0.8, 0.4, 0.6], [0.1, 0.5, 0.2]])
# Predictions (> 0.5, so 0.5 is negative): [1,0,0] [1,1,0] [1,0,1] [0,0,0]


@pytest.fixture
def result():
    return compute_metrics(Y, P, labels=["a", "b", "c"])


pytestmark = pytest.mark.filterwarnings("error")  # degenerate cases must not warn


def test_subset_accuracy_counts_exact_rows(result):
    assert result.scores["accuracy"] == pytest.approx(2 / 4)  # rows 1 and 4


def test_iou_averages_per_image_jaccard(result):
    # 1/1, 1/2, 1/3 and an empty-vs-empty row that counts 1.
    assert result.scores["iou"] == pytest.approx((1 + 1 / 2 + 1 / 3 + 1) / 4)


def test_weighted_precision_weights_by_support(result):
    # precision a 2/3 (support 2), b 1/1 (support 2), c 0/1 (support 0).
    assert result.scores["precision_score_weighted"] == pytest.approx((2 * 2 / 3 + 2 * 1) / 4)


def test_ranking_scores_leave_out_the_absent_label(result):
    # AP a: both positives ranked first = 1; b: ranks .7(+) .5(-) .4(+) = .5*1 + .5*2/3.
    assert result.scores["average_precision_score_weighted"] == pytest.approx((1 + (0.5 + 1 / 3)) / 2)
    # AUC a: 4/4 pairs ordered; b: .7>.2 .7>.5 .4>.2 but .4<.5 = 3/4.
    assert result.scores["auc_weighted"] == pytest.approx((1 + 0.75) / 2)


def test_norm_macro_recall_normalises_macro_recall_over_present_labels(result):
    # recall a 2/2, b 1/2: macro 0.75 -> (0.75 - 0.5) / 0.5.
    assert result.scores["norm_macro_recall"] == pytest.approx(0.5)


def test_per_label_scores(result):
    assert result.per_label["a"] == pytest.approx({"precision": 2 / 3, "recall": 1.0, "average_precision": 1.0})
    assert result.per_label["b"]["recall"] == pytest.approx(0.5)
    assert result.per_label["c"]["precision"] == 0.0
    assert math.isnan(result.per_label["c"]["average_precision"])


def test_a_label_in_every_image_has_ap_but_no_auc():
    y = np.array([[1, 1], [1, 0], [1, 0]])
    p = np.array([[0.9, 0.8], [0.4, 0.3], [0.7, 0.6]])
    scores = compute_metrics(y, p).scores
    # Only label 1 has both classes: its AUC is 1 (0.8 above 0.3 and 0.6).
    assert scores["auc_weighted"] == pytest.approx(1.0)
    assert scores["average_precision_score_weighted"] == pytest.approx((3 * 1.0 + 1 * 1.0) / 4)


def test_no_positive_at_all_gives_only_the_threshold_scores():
    scores = compute_metrics(np.zeros((2, 2)), np.full((2, 2), 0.2)).scores
    assert scores["accuracy"] == 1.0 and scores["iou"] == 1.0
    assert not {"auc_weighted", "average_precision_score_weighted", "norm_macro_recall"} & set(scores)


def test_shapes_must_match():
    with pytest.raises(ValueError):
        compute_metrics(np.zeros((2, 2)), np.zeros((2, 3)))
