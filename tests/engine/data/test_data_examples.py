from __future__ import annotations

import pytest

from engine.data.errors import EmptySplitError, SkipReport
from engine.data.examples import read_examples, split_for_validation
from engine.data.labels import label_statistics, label_vocabulary, multi_hot


def test_rows_become_examples_with_sorted_unique_labels(table):
    folder = table([["dog", "cat", "dog"], []])
    examples = read_examples(folder, target_column_name="label", report=SkipReport())
    assert [e.labels for e in examples] == [("cat", "dog"), ()]
    assert examples[1].image == folder.resolve() / "images" / "1.jpg"
    assert (examples[1].file.name, examples[1].line) == ("annotations.jsonl", 2)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"image_url": "images/0.jpg", "label": "cat"}, "'label' must be a list of label names"),
        ({"image_url": "images/0.jpg", "label": ["cat", 3]}, "must be a list of label names"),
        ({"image_url": "images/0.jpg", "label": ["cat", " "]}, "must be a list of label names"),
        ({"image_url": "images/0.jpg", "tags": ["cat"]}, "no 'label' column"),
        ({"image_url": "images/missing.jpg", "label": ["cat"]}, "image file not found"),
        ({"image_url": 7, "label": ["cat"]}, "column 'image_url' must be an image path"),
        ({"label": ["cat"]}, "column 'image_url' must be an image path"),
    ],
)
def test_bad_rows_are_skipped_and_reported_with_file_and_line(table, files, row, reason):
    folder = table([["good"]])
    files.jsonl(folder / "annotations.jsonl", [{"image_url": "images/0.jpg", "label": ["good"]}, row])
    seen = []
    report = SkipReport(callback=seen.append)
    examples = read_examples(folder, target_column_name="label", report=report)
    assert [e.labels for e in examples] == [("good",)]
    assert seen == report.rows and len(seen) == 1
    assert seen[0].file == (folder / "annotations.jsonl").resolve() and seen[0].line == 2
    assert reason in seen[0].reason
    assert str(seen[0]).startswith(f"{seen[0].file}:2: skipped: ")


def test_target_column_name_chooses_the_label_column(table, files):
    folder = table([["x"]])
    files.jsonl(folder / "annotations.jsonl", [{"image_url": "images/0.jpg", "label": ["x"], "tags": ["t"]}])
    [example] = read_examples(folder, target_column_name="tags", report=SkipReport())
    assert example.labels == ("t",)


def test_vocabulary_is_sorted_ascending_over_both_splits_and_multi_hot_follows_it():
    labels = label_vocabulary([["milk_bottle", "can"], ["carton"]], [["water_bottle"], ["Can"]])
    assert labels == ("Can", "can", "carton", "milk_bottle", "water_bottle")
    assert multi_hot([["carton", "Can"], []], labels).tolist() == [[1, 0, 1, 0, 0], [0] * 5]


def test_label_statistics():
    training = [("a", "b"), ("b",), ()]
    validation = [("b", "c")]
    stats = label_statistics(training, validation, ("a", "b", "c"))
    assert stats.training_counts == (1, 2, 0) and stats.validation_counts == (0, 1, 1)
    assert stats.labels_per_image == {0: 1, 1: 1, 2: 1}
    assert stats.validation_labels_per_image == {2: 1}
    assert stats.labels_only_in_validation == ("c",)
    assert stats.positive_counts.tolist() == [1, 2, 0] and stats.training_samples == 3
    assert stats.as_dict()["training_counts"] == {"a": 1, "b": 2, "c": 0}


def test_validation_split_is_seeded_and_sized_by_ceiling(table):
    examples = read_examples(table([[str(i)] for i in range(10)]), target_column_name="label",
                             report=SkipReport())
    first = split_for_validation(examples, validation_data_size=0.25, seed=3)
    again = split_for_validation(examples, validation_data_size=0.25, seed=3)
    other = split_for_validation(examples, validation_data_size=0.25, seed=4)
    assert first == again and first != other
    training, validation = first
    assert len(validation) == 3 and len(training) == 7
    assert sorted(e.line for e in training + validation) == list(range(1, 11))


def test_one_row_without_validation_data_leaves_training_empty(table, tmp_path):
    from engine.data.prepare import prepare_data

    with pytest.raises(EmptySplitError, match="the training split is empty"):
        prepare_data(training_data=table([["a"]]), target_column_name="label",
                     cache_folder=tmp_path / "cache", cache_short_side=8)


def test_no_usable_rows_is_an_empty_split_error(table, tmp_path):
    from engine.data.prepare import prepare_data

    folder = table([["a"], ["b"]])
    for image in (folder / "images").iterdir():
        image.unlink()
    with pytest.raises(EmptySplitError, match="the training split is empty"):
        prepare_data(training_data=folder, target_column_name="label",
                     cache_folder=tmp_path / "cache", cache_short_side=8)
