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

import math
from collections.abc import Callable, Sequence

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset, default_collate

from engine.data.cache import DecodedImageCache, decode_rgb
from engine.data.examples import Example
from engine.data.labels import multi_hot

Transform = Callable[[Image.Image], torch.Tensor]
Item = tuple[torch.Tensor, torch.Tensor]


class BatchItems(list):
    """The items of one batch, as a list of (image, target) pairs (what default_collate
    takes), that also carries them already stacked: `collate_items` hands those on
    instead of stacking a copy."""

    def __init__(self, images: torch.Tensor, targets: torch.Tensor) -> None:
        super().__init__(zip(images.unbind(0), targets.unbind(0)))
        self.images, self.targets = images, targets


def collate_items(items):
    """A DataLoader collate_fn: a batch `__getitems__` already stacked as it is, anything
    else through torch's default_collate."""
    if isinstance(items, BatchItems):
        return items.images, items.targets
    return default_collate(items)


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
            size = self.transform.crop_size
            out, targets = _batch_buffers((len(images), 3, size, size), targets)
            return BatchItems(batch_transform(images, out=out), targets)
        pil = (im if isinstance(im, Image.Image) else Image.fromarray(im) for im in images)
        return [(self.transform(im), t) for im, t in zip(pil, targets.unbind(0))]


def _batch_buffers(image_shape: tuple[int, ...], targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """An empty float32 image batch and a copy of `targets`, views of one storage. In a
    loader worker that storage is shared memory (as default_collate allocates): handing
    the batch to the main process then copies nothing, and passes one file descriptor
    instead of two (each costs the main process a round trip)."""
    images = math.prod(image_shape)
    numel = images + targets.numel()
    if torch.utils.data.get_worker_info() is None:
        storage = torch.empty(numel, dtype=torch.float32)
    else:
        shared = torch.UntypedStorage._new_shared(numel * 4)
        storage = torch.empty(0, dtype=torch.float32).set_(shared)
    storage[images:].view(targets.shape).copy_(targets)
    return storage[:images].view(image_shape), storage[images:].view(targets.shape)


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
        # A read-only HWC uint8 view, as a plain ndarray: slicing an np.memmap is slower.
        return self.cache.image(int(self.slots[index])).view(np.ndarray)


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
