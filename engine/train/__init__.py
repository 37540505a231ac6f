"""Training one trial: optimizers, schedules, loss, metrics, loop, checkpoints, DDP.

Public API (factories take explicit keyword arguments; `setup` maps the resolved job
parameters onto them):

- optim: `create_optimizer(params, *, optimizer, learning_rate, weight_decay, momentum,
  nesterov, beta1, beta2, ams_gradient)`, `trainable_parameters(model)`.
- schedule: `create_scheduler(optimizer, *, scheduler, updates_per_epoch,
  number_of_epochs, warmup_epochs, cycles, step_gamma, step_size) -> LambdaLR` (stepped
  per optimizer update), `warmup_cosine_factor`, `step_factor`.
- loss: `pos_weight_from_counts(positive_counts, samples, weighted_loss)`,
  `label_pos_weight(targets, weighted_loss) -> Tensor | None`, `create_loss(pos_weight)`.
- metrics: `compute_metrics(targets, probabilities, *, labels, threshold=0.5) ->
  Evaluation(scores, per_label)`, `PRIMARY_METRICS`.
- early_stopping: `EarlyStopping(enabled, delay, patience)`.
- runtime: `create_runtime(device, *, amp=None) -> Runtime`, `seed_everything(seed)`.
- epoch: `train_one_epoch(...) -> EpochStats`, `predict(...) -> Predictions`,
  `GradientClip(value, norm)`, `azure_gradient_clip(vit)`.
- checkpoint: `save_checkpoint`, `load_checkpoint` (weights_only), `load_model_weights`,
  `resolve_checkpoint(ref, *, search_dirs)`, `BEST`, `LAST`, `CHECKPOINT_DIR`.
- trial: `train_trial(model, *, train_loader, valid_loader, optimizer, scheduler,
  loss_fn, number_of_epochs, ..., prepare_batch=to_device) -> TrialResult`;
  `prepare_batch(batch, runtime)` turns what a loader yields into device tensors (the
  data package's `BatchFinisher` for image loaders).
- score: `score_checkpoint(...)`: a trial's best checkpoint on the test split.
- distributed: `launch(fn, world_size, *args)`, `world_size_for(distributed)`,
  `wrap_ddp(model, runtime)`, `shard_loader(loader, *, train, seed)`.
- setup: `build_trial(params, *, num_labels, train_targets, batches_per_epoch, runtime,
  pretrained=True, cache_dir=None, offline=None, checkpoint_search_dirs=()) ->
  TrialParts`, `run_trial(params, parts, *, train_loader, valid_loader, labels,
  primary_metric, trial_dir=None, resume=False, events=None, should_stop=None,
  stop=None, prepare_batch=None) -> TrialResult`, and the `*_kwargs(params)` adapters.
"""

from engine.train.checkpoint import (
    BEST,
    CHECKPOINT_DIR,
    LAST,
    load_checkpoint,
    load_model_weights,
    resolve_checkpoint,
    save_checkpoint,
)
from engine.train.early_stopping import EarlyStopping
from engine.train.epoch import (
    EpochStats,
    GradientClip,
    Predictions,
    azure_gradient_clip,
    predict,
    train_one_epoch,
)
from engine.train.loss import create_loss, label_pos_weight, pos_weight_from_counts
from engine.train.metrics import PRIMARY_METRICS, Evaluation, compute_metrics
from engine.train.optim import create_optimizer, trainable_parameters
from engine.train.runtime import Runtime, create_runtime, seed_everything
from engine.train.schedule import create_scheduler, step_factor, warmup_cosine_factor
from engine.train.setup import (
    TrialParts,
    build_trial,
    early_stopping_from,
    loop_kwargs,
    optimizer_kwargs,
    run_trial,
    scheduler_kwargs,
)
from engine.train.trial import TrialResult, train_trial

__all__ = [
    "BEST",
    "CHECKPOINT_DIR",
    "LAST",
    "PRIMARY_METRICS",
    "EarlyStopping",
    "EpochStats",
    "Evaluation",
    "GradientClip",
    "Predictions",
    "Runtime",
    "TrialParts",
    "TrialResult",
    "azure_gradient_clip",
    "build_trial",
    "compute_metrics",
    "create_loss",
    "create_optimizer",
    "create_runtime",
    "create_scheduler",
    "early_stopping_from",
    "label_pos_weight",
    "load_checkpoint",
    "load_model_weights",
    "loop_kwargs",
    "optimizer_kwargs",
    "pos_weight_from_counts",
    "predict",
    "resolve_checkpoint",
    "run_trial",
    "save_checkpoint",
    "scheduler_kwargs",
    "seed_everything",
    "step_factor",
    "train_one_epoch",
    "train_trial",
    "trainable_parameters",
    "warmup_cosine_factor",
]
