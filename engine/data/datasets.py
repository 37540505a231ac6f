"""PyTorch datasets of (image tensor, multi-hot target) pairs.

`CachedImageDataset` reads pre-decoded pixels from the memory-mapped cache: what training
uses. `DecodingImageDataset` decodes the image file on every access: the reference the
throughput benchmark compares against, and a fallback where no cache folder exists.

Both implement `__getitems__`, which a DataLoader calls with a whole batch of indices:
with the transforms of `engine.data.transforms` (`TrainTransform`, `ValidationTransform`)
the random parameters, the uint8 -> float conversion, colour jitter and normalisation
then run once per batch instead of once per image. The items are the same either way:
a normalised float32 3 x crop x crop image and its float32 multi-hot target, so the
default collate and any plain DataLoader work unchanged. Any other callable transform
(PIL image in, tensor out) is applied per image, as before.
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
Item = tuple[torch.Tensor, torch.Tensor]


class _ImageDataset(Dataset):
    transform: Transform
    targets: torch.Tensor

    def _image(self, index: int) -> Image.Image | np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def __getitem__(self, index: int) -> Item:
        return self.__getitems__([index])[0]

    def __getitems__(self, indices: Sequence[int]) -> list[Item]:
        images = [self._image(int(i)) for i in indices]
        targets = self.targets[torch.as_tensor(indices, dtype=torch.long)]
        batch_transform = getattr(self.transform, "batch", None)
        if batch_transform is not None:
            return list(zip(batch_transform(images).unbind(0), targets.unbind(0)))
        pil = (im if isinstance(im, Image.Image) else Image.fromarray(im) for im in images)
        return [(self.transform(im), t) for im, t in zip(pil, targets.unbind(0))]


class CachedImageDataset(_ImageDataset):
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

    def _image(self, index: int) -> np.ndarray:
        return self.cache.image(int(self.slots[index]))  # read-only HWC uint8 view


class DecodingImageDataset(_ImageDataset):
    def __init__(
        self, examples: Sequence[Example], *, labels: Sequence[str], transform: Transform
    ) -> None:
        self.images = [e.image for e in examples]
        self.transform = transform
        self.targets = torch.from_numpy(multi_hot([e.labels for e in examples], labels))

    def __len__(self) -> int:
        return len(self.images)

    def _image(self, index: int) -> Image.Image:
        return decode_rgb(self.images[index])


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
