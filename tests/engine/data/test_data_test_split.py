"""The test split: `test_data` (its own MLTable) or a seeded `test_data_size` hold-out of
the training data, taken before the validation split."""

from __future__ import annotations

import pytest

from engine.data.errors import DataError, EmptySplitError, SkipReport
from engine.data.examples import read_examples, split_for_test, split_for_validation
from engine.data.prepare import prepare_data, read_splits


def splits(training, *, validation=None, seed=0, **test):
    return read_splits(training_data=training, validation_data=validation, target_column_name="label",
                       validation_data_size=0.25, seed=seed, report=SkipReport(), **test)


def lines(examples):
    return sorted(e.line for e in examples)


def test_test_data_size_holds_out_a_seeded_part_of_training_before_the_validation_split(table):
    folder = table([[str(i)] for i in range(20)])
    first = splits(folder, test_data_size=0.2, seed=5)
    assert first == splits(folder, test_data_size=0.2, seed=5)
    assert first != splits(folder, test_data_size=0.2, seed=6)
    assert len(first.test) == 4  # ceil(20 * 0.2)
    assert len(first.validation) == 4 and len(first.training) == 12  # ceil(16 * 0.25) of what is left
    assert lines(first.training + first.validation + first.test) == list(range(1, 21))  # disjoint, complete
    # The validation split is the usual seeded split of what the hold-out left.
    rest = [e for e in read_examples(folder, target_column_name="label", report=SkipReport())
            if e.line not in set(lines(first.test))]
    assert (first.training, first.validation) == tuple(split_for_validation(rest, validation_data_size=0.25, seed=5))


def test_the_test_hold_out_is_not_the_validation_permutation(table):
    examples = read_examples(table([[str(i)] for i in range(40)]), target_column_name="label", report=SkipReport())
    _, held_for_test = split_for_test(examples, test_data_size=0.25, seed=1)
    _, held_for_validation = split_for_validation(examples, validation_data_size=0.25, seed=1)
    assert lines(held_for_test) != lines(held_for_validation)


def test_without_a_test_split_nothing_changes(table):
    folder = table([[str(i)] for i in range(10)])
    examples = read_examples(folder, target_column_name="label", report=SkipReport())
    plain = splits(folder, seed=3)
    assert plain.test == []
    assert (plain.training, plain.validation) == tuple(split_for_validation(examples, validation_data_size=0.25, seed=3))


def test_with_validation_data_the_test_hold_out_comes_from_training_only(table):
    training, validation = table([[str(i)] for i in range(8)]), table([["v"]], name="valid")
    result = splits(training, validation=validation, test_data_size=0.5)
    assert len(result.test) == 4 and len(result.training) == 4
    assert [e.labels for e in result.validation] == [("v",)]
    assert lines(result.training + result.test) == list(range(1, 9))


def test_test_data_is_read_and_test_data_size_then_ignored(table):
    training, test = table([["a"], ["b"], ["c"], ["d"]]), table([["a"], ["z"]], name="test")
    result = splits(training, test_data=test, test_data_size=0.5)
    assert [e.labels for e in result.test] == [("a",), ("z",)]
    assert len(result.training) + len(result.validation) == 4


def test_prepare_data_caches_the_test_images_and_keeps_test_labels_out_of_the_vocabulary(table, tmp_path):
    training, validation = table([["a"], ["b"]]), table([["a"]], name="valid")
    test = table([["b"], ["only_in_test"]], name="test")
    prepared = prepare_data(training_data=training, validation_data=validation, test_data=test,
                            target_column_name="label", cache_folder=tmp_path / "cache", cache_short_side=8)
    assert [e.labels for e in prepared.test] == [("b",), ("only_in_test",)]
    assert prepared.labels == ("a", "b")
    for example in prepared.test:
        assert prepared.cache.image(prepared.cache.slot(example.image)).shape[2] == 3
    # The old callers, without a test split, get an empty one.
    plain = prepare_data(training_data=training, validation_data=validation, target_column_name="label",
                         cache_folder=tmp_path / "cache", cache_short_side=8)
    assert plain.test == () and plain.training == prepared.training


def test_a_missing_test_mltable_is_a_data_error_naming_it(table, tmp_path):
    with pytest.raises(DataError, match="no-such-test-table"):
        prepare_data(training_data=table([["a"], ["b"]]), validation_data=table([["a"]], name="v"),
                     test_data=tmp_path / "no-such-test-table", target_column_name="label",
                     cache_folder=tmp_path / "cache", cache_short_side=8)


def test_a_test_split_emptied_by_bad_images_is_a_clear_error(table, tmp_path):
    test = table([["a"]], name="test")
    (test / "images" / "0.jpg").write_bytes(b"not a picture")
    with pytest.raises(EmptySplitError, match="the test split is empty"):
        prepare_data(training_data=table([["a"], ["b"]]), validation_data=table([["a"]], name="v"), test_data=test,
                     target_column_name="label", cache_folder=tmp_path / "cache", cache_short_side=8)
