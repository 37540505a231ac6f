"""From a job's data settings to the splits, their labels and the decoded-image cache.

Splits: training; validation (`validation_data`, else a seeded `validation_data_size`
split of training); test, only when the job asks for one (`test_data`, else a seeded
`test_data_size` hold-out of training, taken before the validation split so no trial
trains or validates on it). The test split does not shape the label vocabulary: the
model's outputs come from training and validation only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from engine.data.cache import DecodedImageCache, build_cache
from engine.data.errors import SkipCallback, SkippedRow, SkipReport
from engine.data.examples import (
    Example,
    read_examples,
    require_rows,
    split_for_test,
    split_for_validation,
)
from engine.data.labels import LabelStatistics, label_statistics, label_vocabulary

DEFAULT_VALIDATION_DATA_SIZE = 0.2


@dataclass(frozen=True)
class PreparedData:
    """Everything a trial needs to build its datasets, and what to tell the user."""

    training: tuple[Example, ...]
    validation: tuple[Example, ...]
    labels: tuple[str, ...]
    statistics: LabelStatistics
    cache: DecodedImageCache
    skipped: tuple[SkippedRow, ...]
    test: tuple[Example, ...] = ()
    """Empty when the job has neither `test_data` nor `test_data_size`. Its images are
    in `cache` too; its labels may include some the model has no output for."""


@dataclass(frozen=True)
class Splits:
    training: list[Example]
    validation: list[Example]
    test: list[Example]
    """Empty when no test split was asked for."""


def read_splits(
    *,
    training_data: str | Path,
    validation_data: str | Path | None,
    target_column_name: str,
    validation_data_size: float | None,
    seed: int,
    report: SkipReport,
    test_data: str | Path | None = None,
    test_data_size: float | None = None,
) -> Splits:
    """Read the MLTables and make the missing splits from training.

    Use one seed for the whole run (not a per-trial one) so every trial sees the same
    split. Every MLTable is read here, so a missing or unreadable one (the test one
    included) fails at once with a `DataError`.
    """
    training = read_examples(training_data, target_column_name=target_column_name, report=report)
    test: list[Example] = []
    if test_data is not None:
        test = read_examples(test_data, target_column_name=target_column_name, report=report)
        require_rows(test, split="test", source=test_data)
    elif test_data_size is not None:
        require_rows(training, split="training", source=training_data)
        training, test = split_for_test(training, test_data_size=test_data_size, seed=seed)
    if validation_data is not None:
        validation = read_examples(
            validation_data, target_column_name=target_column_name, report=report
        )
        return Splits(training, validation, test)
    require_rows(training, split="training", source=training_data)
    training, validation = split_for_validation(
        training,
        validation_data_size=validation_data_size or DEFAULT_VALIDATION_DATA_SIZE,
        seed=seed,
    )
    return Splits(training, validation, test)


def prepare_data(
    *,
    training_data: str | Path,
    validation_data: str | Path | None = None,
    target_column_name: str,
    validation_data_size: float | None = None,
    seed: int = 0,
    cache_folder: str | Path,
    cache_short_side: int,
    on_skip: SkipCallback | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    test_data: str | Path | None = None,
    test_data_size: float | None = None,
) -> PreparedData:
    """Read, split, decode (once, into the cache in `cache_folder`) and describe the data.

    Skipped rows go to `on_skip` as they are found and are returned in `skipped`;
    `on_progress(done, total)` follows the decoding when the cache has to be built.
    `cache_short_side`: see `engine.data.cache` (largest resize/crop size of the sweep).
    `test_data` / `test_data_size`: the test split (see the module docstring); give the
    same values in the runner and in every trial, or the splits and the cache differ.
    Raises `DataError` subclasses for everything the user must fix.
    """
    report = SkipReport(callback=on_skip)
    splits = read_splits(
        training_data=training_data,
        validation_data=validation_data,
        target_column_name=target_column_name,
        validation_data_size=validation_data_size,
        seed=seed,
        report=report,
        test_data=test_data,
        test_data_size=test_data_size,
    )
    cache = build_cache(
        [e.image for e in (*splits.training, *splits.validation, *splits.test)],
        folder=Path(cache_folder),
        short_side=cache_short_side,
        on_progress=on_progress,
    )
    training = _decodable(splits.training, cache, report)
    validation = _decodable(splits.validation, cache, report)
    test = _decodable(splits.test, cache, report)
    require_rows(training, split="training", source=training_data)
    require_rows(validation, split="validation", source=validation_data or training_data)
    if test_data is not None or test_data_size is not None:
        require_rows(test, split="test", source=test_data or training_data)
    labels = label_vocabulary([e.labels for e in training], [e.labels for e in validation])
    return PreparedData(
        training=tuple(training),
        validation=tuple(validation),
        labels=labels,
        statistics=label_statistics(
            [e.labels for e in training], [e.labels for e in validation], labels
        ),
        cache=cache,
        skipped=tuple(report.rows),
        test=tuple(test),
    )


def _decodable(
    examples: list[Example], cache: DecodedImageCache, report: SkipReport
) -> list[Example]:
    kept = []
    for example in examples:
        reason = cache.failures.get(example.image)
        if reason is None:
            kept.append(example)
        else:
            report.skip(example.file, example.line, f"{reason}: {example.image}")
    return kept
