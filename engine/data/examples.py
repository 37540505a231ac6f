"""Turn MLTable records into labelled examples, and split off a validation set."""

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
    if not 0.0 < validation_data_size < 1.0:
        raise ValueError(f"validation_data_size must be in (0, 1), got {validation_data_size}")
    order = np.random.default_rng(seed).permutation(len(examples))
    validation_count = math.ceil(len(examples) * validation_data_size)
    validation_rows = set(order[:validation_count].tolist())
    training = [e for i, e in enumerate(examples) if i not in validation_rows]
    validation = [e for i, e in enumerate(examples) if i in validation_rows]
    return training, validation


def require_rows(examples: Sequence[Example], *, split: str, source: str | Path) -> None:
    if not examples:
        raise EmptySplitError(
            f"the {split} split is empty: no usable rows in {source} (every row was "
            "skipped, or the data has too few rows to split). See the skipped-row "
            "warnings above for why."
        )
