"""One pass over the training data, and one over the validation data."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn

from engine.train.runtime import Runtime

PrepareBatch = Callable[[Any, Runtime], tuple[torch.Tensor, torch.Tensor]]
"""What turns one loader batch into (model inputs, targets) on `runtime.device`. The
default, `to_device`, moves an (images, targets) pair as it is; the engine's image
loaders give uint8 batches that `engine.data.transforms.BatchFinisher` finishes on the
device (float, colour jitter, normalisation). The loops know nothing of transforms."""


def to_device(batch, runtime: Runtime) -> tuple[torch.Tensor, torch.Tensor]:
    x, y = batch
    return runtime.images(x), runtime.targets(y)


@dataclass(frozen=True)
class GradientClip:
    """Azure clips every update: by value 5.0 for CNNs, by norm 1.0 for ViTs."""

    value: float | None = 5.0
    norm: float | None = None

    def __call__(self, params: list[nn.Parameter]) -> None:
        if self.norm is not None:
            nn.utils.clip_grad_norm_(params, self.norm)
        if self.value is not None:
            nn.utils.clip_grad_value_(params, self.value)


def azure_gradient_clip(vit: bool) -> GradientClip:
    return GradientClip(value=None, norm=1.0) if vit else GradientClip(value=5.0, norm=None)


@dataclass(frozen=True)
class EpochStats:
    loss: float
    images: int
    updates: int
    seconds: float
    interrupted: bool = False

    @property
    def images_per_second(self) -> float:
        return self.images / self.seconds if self.seconds > 0 else 0.0


def train_one_epoch(
    model: nn.Module,
    loader: Iterable,
    *,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    loss_fn: nn.Module,
    runtime: Runtime,
    gradient_accumulation_step: int = 1,
    clip: GradientClip | None = None,
    stop: Callable[[], bool] | None = None,
    prepare_batch: PrepareBatch | None = None,
) -> EpochStats:
    """Gradients of `gradient_accumulation_step` batches add up before each update; the
    loss is divided by that count so an update sees their mean. `stop` is checked after
    every update: a stopped epoch is abandoned (the caller keeps its last checkpoint).
    `prepare_batch` (default `to_device`) makes each batch model inputs on the device."""
    prepare = prepare_batch or to_device
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    batches = len(loader)
    total = torch.zeros((), device=runtime.device)  # summed on device: no sync per step
    images = updates = 0
    start = time.perf_counter()
    optimizer.zero_grad(set_to_none=True)
    for i, batch in enumerate(loader):
        x, y = prepare(batch, runtime)
        update = (i + 1) % gradient_accumulation_step == 0 or i + 1 == batches
        # DDP all-reduces on every backward unless told otherwise; only the last
        # accumulated batch needs it.
        sync = contextlib.nullcontext() if update or not hasattr(model, "no_sync") else model.no_sync()
        with sync:
            with runtime.autocast():
                loss = loss_fn(model(x), y)
            (loss / gradient_accumulation_step).backward()
        total += loss.detach() * x.shape[0]
        images += x.shape[0]
        if update:
            if clip is not None:
                clip(params)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            scheduler.step()
            updates += 1
            if stop is not None and stop():
                return EpochStats(total.item() / max(1, images), images, updates, time.perf_counter() - start, True)
    mean_loss = total.item() / max(1, images)
    return EpochStats(mean_loss, images, updates, time.perf_counter() - start)


@dataclass(frozen=True)
class Predictions:
    targets: np.ndarray
    probabilities: np.ndarray
    loss: float


@torch.inference_mode()
def predict(
    model: nn.Module, loader: Iterable, *, loss_fn: nn.Module, runtime: Runtime,
    prepare_batch: PrepareBatch | None = None,
) -> Predictions:
    """Sigmoid probabilities for a whole loader. Under DDP each process sees its shard
    and the shards are gathered, so every process returns the whole validation set.
    `prepare_batch` as in `train_one_epoch`."""
    prepare = prepare_batch or to_device
    model.eval()
    targets, probs = [], []
    total = torch.zeros((), device=runtime.device)
    for batch in loader:
        x, y = prepare(batch, runtime)
        with runtime.autocast():
            logits = model(x)
        logits = logits.float()
        total += loss_fn(logits, y.float()) * x.shape[0]
        targets.append(y.cpu())
        probs.append(torch.sigmoid(logits).cpu())
    y_all = torch.cat(targets).numpy() if targets else np.zeros((0, 0))
    p_all = torch.cat(probs).numpy() if probs else np.zeros((0, 0))
    loss_sum, count = total.item(), len(y_all)
    if dist.is_available() and dist.is_initialized():
        shards: list = [None] * dist.get_world_size()
        dist.all_gather_object(shards, (y_all, p_all, loss_sum, count))
        y_all = np.concatenate([s[0] for s in shards if s[3]])
        p_all = np.concatenate([s[1] for s in shards if s[3]])
        loss_sum, count = sum(s[2] for s in shards), sum(s[3] for s in shards)
    return Predictions(y_all, p_all, loss_sum / max(1, count))
