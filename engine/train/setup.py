"""The thin adapter: resolved training parameters -> the factories' keyword arguments.

`params` is the object `engine.spec.resolve_training_parameters(...)` returns (any
object with the seed's key names as attributes works); the factories themselves know
nothing of it. Typical use, inside one trial process (and in each rank under DDP):

    parts = build_trial(params, num_labels=len(labels), train_targets=train_set.targets,
                        batches_per_epoch=len(train_loader), runtime=create_runtime(device))
    result = run_trial(params, parts, train_loader=..., valid_loader=..., labels=labels,
                       primary_metric=job.primary_metric, trial_dir=..., events=emitter,
                       prepare_batch=train_transform.finisher())

Call `build_trial` before iterating the loaders: with `random_seed` it seeds torch,
and the loaders draw their shuffling seed from it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
import torch.nn as nn

from engine.events import Emitter
from engine.models import WeightsReport, create_model, freeze_layers, is_vit
from engine.train import checkpoint as ckpt
from engine.train.distributed import wrap_ddp
from engine.train.early_stopping import EarlyStopping
from engine.train.epoch import GradientClip, PrepareBatch, azure_gradient_clip
from engine.train.loss import create_loss, label_pos_weight
from engine.train.optim import create_optimizer, trainable_parameters
from engine.train.runtime import Runtime, seed_everything
from engine.train.schedule import create_scheduler
from engine.train.trial import StopSignal, TrialResult, train_trial


def optimizer_kwargs(p: Any) -> dict[str, Any]:
    return dict(
        optimizer=p.optimizer, learning_rate=p.learning_rate, weight_decay=p.weight_decay,
        momentum=p.momentum, nesterov=bool(p.nesterov), beta1=p.beta1, beta2=p.beta2,
        ams_gradient=bool(p.ams_gradient),
    )


def scheduler_kwargs(p: Any) -> dict[str, Any]:
    return dict(
        scheduler=p.learning_rate_scheduler, number_of_epochs=p.number_of_epochs,
        warmup_epochs=p.warmup_cosine_lr_warmup_epochs, cycles=p.warmup_cosine_lr_cycles,
        step_gamma=p.step_lr_gamma, step_size=p.step_lr_step_size,
    )


def early_stopping_from(p: Any) -> EarlyStopping:
    return EarlyStopping(
        enabled=bool(p.early_stopping), delay=p.early_stopping_delay, patience=p.early_stopping_patience
    )


def loop_kwargs(p: Any) -> dict[str, Any]:
    return dict(
        number_of_epochs=p.number_of_epochs, gradient_accumulation_step=p.gradient_accumulation_step,
        evaluation_frequency=p.evaluation_frequency, checkpoint_frequency=p.checkpoint_frequency,
    )


@dataclass
class TrialParts:
    model: nn.Module
    weights: WeightsReport
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    loss_fn: nn.Module
    clip: GradientClip
    runtime: Runtime
    frozen: list[str] = field(default_factory=list)
    init_checkpoint: Path | None = None
    """The `checkpoint_run_id` checkpoint the weights started from."""
    init_skipped: list[str] = field(default_factory=list)
    """Weights not taken from it (shape mismatch, e.g. another label count)."""


def build_trial(
    p: Any,
    *,
    num_labels: int,
    train_targets: torch.Tensor | None,
    batches_per_epoch: int,
    runtime: Runtime,
    pretrained: bool = True,
    cache_dir: str | Path | None = None,
    offline: bool | None = None,
    checkpoint_search_dirs: Iterable[Path] = (),
) -> TrialParts:
    """`train_targets` (samples x labels, 0/1) is needed only for `weighted_loss`."""
    if p.random_seed is not None:
        seed_everything(p.random_seed)
    model, weights = create_model(
        p.model_name, num_labels, pretrained=pretrained, cache_dir=cache_dir, offline=offline
    )
    init, skipped = None, []
    if p.checkpoint_run_id:
        init = ckpt.resolve_checkpoint(p.checkpoint_run_id, search_dirs=list(checkpoint_search_dirs))
        skipped = ckpt.load_model_weights(model, ckpt.load_checkpoint(init)["model"])
    frozen = freeze_layers(model, p.model_name, p.layers_to_freeze) if p.layers_to_freeze else []
    model = runtime.prepare(model)
    if dist.is_initialized():
        model = wrap_ddp(model, runtime)
    optimizer = create_optimizer(trainable_parameters(model), **optimizer_kwargs(p))
    updates = math.ceil(batches_per_epoch / p.gradient_accumulation_step)
    scheduler = create_scheduler(optimizer, updates_per_epoch=updates, **scheduler_kwargs(p))
    pos_weight = None
    if p.weighted_loss:
        if train_targets is None:
            raise ValueError("weighted_loss needs the training targets")
        pos_weight = label_pos_weight(torch.as_tensor(train_targets), p.weighted_loss)
    loss_fn = create_loss(None if pos_weight is None else pos_weight.to(runtime.device))
    return TrialParts(
        model=model, weights=weights, optimizer=optimizer, scheduler=scheduler, loss_fn=loss_fn,
        clip=azure_gradient_clip(is_vit(p.model_name)), runtime=runtime, frozen=frozen,
        init_checkpoint=init, init_skipped=skipped,
    )


def run_trial(
    p: Any,
    parts: TrialParts,
    *,
    train_loader: Iterable,
    valid_loader: Iterable,
    labels: list[str],
    primary_metric: str,
    trial_dir: str | Path | None = None,
    resume: bool = False,
    events: Emitter | None = None,
    should_stop: Callable[[int, dict[str, float]], bool] | None = None,
    stop: StopSignal | None = None,
    prepare_batch: PrepareBatch | None = None,
) -> TrialResult:
    """`prepare_batch`: see `train_trial` (the data transform's `finisher()` for the
    engine's image loaders)."""
    if events is not None:
        _log_setup(events, parts)
    return train_trial(
        parts.model, train_loader=train_loader, valid_loader=valid_loader,
        optimizer=parts.optimizer, scheduler=parts.scheduler, loss_fn=parts.loss_fn,
        primary_metric=primary_metric, labels=labels, early_stopping=early_stopping_from(p),
        clip=parts.clip, runtime=parts.runtime, trial_dir=trial_dir, resume=resume,
        events=events, should_stop=should_stop, stop=stop, prepare_batch=prepare_batch,
        **loop_kwargs(p),
    )


def _log_setup(events: Emitter, parts: TrialParts) -> None:
    events.log("info" if parts.weights.pretrained else "warning", parts.weights.message)
    if parts.init_checkpoint is not None:
        note = f" (not taken: {', '.join(parts.init_skipped)})" if parts.init_skipped else ""
        events.log("info", f"weights from checkpoint {parts.init_checkpoint}{note}")
    if parts.frozen:
        events.log("info", f"froze {len(parts.frozen)} parameter tensors")
