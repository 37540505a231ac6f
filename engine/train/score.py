"""Scoring a trained model on the test split (the job's `test_data` / `test_data_size`).

The runner calls `score_checkpoint` once, after the sweep, on the best trial's `best.pt`:
the network is rebuilt without pretrained weights (`create_model(pretrained=False)`, no
download) and given the checkpoint's weights; test images go through the validation
transform of that trial's parameters (geometry in the loader, the finish on the scoring
device, as in training's validation); scores are `compute_metrics`'s, on the whole split.

The output labels are the checkpoint's (the training and validation vocabulary). A test
label the model has no output for cannot be predicted: it is left out of the targets and
named in `unknown_labels`, so the caller can warn.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from engine.data.cache import DecodedImageCache
from engine.data.datasets import CachedImageDataset
from engine.data.examples import Example
from engine.data.loaders import create_loader
from engine.data.transforms import create_validation_transform, data_config_for
from engine.models import create_model, timm_name
from engine.train.checkpoint import load_checkpoint
from engine.train.epoch import predict
from engine.train.loss import create_loss
from engine.train.metrics import compute_metrics
from engine.train.runtime import create_runtime


@dataclass(frozen=True)
class ScoreReport:
    metrics: dict[str, float]
    per_label: dict[str, dict[str, float]] = field(default_factory=dict)
    images: int = 0
    unknown_labels: tuple[str, ...] = ()
    """Test labels the model has no output for (seen in neither training nor validation)."""


def score_checkpoint(
    checkpoint: str | Path,
    *,
    params: Any,
    examples: Sequence[Example],
    cache: DecodedImageCache,
    labels: Sequence[str] | None = None,
    device: str | torch.device | None = None,
) -> ScoreReport:
    """Scores of the model in `checkpoint` on `examples` (their images are in `cache`).

    `params`: the trial's resolved training parameters (`model_name`, the validation
    resize/crop sizes and batch size). `labels`: the model's outputs, for a checkpoint
    that does not record them. `device`: CUDA when available, else the CPU.
    """
    if not examples:
        raise ValueError("no test images to score")
    state = load_checkpoint(checkpoint)
    outputs = list(state.get("labels") or labels or [])
    if not outputs:
        raise ValueError(f"{checkpoint} does not say which labels the model predicts; give `labels`")
    model, _ = create_model(params.model_name, len(outputs), pretrained=False)
    model.load_state_dict(state["model"])
    config = data_config_for(timm_name(params.model_name))
    transform = create_validation_transform(
        resize_size=params.validation_resize_size, crop_size=params.validation_crop_size, mean=config.mean, std=config.std
    )
    known = set(outputs)
    unknown = tuple(sorted({label for e in examples for label in e.labels if label not in known}))
    kept = [dataclasses.replace(e, labels=tuple(label for label in e.labels if label in known)) for e in examples]
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    runtime = create_runtime(device)
    # No worker processes: this runs in the runner, whose threads a fork would copy.
    loader = create_loader(
        CachedImageDataset(kept, labels=outputs, cache=cache, transform=transform),
        batch_size=params.validation_batch_size, shuffle=False, number_of_workers=0, seed=0, device=device,
    )
    predictions = predict(runtime.prepare(model), loader, loss_fn=create_loss(), runtime=runtime,
                          prepare_batch=transform.finisher())
    evaluation = compute_metrics(predictions.targets, predictions.probabilities, labels=outputs)
    return ScoreReport(metrics=dict(evaluation.scores), per_label=evaluation.per_label, images=len(kept), unknown_labels=unknown)
