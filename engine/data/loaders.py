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


def share_batches_by_file_name() -> None:
    """Have loader workers hand batches to this process by shared-memory file name
    (torch's `file_system` sharing strategy) rather than by file descriptor.

    Why: under the default `file_descriptor` strategy every batch's shared memory crosses
    with a socket connection from this process to a server thread in the worker, which
    has to win the worker's GIL from the thread making the next batch; on the small
    cached demo pictures that handshake, not the pixels, set the pace (about 49 against
    39 us per image on 2 cores, `bench/data_throughput.py`). By name, a batch is opened
    directly. torch's `torch_shm_manager` daemon removes the named segments once every
    process that used them has exited, a killed trial included.

    Process-wide and idempotent. Loaders with workers call it, so a trial process (where
    they are made) uses it from its first loader on, and the workers, forked after,
    inherit it."""
    if torch.multiprocessing.get_sharing_strategy() != "file_system":
        torch.multiprocessing.set_sharing_strategy("file_system")


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
    to a CUDA device, so host-to-device copies can be non-blocking. With workers, batches
    cross to this process by shared-memory file name (`share_batches_by_file_name`).

    With `number_of_workers=0` the transforms draw from torch's global generator, so the
    caller's `torch.manual_seed(random_seed)` decides the augmentations; with workers,
    `seed` decides both the order and every worker's augmentations.

    Over the datasets of `engine.data.datasets` with the transforms of
    `engine.data.transforms`, the batches are `ImageBatch`es (uint8 geometry, targets,
    jitter draws): finish them with `transform.finisher()` (a `BatchFinisher`, the
    `prepare_batch` of `engine.train`'s loops) where they enter the model. Other datasets
    give what torch's default collate makes of their items.
    """
    if number_of_workers > 0:
        share_batches_by_file_name()
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
