"""Azure AutoML's image-classification transforms, built from torchvision pieces.

Train: RandomResizedCrop(training_crop_size), horizontal flip, colour jitter half the
time, normalise. Validation: resize the shorter side to validation_resize_size, centre
crop validation_crop_size, normalise. Mean and std come from the model's timm pretrained
configuration (see `data_config_for`). Both take a PIL image and return a float tensor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from torchvision import transforms as T

# Azure applies colour jitter to half the training images; the strengths are not in its
# documentation, so these are torchvision's reference-recipe values for the three
# photometric knobs (hue left alone: it is the slow one and changes object identity).
COLOR_JITTER_PROBABILITY = 0.5
COLOR_JITTER_STRENGTH = {"brightness": 0.4, "contrast": 0.4, "saturation": 0.4}


@dataclass(frozen=True)
class DataConfig:
    """Normalisation a model was pretrained with; recorded with the model for export."""

    mean: tuple[float, float, float]
    std: tuple[float, float, float]


def data_config_for(timm_model_name: str) -> DataConfig:
    """Mean/std from timm's pretrained configuration, without creating the model.

    `timm.models.get_pretrained_cfg` reads the registry's default tag (or the one in
    `name.tag`); it builds nothing and downloads nothing.
    """
    from timm.models import get_pretrained_cfg  # timm's import builds its registry: defer it

    config = get_pretrained_cfg(timm_model_name)
    if config is None:
        raise ValueError(f"timm has no pretrained configuration for '{timm_model_name}'")
    return DataConfig(mean=tuple(config.mean), std=tuple(config.std))


def create_train_transform(
    *, crop_size: int, mean: Sequence[float], std: Sequence[float]
) -> T.Compose:
    return T.Compose(
        [
            T.RandomResizedCrop(crop_size),
            T.RandomHorizontalFlip(),
            T.RandomApply([T.ColorJitter(**COLOR_JITTER_STRENGTH)], p=COLOR_JITTER_PROBABILITY),
            T.ToTensor(),
            T.Normalize(mean=mean, std=std),
        ]
    )


def create_validation_transform(
    *, resize_size: int, crop_size: int, mean: Sequence[float], std: Sequence[float]
) -> T.Compose:
    return T.Compose(
        [
            T.Resize(resize_size),  # an int resizes the shorter side, keeping the aspect
            T.CenterCrop(crop_size),
            T.ToTensor(),
            T.Normalize(mean=mean, std=std),
        ]
    )

