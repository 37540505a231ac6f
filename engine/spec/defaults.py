"""Per-model defaults, resolved in one place.

The seed gives ViT variants their own learning rates and batch sizes. Everything that
needs an effective training parameter (a trial, the studio's help, the summary) asks
`resolve_training_parameters`, never the raw `TrainingParameters`.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional

from .training import VIT_MODELS, TrainingParameters

DEFAULT_LEARNING_RATE = 0.035
DEFAULT_BATCH_SIZE = 78
# model_name -> (learning_rate, batch size for training and validation), from the seed.
MODEL_DEFAULTS: dict[str, tuple[float, int]] = {
    "vits16r224": (0.025, 128),
    "vitb16r224": (0.025, 48),
    "vitl16r224": (0.002, 10),
}
MAX_DEFAULT_WORKERS = 8  # Azure's default worker count


def is_vit(model_name: str) -> bool:
    return model_name in VIT_MODELS


def default_learning_rate(model_name: str) -> float:
    return MODEL_DEFAULTS.get(model_name, (DEFAULT_LEARNING_RATE, DEFAULT_BATCH_SIZE))[0]


def default_batch_size(model_name: str) -> int:
    return MODEL_DEFAULTS.get(model_name, (DEFAULT_LEARNING_RATE, DEFAULT_BATCH_SIZE))[1]


def default_number_of_workers() -> int:
    return min(MAX_DEFAULT_WORKERS, os.cpu_count() or 1)


def resolve_training_parameters(
    parameters: Optional[TrainingParameters] = None, overrides: Optional[Mapping[str, Any]] = None
) -> TrainingParameters:
    """The effective parameters of one trial: the job's, a trial's sampled overrides on
    top, then the model-dependent defaults filled in. The result is validated again, so a
    sampled value outside a documented range is refused here, not deep in training.

    `random_seed` and `checkpoint_*` stay None when unset: they mean "none given".
    ViT models need equal crop sizes; a sweep that samples them apart gets the
    validation crop set to the training crop (the validator rejects fixed mismatches).
    """
    given = parameters.model_dump(exclude_unset=True) if parameters is not None else {}
    merged = TrainingParameters.model_validate({**given, **dict(overrides or {})})
    model_name = merged.model_name
    fill: dict[str, Any] = {}
    if merged.learning_rate is None:
        fill["learning_rate"] = default_learning_rate(model_name)
    for key in ("training_batch_size", "validation_batch_size"):
        if getattr(merged, key) is None:
            fill[key] = default_batch_size(model_name)
    if merged.number_of_workers is None:
        fill["number_of_workers"] = default_number_of_workers()
    if is_vit(model_name) and merged.validation_crop_size != merged.training_crop_size:
        fill["validation_crop_size"] = merged.training_crop_size
    return merged.model_copy(update=fill)
