"""PyTorch datasets of (image tensor, multi-hot target) pairs.

`CachedImageDataset` reads pre-decoded pixels from the memory-mapped cache: what training
uses. `DecodingImageDataset` decodes the image file on every access: the reference the
throughput benchmark compares against, and a fallback where no cache folder exists.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset

from engine.data.cache import DecodedImageCache, decode_rgb
from engine.data.examples import Example
from engine.data.labels import multi_hot

Transform = Callable[[Image.Image], torch.Tensor]


class CachedImageDataset(Dataset):
    def __init__(
        self,
        examples: Sequence[Example],
        *,
        labels: Sequence[str],
        cache: DecodedImageCache,
        transform: Transform,
    ) -> None:
        self.cache = cache
        self.transform = transform
        self.slots = np.array([cache.slot(e.image) for e in examples], dtype=np.int64)
        self.targets = torch.from_numpy(multi_hot([e.labels for e in examples], labels))

    def __len__(self) -> int:
        return len(self.slots)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        image = Image.fromarray(self.cache.image(int(self.slots[index])))
        return self.transform(image), self.targets[index]


class DecodingImageDataset(Dataset):
    def __init__(
        self, examples: Sequence[Example], *, labels: Sequence[str], transform: Transform
    ) -> None:
        self.images = [e.image for e in examples]
        self.transform = transform
        self.targets = torch.from_numpy(multi_hot([e.labels for e in examples], labels))

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.transform(decode_rgb(self.images[index])), self.targets[index]


def create_datasets(
    prepared, *, train_transform: Transform, validation_transform: Transform
) -> tuple[CachedImageDataset, CachedImageDataset]:
    """Training and validation datasets over a `PreparedData`'s cache."""
    return (
        CachedImageDataset(
            prepared.training, labels=prepared.labels, cache=prepared.cache,
            transform=train_transform,
        ),
        CachedImageDataset(
            prepared.validation, labels=prepared.labels, cache=prepared.cache,
            transform=validation_transform,
        ),
    )
