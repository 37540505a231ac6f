"""Odd shapes that once raised inside the validator; each must come back as diagnostics."""

from __future__ import annotations

import pytest

from engine.spec import read_text, validate_text
from spec_fixtures import JOBS

SWEEP = read_text(JOBS / "sweep.yml")


def _errors(old: str, new: str) -> list[tuple[str, int, int]]:
    assert SWEEP.count(old) == 1, old
    result = validate_text(SWEEP.replace(old, new))
    assert result.job is None
    return [(d.code, d.line + 1, d.column + 1) for d in result.errors]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # a list where a type tag belongs (once a TypeError: unhashable type)
        ("      type: uniform", "      type: [uniform]", [("bad-enum", 50, 7)]),
        ("    type: bandit", "    type: [bandit]", [("bad-enum", 40, 5)]),
        # exp() of a large log bound (once an OverflowError)
        (
            "      type: uniform\n      min_value: 0.005\n      max_value: 0.05",
            "      type: loguniform\n      min_value: -5\n      max_value: 1000",
            [("out-of-range", 52, 18)],
        ),
        # a search-space error must not reach the cross-field rules (once a ValidationError)
        ("      max_value: 0.05\n", "      max_value: 0.05\n      q: 0.01\n", [("unknown-key", 53, 7)]),
        ("      values: [15, 30]", "      values: {a: 1}", [("wrong-type", 55, 7)]),
        ("      values: [15, 30]", "      values: [~]", [("wrong-type", 55, 16)]),
        ("  max_trials: 10", "  10: 10", [("unknown-key", 24, 3), ("wrong-type", 24, 3)]),
        ("  max_trials: 10", "  max_trials: !!binary MTA=", [("yaml-tag", 24, 15)]),
        ("name: fridge-multilabel", "name: &a [*a]", [("yaml-syntax", 6, 7)]),
    ],
)
def test_odd_shapes_give_diagnostics(old: str, new: str, expected: list) -> None:
    assert _errors(old, new) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [("", "empty-file"), ("# only a comment\n", "empty-file"), ("~\n", "empty-file"), ("- a\n- b\n", "wrong-type"),
     ("just text\n", "wrong-type"), ("a: 1\n---\nb: 2\n", "yaml-syntax"), ("a: \x07\n", "yaml-syntax")],
)
def test_not_a_job_at_all(text: str, code: str) -> None:
    [error] = validate_text(text).errors
    assert error.code == code


def test_anchors_and_aliases_are_plain_values() -> None:
    text = SWEEP.replace("  max_trials: 10", "  max_trials: &n 10").replace("  max_concurrent_trials: 2", "  max_concurrent_trials: *n")
    job = validate_text(text).job
    assert (job.limits.max_trials, job.limits.max_concurrent_trials) == (10, 10)


def test_windows_line_endings_and_a_byte_order_mark_validate() -> None:
    assert validate_text("\ufeff" + SWEEP.replace("\n", "\r\n")).ok
