"""Learning-rate schedules, stepped once per optimizer update (Azure steps per iteration).

Epoch-denominated settings become update counts through `updates_per_epoch`, which is
`ceil(batches_per_epoch / gradient_accumulation_step)`: with accumulation, one update
covers several batches and the schedule follows the updates actually made.

- `warmup_cosine` (Azure's WarmupCosineSchedule): for update t with
  W = warmup_epochs * updates_per_epoch warmup updates and T total updates,
  factor = t / W while t < W, then
  factor = max(0, 0.5 * (1 + cos(pi * cycles * 2 * (t - W) / (T - W)))).
  With the default cycles 0.45 the rate ends near 0.05 x, not 0.
- `step`: factor = gamma ** (t // (step_size * updates_per_epoch)), i.e. multiplied by
  gamma every `step_size` epochs.
- `none`: factor 1.
The learning rate after t updates is `learning_rate * factor(t)`.
"""

from __future__ import annotations

import math
from functools import partial

import torch
from torch.optim.lr_scheduler import LambdaLR

SCHEDULERS = ("warmup_cosine", "step", "none")


def warmup_cosine_factor(step: int, *, warmup_steps: int, total_steps: int, cycles: float) -> float:
    if step < warmup_steps:
        return step / max(1, warmup_steps)
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * cycles * 2.0 * progress)))


def step_factor(step: int, *, step_size_steps: int, gamma: float) -> float:
    return gamma ** (step // max(1, step_size_steps))


def constant_factor(step: int) -> float:
    return 1.0


def create_scheduler(
    optimizer: torch.optim.Optimizer,
    *,
    scheduler: str = "warmup_cosine",
    updates_per_epoch: int,
    number_of_epochs: int,
    warmup_epochs: int = 2,
    cycles: float = 0.45,
    step_gamma: float = 0.5,
    step_size: int = 5,
) -> LambdaLR:
    """A LambdaLR to call `.step()` after every optimizer update."""
    if scheduler == "warmup_cosine":
        factor = partial(
            warmup_cosine_factor,
            warmup_steps=warmup_epochs * updates_per_epoch,
            total_steps=number_of_epochs * updates_per_epoch,
            cycles=cycles,
        )
    elif scheduler == "step":
        factor = partial(step_factor, step_size_steps=step_size * updates_per_epoch, gamma=step_gamma)
    elif scheduler == "none":
        factor = constant_factor
    else:
        raise ValueError(f"unknown learning_rate_scheduler {scheduler!r}; expected one of {', '.join(SCHEDULERS)}")
    return LambdaLR(optimizer, factor)
