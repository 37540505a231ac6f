"""From a job's data settings to the two splits, their labels and the decoded-image cache."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from engine.data.cache import DecodedImageCache, build_cache
from engine.data.errors import SkipCallback, SkippedRow, SkipReport
from engine.data.examples import Example, read_examples, require_rows, split_for_validation
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


def load_splits(
    *,
    training_data: str | Path,
    validation_data: str | Path | None,
    target_column_name: str,
    validation_data_size: float | None,
    seed: int,
    report: SkipReport,
) -> tuple[list[Example], list[Example]]:
    """Read both MLTables, or split validation off training when there is none.

    Use one seed for the whole run (not a per-trial one) so every trial sees the same split.
    """
    training = read_examples(training_data, target_column_name=target_column_name, report=report)
    if validation_data is not None:
        validation = read_examples(
            validation_data, target_column_name=target_column_name, report=report
        )
        return training, validation
    require_rows(training, split="training", source=training_data)
    return split_for_validation(
        training,
        validation_data_size=validation_data_size or DEFAULT_VALIDATION_DATA_SIZE,
        seed=seed,
    )


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
) -> PreparedData:
    """Read, split, decode (once, into the cache in `cache_folder`) and describe the data.

    Skipped rows go to `on_skip` as they are found and are returned in `skipped`;
    `on_progress(done, total)` follows the decoding when the cache has to be built.
    `cache_short_side`: see `engine.data.cache` (largest resize/crop size of the sweep).
    Raises `DataError` subclasses for everything the user must fix.
    """
    report = SkipReport(callback=on_skip)
    training, validation = load_splits(
        training_data=training_data,
        validation_data=validation_data,
        target_column_name=target_column_name,
        validation_data_size=validation_data_size,
        seed=seed,
        report=report,
    )
    cache = build_cache(
        [e.image for e in (*training, *validation)],
        folder=Path(cache_folder),
        short_side=cache_short_side,
        on_progress=on_progress,
    )
    training = _decodable(training, cache, report)
    validation = _decodable(validation, cache, report)
    require_rows(training, split="training", source=training_data)
    require_rows(validation, split="validation", source=validation_data or training_data)
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
