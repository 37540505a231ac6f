"""`distributed`: DistributedDataParallel over the visible GPUs, gloo on CPU.

`launch(fn, world_size, *args)` starts one process per rank (torch.multiprocessing
spawn; rendezvous through a file, so no port is chosen or opened to the outside) and
calls `fn(rank, world_size, *args)` in each inside an initialised process group. Inside
`fn`, `wrap_ddp` wraps the model and `shard_loader` gives each rank its part of a loader.
`training_batch_size` stays per process, as in Azure: the global batch is world_size x.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
from torch.utils.data import DataLoader, DistributedSampler, Sampler

from engine.train.runtime import Runtime


def world_size_for(distributed: bool) -> int:
    """Processes to start: one per visible GPU when `distributed`, else one."""
    if distributed and torch.cuda.is_available():
        return max(1, torch.cuda.device_count())
    return 1


def launch(fn: Callable, world_size: int, *args, backend: str | None = None) -> None:
    """Run `fn(rank, world_size, *args)` in `world_size` processes; `fn` must be
    importable (module level). nccl on CUDA, gloo otherwise."""
    backend = backend or ("nccl" if torch.cuda.is_available() else "gloo")
    with tempfile.TemporaryDirectory() as tmp:
        init = f"file://{os.path.join(tmp, 'rendezvous')}"
        mp.spawn(_worker, args=(fn, world_size, backend, init, args), nprocs=world_size, join=True)


def _worker(rank: int, fn: Callable, world_size: int, backend: str, init: str, args: tuple) -> None:
    if backend == "nccl":
        torch.cuda.set_device(rank)
    dist.init_process_group(backend, init_method=init, rank=rank, world_size=world_size)
    try:
        fn(rank, world_size, *args)
    finally:
        dist.destroy_process_group()


def wrap_ddp(model: nn.Module, runtime: Runtime) -> nn.Module:
    device_ids = [runtime.device.index] if runtime.device.type == "cuda" else None
    return nn.parallel.DistributedDataParallel(model, device_ids=device_ids)


class _StridedSampler(Sampler[int]):
    """Every rank-th index, no padding: each validation image is scored exactly once."""

    def __init__(self, length: int, rank: int, world_size: int) -> None:
        self.indices = list(range(rank, length, world_size))

    def __iter__(self):
        return iter(self.indices)

    def __len__(self) -> int:
        return len(self.indices)


def shard_loader(loader: DataLoader, *, train: bool, seed: int = 0) -> DataLoader:
    """The same loader over this rank's share of the dataset. Training shards shuffle
    (DistributedSampler, reseeded per epoch by the loop); validation shards do not pad."""
    rank, world = dist.get_rank(), dist.get_world_size()
    dataset = loader.dataset
    sampler: Sampler = (
        DistributedSampler(dataset, num_replicas=world, rank=rank, shuffle=True, seed=seed)
        if train else _StridedSampler(len(dataset), rank, world)
    )
    return DataLoader(
        dataset,
        batch_size=loader.batch_size,
        sampler=sampler,
        num_workers=loader.num_workers,
        collate_fn=loader.collate_fn,
        pin_memory=loader.pin_memory,
        drop_last=loader.drop_last,
        persistent_workers=loader.persistent_workers if loader.num_workers > 0 else False,
    )

