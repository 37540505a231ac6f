"""One trial: epochs, evaluation, checkpoints, early stopping and stop requests.

`train_trial` is given a built model, loaders, optimizer, scheduler and loss (see
`engine.train.setup` for building them from the job's training parameters), runs the
epochs and returns a `TrialResult`. Hooks:

- `should_stop(epoch, scores) -> bool`, called after each evaluation: the sweep's
  early-termination policy. True ends the trial as `early_terminated`.
- `prepare_batch(batch, runtime) -> (images, targets)`: what makes a batch of either
  loader model inputs on the device (default: move an (images, targets) pair). For the
  engine's image loaders it is the transform's `BatchFinisher`, which finishes their
  uint8 batches on the device.
- `stop`: a `threading.Event` or a callable, checked after every optimizer update
  (every epoch under DDP). When set, the unfinished epoch is dropped and the trial ends
  `interrupted`; `last.pt` still holds the previous epoch, so `resume=True` continues
  from there.

The last epoch is always evaluated, whatever `evaluation_frequency`, so every finished
trial has metrics. Under DDP only rank 0 writes checkpoints and emits events; every rank
computes the same metrics from the gathered predictions, and rank 0's stop decisions
are broadcast so all ranks leave the loop together.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn as nn

from engine.events import Emitter, EpochEnded
from engine.train import checkpoint as ckpt
from engine.train.early_stopping import EarlyStopping
from engine.train.epoch import EpochStats, GradientClip, PrepareBatch, predict, train_one_epoch
from engine.train.metrics import Evaluation, compute_metrics
from engine.train.runtime import Runtime, create_runtime

StopSignal = threading.Event | Callable[[], bool]


@dataclass
class TrialResult:
    status: str
    """`completed`, `early_terminated` or `interrupted`."""
    reason: str | None = None
    epochs: int = 0
    best_epoch: int | None = None
    best_score: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    """Scores of the best evaluation."""
    per_label: dict[str, dict[str, float]] = field(default_factory=dict)
    history: list[dict] = field(default_factory=list)
    """Per epoch: epoch, loss, lr, images_per_second, seconds, metrics."""


@dataclass
class _Progress:
    """Everything a resumed trial needs besides model, optimizer and scheduler."""

    epoch: int = 0
    early: EarlyStopping = field(default_factory=EarlyStopping)
    result: TrialResult = field(default_factory=lambda: TrialResult(status="completed"))


def train_trial(
    model: nn.Module,
    *,
    train_loader: Iterable,
    valid_loader: Iterable,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    loss_fn: nn.Module,
    number_of_epochs: int,
    primary_metric: str = "accuracy",
    labels: list[str] | None = None,
    gradient_accumulation_step: int = 1,
    evaluation_frequency: int = 1,
    checkpoint_frequency: int | None = None,
    early_stopping: EarlyStopping | None = None,
    clip: GradientClip | None = GradientClip(),
    runtime: Runtime | None = None,
    trial_dir: str | Path | None = None,
    resume: bool = False,
    events: Emitter | None = None,
    should_stop: Callable[[int, dict[str, float]], bool] | None = None,
    stop: StopSignal | None = None,
    prepare_batch: PrepareBatch | None = None,
) -> TrialResult:
    runtime = runtime or create_runtime("cpu")
    main = not dist.is_initialized() or dist.get_rank() == 0
    ckpt_dir = Path(trial_dir) / ckpt.CHECKPOINT_DIR if trial_dir is not None and main else None
    progress = _Progress(early=early_stopping or EarlyStopping(enabled=False))
    if resume and trial_dir is not None and (Path(trial_dir) / ckpt.CHECKPOINT_DIR / ckpt.LAST).is_file():
        _restore(Path(trial_dir) / ckpt.CHECKPOINT_DIR / ckpt.LAST, model, optimizer, scheduler, progress)
    stopped = _stop_check(stop)
    result = progress.result
    for epoch in range(progress.epoch + 1, number_of_epochs + 1):
        _set_sampler_epoch(train_loader, epoch)
        stats = train_one_epoch(
            model, train_loader, optimizer=optimizer, scheduler=scheduler, loss_fn=loss_fn,
            runtime=runtime, gradient_accumulation_step=gradient_accumulation_step, clip=clip,
            stop=None if dist.is_initialized() else stopped, prepare_batch=prepare_batch,
        )
        if _agreed(stats.interrupted or (dist.is_initialized() and stopped()), runtime):
            return _end(result, "interrupted", f"stopped during epoch {epoch}")
        evaluation = None
        if epoch % evaluation_frequency == 0 or epoch == number_of_epochs:
            evaluation = _evaluate(model, valid_loader, loss_fn, runtime, labels, prepare_batch)
            if progress.early.update(evaluation.scores.get(primary_metric)):
                _record_best(result, epoch, evaluation, primary_metric)
                if ckpt_dir is not None:
                    ckpt.save_checkpoint(ckpt_dir / ckpt.BEST, _best_state(model, result, primary_metric, labels))
        progress.epoch = result.epochs = epoch
        result.history.append(_history_entry(epoch, stats, evaluation, optimizer))
        # Checkpoint before telling anyone: an epoch announced is an epoch kept.
        if ckpt_dir is not None:
            _save_progress(ckpt_dir, epoch, checkpoint_frequency, model, optimizer, scheduler, progress)
        if events is not None and main:
            events.emit(EpochEnded, **result.history[-1])
        if evaluation is not None:
            if _agreed(should_stop is not None and should_stop(epoch, evaluation.scores), runtime):
                return _end(result, "early_terminated", f"early termination policy at epoch {epoch}")
            if progress.early.should_stop:
                return _end(result, "completed", f"early stopping at epoch {epoch}")
    return _end(result, "completed", None)


def _evaluate(model, loader, loss_fn, runtime: Runtime, labels, prepare_batch) -> Evaluation:
    preds = predict(model, loader, loss_fn=loss_fn, runtime=runtime, prepare_batch=prepare_batch)
    evaluation = compute_metrics(preds.targets, preds.probabilities, labels=labels)
    evaluation.scores["validation_loss"] = preds.loss
    return evaluation


def _record_best(result: TrialResult, epoch: int, evaluation: Evaluation, primary_metric: str) -> None:
    result.best_epoch = epoch
    result.best_score = evaluation.scores[primary_metric]
    result.metrics = dict(evaluation.scores)
    result.per_label = evaluation.per_label


def _history_entry(epoch: int, stats: EpochStats, evaluation: Evaluation | None, optimizer) -> dict:
    """One epoch, with exactly the fields of an `epoch_ended` event."""
    return dict(
        epoch=epoch, loss=stats.loss, lr=optimizer.param_groups[0]["lr"],
        images_per_second=stats.images_per_second, seconds=stats.seconds,
        metrics=dict(evaluation.scores) if evaluation is not None else {},
    )


def _end(result: TrialResult, status: str, reason: str | None) -> TrialResult:
    result.status, result.reason = status, reason
    return result


def _stop_check(stop: StopSignal | None) -> Callable[[], bool]:
    if stop is None:
        return lambda: False
    if isinstance(stop, threading.Event):
        return stop.is_set
    return stop


def _agreed(flag: bool, runtime: Runtime) -> bool:
    """Rank 0's decision, on every rank (identity without DDP)."""
    if not dist.is_initialized():
        return bool(flag)
    value = torch.tensor([1 if flag else 0], device=runtime.device)
    dist.broadcast(value, src=0)
    return bool(value.item())


def _set_sampler_epoch(loader, epoch: int) -> None:
    # DistributedSampler reshuffles only when told the epoch.
    sampler = getattr(loader, "sampler", None)
    if hasattr(sampler, "set_epoch"):
        sampler.set_epoch(epoch)


def _best_state(model, result: TrialResult, primary_metric: str, labels) -> dict:
    return {
        "model": ckpt.unwrap(model).state_dict(),
        "epoch": result.best_epoch,
        "primary_metric": primary_metric,
        "best_score": result.best_score,
        "metrics": dict(result.metrics),
        "labels": list(labels) if labels is not None else None,
    }


def _save_progress(ckpt_dir: Path, epoch, checkpoint_frequency, model, optimizer, scheduler, progress) -> None:
    result = progress.result
    state = {
        "model": ckpt.unwrap(model).state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "epoch": epoch,
        "early_stopping": progress.early.state_dict(),
        "best_epoch": result.best_epoch,
        "best_score": result.best_score,
        "metrics": dict(result.metrics),
        "per_label": result.per_label,
        "history": result.history,
        "rng": torch.get_rng_state(),
    }
    ckpt.save_checkpoint(ckpt_dir / ckpt.LAST, state)
    if checkpoint_frequency and epoch % checkpoint_frequency == 0:
        ckpt.save_checkpoint(ckpt_dir / ckpt.epoch_filename(epoch), state)


def _restore(path: Path, model, optimizer, scheduler, progress: _Progress) -> None:
    state = ckpt.load_checkpoint(path)
    ckpt.unwrap(model).load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    progress.epoch = state["epoch"]
    progress.early.load_state_dict(state["early_stopping"])
    result = progress.result
    result.epochs = state["epoch"]
    result.best_epoch, result.best_score = state["best_epoch"], state["best_score"]
    result.metrics, result.per_label = state["metrics"], state["per_label"]
    result.history = list(state["history"])
    torch.set_rng_state(state["rng"])
