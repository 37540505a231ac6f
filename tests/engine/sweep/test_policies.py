"""Early-termination policies on synthetic metric curves, with hand-worked expectations."""

import pytest

from engine.sweep.policies import (
    BanditPolicy,
    MedianStoppingPolicy,
    NoPolicy,
    TruncationSelectionPolicy,
    create_policy,
)
from engine.spec.job import BanditPolicy as BanditSpec, TruncationSelectionPolicy as TruncationSpec


def test_bandit_slack_factor_stops_below_best_over_one_plus_factor():
    # best at interval 2 is 0.80; threshold 0.80 / 1.1 = 0.7273
    history = {"a": [0.5, 0.80], "b": [0.5, 0.72], "c": [0.5, 0.73]}
    policy = BanditPolicy(slack_factor=0.1)
    assert policy.decide("b", history).stop
    assert not policy.decide("c", history).stop
    assert not policy.decide("a", history).stop


def test_bandit_slack_amount_stops_below_best_minus_amount():
    # threshold 0.80 - 0.15 = 0.65
    history = {"a": [0.80], "b": [0.64], "c": [0.66]}
    policy = BanditPolicy(slack_amount=0.15)
    assert policy.decide("b", history).stop
    assert not policy.decide("c", history).stop


def test_bandit_compares_with_the_best_at_the_same_interval():
    # "a" reached 0.9 later; at interval 1 the best is 0.6, so 0.59 is within 0.6 / 1.1
    history = {"a": [0.6, 0.9], "b": [0.59]}
    assert not BanditPolicy(slack_factor=0.1).decide("b", history).stop


def test_delay_and_interval_decide_when_the_policy_applies():
    policy = BanditPolicy(slack_amount=0.0, evaluation_interval=2, delay_evaluation=3)
    best = {"a": [1.0] * 6}
    # applied at intervals >= 3 that are multiples of 2: 4 and 6, not 1, 2, 3 or 5
    applied = [n for n in range(1, 7) if policy.decide("b", {**best, "b": [0.1] * n}).stop]
    assert applied == [4, 6]


def test_median_stopping_uses_running_averages_of_the_other_trials():
    # running averages at interval 3: a = (0.5+0.6+0.7)/3 = 0.6, b = (0.2+0.3+0.4)/3 = 0.3,
    # c = 0.9 -> median of [0.6, 0.3, 0.9] = 0.6
    history = {"a": [0.5, 0.6, 0.7], "b": [0.2, 0.3, 0.4], "c": [0.9, 0.9, 0.9], "t": [0.55, 0.58, 0.59]}
    decision = MedianStoppingPolicy().decide("t", history)
    assert decision.stop and "0.6000" in decision.reason
    history["t"] = [0.55, 0.61, 0.5]  # best 0.61 >= 0.6
    assert not MedianStoppingPolicy().decide("t", history).stop


def test_median_stopping_needs_other_trials_at_that_interval():
    assert not MedianStoppingPolicy().decide("t", {"t": [0.1, 0.1], "a": [0.9]}).stop


def test_truncation_cuts_the_lowest_percentage():
    # 5 trials at interval 1, 40% -> the 2 lowest (0.1, 0.2) are cut
    history = {"a": [0.1], "b": [0.2], "c": [0.3], "d": [0.4], "e": [0.5]}
    policy = TruncationSelectionPolicy(truncation_percentage=40)
    assert [t for t in history if policy.decide(t, history).stop] == ["a", "b"]


def test_truncation_rounds_down_and_keeps_ties():
    history = {"a": [0.1], "b": [0.2], "c": [0.3]}
    assert not TruncationSelectionPolicy(truncation_percentage=30).decide("a", history).stop  # floor(0.9) = 0
    tied = {"a": [0.2], "b": [0.2], "c": [0.3], "d": [0.4]}
    assert not TruncationSelectionPolicy(truncation_percentage=25).decide("a", tied).stop


def test_truncation_exclude_finished_jobs():
    # "done" finished with a low value; excluding it leaves 4 ranked -> 25% cuts 1 ("a")
    history = {"done": [0.05], "a": [0.1], "b": [0.2], "c": [0.3], "d": [0.4]}
    keep = TruncationSelectionPolicy(truncation_percentage=25, exclude_finished_jobs=False)
    drop = TruncationSelectionPolicy(truncation_percentage=25, exclude_finished_jobs=True)
    finished = frozenset({"done"})
    assert not keep.decide("a", history, finished).stop  # 5 ranked: floor(1.25) = 1 -> only "done"
    assert drop.decide("a", history, finished).stop


def test_no_policy_never_stops():
    assert not NoPolicy().decide("a", {"a": [0.0], "b": [1.0]}).stop


@pytest.mark.parametrize(
    "spec, expected",
    [
        (None, NoPolicy),
        (BanditSpec(type="bandit", slack_factor=0.2, evaluation_interval=2, delay_evaluation=6), BanditPolicy),
        (TruncationSpec(type="truncation_selection", truncation_percentage=20), TruncationSelectionPolicy),
    ],
)
def test_create_policy_from_the_job(spec, expected):
    policy = create_policy(spec)
    assert isinstance(policy, expected)
    if spec is not None:
        assert policy.evaluation_interval == spec.evaluation_interval
        assert policy.delay_evaluation == spec.delay_evaluation
