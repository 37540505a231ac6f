"""PyTorch datasets of (image, multi-hot target) pairs, batched for the loaders.

`CachedImageDataset` reads pre-decoded pixels from the memory-mapped cache: what training
uses. `DecodingImageDataset` decodes the image file on every access: the reference the
throughput benchmark compares against, and a fallback where no cache folder exists.

With the transforms of `engine.data.transforms` (`TrainTransform`, `ValidationTransform`)
a dataset does only the geometry part (crop, resize, flip: uint8) and draws the jitter
parameters; the float conversion, jitter and normalisation happen where the batch enters
the model (`BatchFinisher`, the `prepare_batch` of `engine.train`'s loops). So:

- `__getitems__` (a DataLoader calls it with a whole batch of indices) returns a
  `BatchItems` list carrying an `ImageBatch`: uint8 N x 3 x crop x crop images, float32
  targets and the jitter draws (None for validation), views of one buffer (in a loader
  worker, shared memory: one file descriptor to the main process, no copy). The loaders'
  `collate_items` hands the `ImageBatch` on as the batch.
- An item (`dataset[i]`, or the list's elements under a plain DataLoader's default
  collate) is (uint8 3 x crop x crop image, float32 target): the geometry only.

Any other callable transform (PIL image in, tensor out) is applied per image, and the
batches are plain (images, targets) tensors, as before.
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

_ALIGN = 16  # bytes: each part of an ImageBatch buffer starts aligned


def _aligned(nbytes: int) -> int:
    return -(-nbytes // _ALIGN) * _ALIGN


class ImageBatch:
    """One loader batch before its finish: uint8 `images` (N x 3 x H x W), float32
    `targets` (N x labels) and float32 `jitter` draws (N x 7, see
    `engine.data.transforms.draw_jitter`; None for validation), all views of one uint8
    `buffer`, so pinning it, sharing it between processes and copying it to a device
    are one operation each. Finish it with `engine.data.transforms.BatchFinisher`."""

    def __init__(self, buffer: torch.Tensor, image_shape: tuple[int, ...], labels: int, jitter: bool) -> None:
        self.buffer = buffer
        self.image_shape = tuple(image_shape)
        self.labels = int(labels)
        self.has_jitter = bool(jitter)

    @classmethod
    def allocate(cls, image_shape: tuple[int, ...], labels: int, *, jitter: bool) -> ImageBatch:
        """An empty batch; in a loader worker its buffer is shared memory (as default_collate
        allocates), so handing it to the main process copies nothing."""
        n = image_shape[0]
        nbytes = _aligned(math.prod(image_shape)) + _aligned(4 * n * labels) + (4 * n * 7 if jitter else 0)
        if torch.utils.data.get_worker_info() is None:
            buffer = torch.empty(nbytes, dtype=torch.uint8)
        else:
            buffer = torch.empty(0, dtype=torch.uint8).set_(torch.UntypedStorage._new_shared(nbytes))
        return cls(buffer, image_shape, labels, jitter)

    def parts(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """(images, targets, jitter) as views of the buffer, on the buffer's device. The
        images are N x 3 x H x W with channels-last memory (N, H, W, 3), as the transforms'
        `geometry` writes them (`engine.data.transforms.empty_images`)."""
        n, channels, height, width = self.image_shape
        pixels = n * height * width * channels
        images = self.buffer[:pixels].view(n, height, width, channels).permute(0, 3, 1, 2)
        start = _aligned(pixels)
        targets = self.buffer[start : start + 4 * n * self.labels].view(torch.float32).view(n, self.labels)
        jitter = None
        if self.has_jitter:
            start += _aligned(4 * n * self.labels)
            jitter = self.buffer[start : start + 4 * n * 7].view(torch.float32).view(n, 7)
        return images, targets, jitter

    @property
    def images(self) -> torch.Tensor:
        return self.parts()[0]

    @property
    def targets(self) -> torch.Tensor:
        return self.parts()[1]

    @property
    def jitter(self) -> torch.Tensor | None:
        return self.parts()[2]

    def __reduce__(self):
        # Just the constructor's arguments: the buffer pickles as a tensor (in a loader
        # worker, as its shared memory), and unpickling looks up no more than it must.
        return ImageBatch, (self.buffer, self.image_shape, self.labels, self.has_jitter)

    def _like(self, buffer: torch.Tensor) -> ImageBatch:
        return ImageBatch(buffer, self.image_shape, self.labels, self.has_jitter)

    def pin_memory(self, device=None) -> ImageBatch:  # what the DataLoader's pin-memory thread calls
        return self._like(self.buffer.pin_memory())

    def to(self, device: torch.device | str, *, non_blocking: bool = False) -> ImageBatch:
        return self._like(self.buffer.to(device, non_blocking=non_blocking))

    def __len__(self) -> int:
        return self.image_shape[0]

    def __iter__(self):
        raise TypeError("an ImageBatch holds uint8 pixels, not model inputs: finish it with "
                        "engine.data.transforms.BatchFinisher (the training loops' prepare_batch)")

    def __repr__(self) -> str:
        return f"ImageBatch(images={self.image_shape}, labels={self.labels}, jitter={self.has_jitter})"


class BatchItems(Sequence):
    """The items of one batch, as a sequence of (uint8 image, target) pairs (what
    default_collate takes), that also carries the whole `ImageBatch`: `collate_items`
    hands that on. The pairs are made only when asked for: the loaders never ask."""

    def __init__(self, batch: ImageBatch) -> None:
        self.batch = batch

    def __len__(self) -> int:
        return len(self.batch)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        images, targets, _ = self.batch.parts()
        return images[index], targets[index]


def collate_items(items):
    """A DataLoader collate_fn: the `ImageBatch` of a batch `__getitems__` made, anything
    else through torch's default_collate."""
    if isinstance(items, BatchItems):
        return items.batch
    return default_collate(items)


class _ImageDataset(Dataset):
    transform: Transform
    targets: torch.Tensor

    def _image(self, index: int) -> Image.Image | torch.Tensor:  # pragma: no cover
        raise NotImplementedError

    def __getitem__(self, index: int) -> Item:
        return self.__getitems__([index])[0]

    def __getitems__(self, indices: Sequence[int]) -> list[Item]:
        images = [self._image(int(i)) for i in indices]
        targets = self.targets[torch.as_tensor(indices, dtype=torch.long)]
        geometry = getattr(self.transform, "geometry", None)
        if geometry is not None:
            size = self.transform.crop_size
            jitter = self.transform.draw_jitter(len(images))
            batch = ImageBatch.allocate((len(images), 3, size, size), targets.shape[1], jitter=jitter is not None)
            pixels, target_part, jitter_part = batch.parts()
            geometry(images, out=pixels)  # jitter, then geometry: `transform.batch`'s order of draws
            target_part.copy_(targets)
            if jitter is not None:
                jitter_part.copy_(jitter)
            return BatchItems(batch)
        pil = (im if isinstance(im, Image.Image) else Image.fromarray(np.asarray(im)) for im in images)
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
        self.slots = [cache.slot(e.image) for e in examples]
        self.targets = torch.from_numpy(multi_hot([e.labels for e in examples], labels))

    def __len__(self) -> int:
        return len(self.slots)

    def _image(self, index: int) -> torch.Tensor:
        # An HWC uint8 tensor view of the mapped pixels: the transforms crop it without a copy.
        return self.cache.tensor(self.slots[index])


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
