"""What a saved model needs besides its weights to turn an image into probabilities.

Stored as `settings.json` beside the weights (in the MLflow model's artifacts), so the
model is served with exactly the validation transform it was scored with.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

THRESHOLD = 0.5
"""Azure's: a label is predicted when its sigmoid is strictly above this."""


@dataclass(frozen=True)
class ModelSettings:
    model_name: str
    """The job's `model_name` (seed name, e.g. `resnet18`)."""
    timm_name: str
    """The timm architecture behind it."""
    labels: tuple[str, ...]
    """Ascending; label i is output i."""
    validation_resize_size: int
    """The shorter side is resized to this before the centre crop."""
    validation_crop_size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    enable_onnx_normalization: bool
    """Whether `model.onnx` takes raw 0-255 pixels and normalises inside the graph."""
    threshold: float = THRESHOLD
    batch_size: int = 16
    """How many images the pyfunc model scores at once."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ModelSettings":
        data = dict(data)
        for key in ("labels", "mean", "std"):
            data[key] = tuple(data[key])
        return cls(**data)

    def save(self, path: Path) -> Path:
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> "ModelSettings":
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def settings_for(params: Any, labels: list[str] | tuple[str, ...]) -> ModelSettings:
    """Settings from a trial's resolved `TrainingParameters` (or anything with the same
    attributes). Mean/std are the model's timm pretrained configuration, as in training."""
    from engine.data.transforms import data_config_for
    from engine.models import timm_name

    arch = timm_name(params.model_name)
    config = data_config_for(arch)
    return ModelSettings(
        model_name=params.model_name,
        timm_name=arch,
        labels=tuple(labels),
        validation_resize_size=int(params.validation_resize_size),
        validation_crop_size=int(params.validation_crop_size),
        mean=tuple(float(v) for v in config.mean),
        std=tuple(float(v) for v in config.std),
        enable_onnx_normalization=bool(params.enable_onnx_normalization),
        batch_size=int(params.validation_batch_size or 16),
    )
