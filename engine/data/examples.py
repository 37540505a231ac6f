"""Turn MLTable records into labelled examples, and split off validation and test sets."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.data.errors import EmptySplitError, SkipReport
from engine.data.mltable import read_mltable, read_records


@dataclass(frozen=True)
class Example:
    """One usable annotation row: an image file and its labels (sorted, unique)."""

    image: Path
    labels: tuple[str, ...]
    file: Path
    line: int


def read_examples(
    location: str | Path, *, target_column_name: str, report: SkipReport
) -> list[Example]:
    """Read an MLTable folder into examples; bad rows are reported to `report` and skipped.

    A row is bad when its image file does not exist or its target column is not a list
    of label names. Whether the image decodes is checked later, when the decoded-image
    cache is built: that decode happens anyway, so checking here would decode twice.
    """
    table = read_mltable(location)
    examples = []
    for record in read_records(table, report):
        image = record.values[table.image_column]
        labels = _labels_or_reason(record.values, target_column_name)
        if isinstance(labels, str):
            report.skip(record.file, record.line, labels)
        elif not image.is_file():
            report.skip(record.file, record.line, f"image file not found: {image}")
        else:
            examples.append(Example(image, labels, record.file, record.line))
    return examples


def _labels_or_reason(values: dict[str, Any], column: str) -> tuple[str, ...] | str:
    if column not in values:
        return f"no '{column}' column (the job's target_column_name)"
    labels = values[column]
    if not isinstance(labels, list) or not all(isinstance(x, str) and x.strip() for x in labels):
        return f"'{column}' must be a list of label names, got {labels!r}"
    return tuple(sorted(set(labels)))


def split_for_validation(
    examples: Sequence[Example], *, validation_data_size: float, seed: int
) -> tuple[list[Example], list[Example]]:
    """Seeded random split: ceil(n * validation_data_size) rows go to validation.

    The permutation depends only on the seed and the number of rows, so the same data
    and seed give the same split in every trial and every run.
    """
    return hold_out(examples, fraction=validation_data_size, seed=seed, name="validation_data_size")


TEST_SPLIT_STREAM = 0x7E57
"""Mixed into the run's data seed for the test hold-out, so its permutation is not the
validation split's one (both are drawn with the same run seed)."""


def split_for_test(
    examples: Sequence[Example], *, test_data_size: float, seed: int
) -> tuple[list[Example], list[Example]]:
    """Seeded random hold-out of ceil(n * test_data_size) rows for testing, taken from the
    training data before the validation split (so no trial trains or validates on it)."""
    return hold_out(examples, fraction=test_data_size, seed=[seed, TEST_SPLIT_STREAM], name="test_data_size")


def hold_out(
    examples: Sequence[Example], *, fraction: float, seed: int | list[int], name: str = "fraction"
) -> tuple[list[Example], list[Example]]:
    """(kept, held out): ceil(n * fraction) rows chosen by a permutation seeded with `seed`;
    both keep the input order."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"{name} must be in (0, 1), got {fraction}")
    order = np.random.default_rng(seed).permutation(len(examples))
    held_count = math.ceil(len(examples) * fraction)
    held_rows = set(order[:held_count].tolist())
    kept = [e for i, e in enumerate(examples) if i not in held_rows]
    held = [e for i, e in enumerate(examples) if i in held_rows]
    return kept, held


def require_rows(examples: Sequence[Example], *, split: str, source: str | Path) -> None:
    if not examples:
        raise EmptySplitError(
            f"the {split} split is empty: no usable rows in {source} (every row was "
            "skipped, or the data has too few rows to split). See the skipped-row "
            "warnings above for why."
        )
