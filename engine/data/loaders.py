"""DataLoaders that are seeded, keep their workers, and pin memory when it helps."""

from __future__ import annotations

import random

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from engine.data.datasets import collate_items


def seed_worker(worker_id: int) -> None:
    """Seed Python's and NumPy's generators from the seed torch gave this worker.

    torch seeds each worker as base_seed + worker_id, with base_seed drawn from the
    loader's generator; torchvision's random transforms use torch's generator, but any
    NumPy or `random` use in a transform must follow the same seed too.
    """
    worker_seed = torch.initial_seed() % 2**32
    np.random.seed(worker_seed)
    random.seed(worker_seed)


def create_loader(
    dataset: Dataset,
    *,
    batch_size: int,
    shuffle: bool,
    number_of_workers: int,
    seed: int,
    device: torch.device | str = "cpu",
    drop_last: bool = False,
) -> DataLoader:
    """A loader whose batches are the same for the same seed, dataset and worker count.

    Workers stay alive between epochs (`persistent_workers`), so they map the decoded-image
    cache once per trial rather than once per epoch; memory is pinned when the batches go
    to a CUDA device, so host-to-device copies can be non-blocking.

    With `number_of_workers=0` the transforms draw from torch's global generator, so the
    caller's `torch.manual_seed(random_seed)` decides the augmentations; with workers,
    `seed` decides both the order and every worker's augmentations.

    Over the datasets of `engine.data.datasets` with the transforms of
    `engine.data.transforms`, the batches are `ImageBatch`es (uint8 geometry, targets,
    jitter draws): finish them with `transform.finisher()` (a `BatchFinisher`, the
    `prepare_batch` of `engine.train`'s loops) where they enter the model. Other datasets
    give what torch's default collate makes of their items.
    """
    generator = torch.Generator()
    generator.manual_seed(seed)
    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=shuffle,
        num_workers=number_of_workers,
        pin_memory=torch.device(device).type == "cuda",
        persistent_workers=number_of_workers > 0,
        worker_init_fn=seed_worker,
        generator=generator,
        drop_last=drop_last,
        collate_fn=collate_items,
    )
