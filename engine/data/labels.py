"""Label vocabulary, multi-hot targets and label statistics.

The vocabulary is sorted ascending and index i is output i everywhere: training targets,
`labels.json`, the MLflow model's `labels` and ONNX `output1`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np


def label_vocabulary(*label_sets: Iterable[Iterable[str]]) -> tuple[str, ...]:
    """Every label of every example of every split, sorted ascending."""
    return tuple(sorted({label for labels in label_sets for row in labels for label in row}))


def multi_hot(rows: Sequence[Iterable[str]], vocabulary: Sequence[str]) -> np.ndarray:
    """float32 array (len(rows), len(vocabulary)) with 1 where a row has the label."""
    index = {label: i for i, label in enumerate(vocabulary)}
    targets = np.zeros((len(rows), len(vocabulary)), dtype=np.float32)
    for row_number, labels in enumerate(rows):
        for label in labels:
            targets[row_number, index[label]] = 1.0
    return targets


@dataclass(frozen=True)
class LabelStatistics:
    """What the studio, the logs and `weighted_loss` need to know about the labels.

    Per-label tuples are in vocabulary order. `labels_per_image` maps a label count
    (0, 1, 2, ...) to how many training images have that many labels.
    """

    labels: tuple[str, ...]
    training_counts: tuple[int, ...]
    validation_counts: tuple[int, ...]
    training_samples: int
    validation_samples: int
    labels_per_image: dict[int, int]
    validation_labels_per_image: dict[int, int]
    labels_only_in_validation: tuple[str, ...]

    @property
    def positive_counts(self) -> np.ndarray:
        """Training positives per label, for `weighted_loss` (pos_weight = negatives/positives)."""
        return np.asarray(self.training_counts, dtype=np.int64)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form, for events and summary files."""
        return {
            "labels": list(self.labels),
            "training_counts": dict(zip(self.labels, self.training_counts)),
            "validation_counts": dict(zip(self.labels, self.validation_counts)),
            "training_samples": self.training_samples,
            "validation_samples": self.validation_samples,
            "labels_per_image": {str(k): v for k, v in self.labels_per_image.items()},
            "validation_labels_per_image": {
                str(k): v for k, v in self.validation_labels_per_image.items()
            },
            "labels_only_in_validation": list(self.labels_only_in_validation),
        }


def label_statistics(
    training: Sequence[Iterable[str]],
    validation: Sequence[Iterable[str]],
    vocabulary: Sequence[str],
) -> LabelStatistics:
    """Statistics of two splits, given as one label collection per image."""
    training = [tuple(row) for row in training]
    validation = [tuple(row) for row in validation]
    training_counts = Counter(label for row in training for label in row)
    validation_counts = Counter(label for row in validation for label in row)
    return LabelStatistics(
        labels=tuple(vocabulary),
        training_counts=tuple(training_counts[label] for label in vocabulary),
        validation_counts=tuple(validation_counts[label] for label in vocabulary),
        training_samples=len(training),
        validation_samples=len(validation),
        labels_per_image=dict(sorted(Counter(len(row) for row in training).items())),
        validation_labels_per_image=dict(sorted(Counter(len(row) for row in validation).items())),
        labels_only_in_validation=tuple(
            label for label in vocabulary if validation_counts[label] and not training_counts[label]
        ),
    )
