"""Test helpers: tiny models and synthetic data (32 px images, 3 labels, a few batches)."""

from __future__ import annotations

from types import SimpleNamespace

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

LABELS = ["cat", "dog", "fish"]

# Azure's defaults (seed document), as engine.spec resolves them for a CNN.
DEFAULTS = dict(
    learning_rate=0.035, optimizer="sgd", momentum=0.9, nesterov=True, beta1=0.9, beta2=0.999,
    ams_gradient=False, weight_decay=1e-4, learning_rate_scheduler="warmup_cosine",
    warmup_cosine_lr_cycles=0.45, warmup_cosine_lr_warmup_epochs=2, step_lr_gamma=0.5,
    step_lr_step_size=5, number_of_epochs=15, training_batch_size=78, validation_batch_size=78,
    gradient_accumulation_step=1, early_stopping=True, early_stopping_delay=5,
    early_stopping_patience=5, evaluation_frequency=1, checkpoint_frequency=None,
    checkpoint_run_id=None, layers_to_freeze=None, model_name="resnet18", training_crop_size=224,
    validation_crop_size=224, validation_resize_size=256, weighted_loss=0, random_seed=None,
    number_of_workers=0, distributed=False, enable_onnx_normalization=False,
)


def make_params(**overrides) -> SimpleNamespace:
    unknown = set(overrides) - set(DEFAULTS)
    assert not unknown, f"not a training parameter: {unknown}"
    return SimpleNamespace(**{**DEFAULTS, **overrides})


def synthetic(n: int = 32, *, seed: int = 0) -> TensorDataset:
    """Label i is on when channel i is brighter than average: learnable at 32 px."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, 32, 32, generator=g)
    y = (x.mean(dim=(2, 3)) > 0).float()
    return TensorDataset(x, y)


def loaders(n_train: int = 32, n_valid: int = 16, batch: int = 8, *, seed: int = 0):
    train = DataLoader(synthetic(n_train, seed=seed), batch_size=batch, shuffle=True)
    valid = DataLoader(synthetic(n_valid, seed=seed + 1), batch_size=batch)
    return train, valid


class TinyNet(nn.Module):
    """No batch norm: with lr 0 its scores do not move, which early-stopping tests use."""

    def __init__(self, num_labels: int = 3) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, stride=2)
        self.fc = nn.Linear(4, num_labels)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).mean(dim=(2, 3)))



def image_loaders(folder, *, n_train: int = 24, n_valid: int = 8, batch: int = 4, workers: int = 0,
                  seed: int = 0, crop: int = 16):
    """The engine's image pipeline on a few random JPEGs: loaders of uint8 `ImageBatch`es
    (geometry in the loader) and the `BatchFinisher` that finishes them where they enter
    the model. Returns (train_loader, valid_loader, finisher)."""
    from pathlib import Path

    import numpy as np
    from PIL import Image

    from engine.data.datasets import DecodingImageDataset
    from engine.data.examples import Example
    from engine.data.loaders import create_loader
    from engine.data.transforms import (
        create_train_transform,
        create_validation_transform,
    )

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    examples = []
    for k in range(n_train + n_valid):
        path = folder / f"{k}.jpg"
        if not path.is_file():
            Image.fromarray(rng.integers(0, 256, (crop + 8, crop + 4, 3), dtype=np.uint8)).save(path)
        labels = tuple(label for i, label in enumerate(LABELS) if (k >> i) & 1)
        examples.append(Example(image=path, labels=labels, file=folder / "rows.jsonl", line=k + 1))
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    train_transform = create_train_transform(crop_size=crop, mean=mean, std=std)
    valid_transform = create_validation_transform(resize_size=crop + 2, crop_size=crop, mean=mean, std=std)
    train = create_loader(DecodingImageDataset(examples[:n_train], labels=LABELS, transform=train_transform),
                          batch_size=batch, shuffle=True, number_of_workers=workers, seed=seed)
    valid = create_loader(DecodingImageDataset(examples[n_train:], labels=LABELS, transform=valid_transform),
                          batch_size=batch, shuffle=False, number_of_workers=workers, seed=seed)
    return train, valid, train_transform.finisher()
