"""Building one trial from the run folder: parameters, data, model, loaders.

Used by the trial process (and by each of its ranks under `distributed`). The run-level
facts (where the job's relative paths start, the data seed, the cache size, whether the
hub is reachable) come from `run.json`, written once by the runner, so every trial of a
run sees the same data split and cache (`job_data_arguments` is shared with the runner).

Under DistributedDataParallel (a process group is initialised): each rank shards its
loaders (`shard_loader`), uses its own GPU, and `build_trial` wraps the model in DDP.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist

from engine.data import (
    create_datasets,
    create_loader,
    create_train_transform,
    create_validation_transform,
    data_config_for,
)
from engine.data.prepare import prepare_data
from engine.events import Emitter
from engine.models import timm_name
from engine.runfolder import RunFolder, read_json, write_json_atomic
from engine.spec import resolve_training_parameters, validate_file
from engine.sweep.state import TrialRecord
from engine.train.distributed import shard_loader
from engine.train.runtime import create_runtime
from engine.train.setup import TrialParts, build_trial, run_trial
from engine.train.trial import TrialResult


@dataclass
class TrialSetup:
    params: Any
    params_summary: dict[str, Any]
    parts: TrialParts
    train_loader: Any
    valid_loader: Any
    labels: list[str]
    primary_metric: str
    trial_dir: Path
    emitter: Emitter
    prepare_batch: Callable | None = None
    """Finishes both loaders' uint8 batches on the device (the transforms' `BatchFinisher`)."""

    def run(self, *, resume: bool, should_stop: Callable, stop: Callable) -> TrialResult:
        return run_trial(
            self.params,
            self.parts,
            train_loader=self.train_loader,
            valid_loader=self.valid_loader,
            labels=self.labels,
            primary_metric=self.primary_metric,
            trial_dir=self.trial_dir,
            resume=resume,
            events=self.emitter,
            should_stop=should_stop,
            stop=stop,
            prepare_batch=self.prepare_batch,
        )


def run_meta(folder: RunFolder) -> dict[str, Any]:
    return read_json(folder.path / "run.json", {})


def data_location(base_dir: Path, path: str) -> Path:
    location = Path(path)
    return location if location.is_absolute() else base_dir / location


def job_data_arguments(job, base_dir: Path) -> dict[str, Any]:
    """`prepare_data`'s data arguments for a job: the runner and every trial pass the
    same ones (with the run's `data_seed`), so they see the same splits and cache."""
    return {
        "training_data": data_location(base_dir, job.training_data.path),
        "validation_data": data_location(base_dir, job.validation_data.path) if job.validation_data else None,
        "target_column_name": job.target_column_name,
        "validation_data_size": job.validation_data_size,
        "test_data": data_location(base_dir, job.test_data.path) if job.test_data else None,
        "test_data_size": job.test_data_size if not job.test_data else None,
    }


def trial_job_and_params(folder: RunFolder, record: TrialRecord) -> tuple[Any, Any]:
    """The run's job and this trial's resolved training parameters."""
    job = validate_file(folder.job_file).job
    if job is None:
        raise ValueError(f"{folder.job_file} is not a valid job any more")
    return job, resolve_training_parameters(job.training_parameters, record.effective_params)


def _distributed() -> bool:
    return dist.is_available() and dist.is_initialized()


def prepare_trial(folder: RunFolder, record: TrialRecord, *, emitter: Emitter) -> TrialSetup:
    meta = run_meta(folder)
    job, params = trial_job_and_params(folder, record)
    trial_dir = folder.trial_folder(record.id)
    distributed = _distributed()
    if not distributed or dist.get_rank() == 0:
        write_json_atomic(trial_dir / "params.json", params.model_dump(mode="json"))
    base_dir = Path(meta.get("base_dir", folder.path))
    prepared = prepare_data(
        **job_data_arguments(job, base_dir),
        seed=meta.get("data_seed", 0),
        cache_folder=folder.data_folder / "cache",
        cache_short_side=meta.get("cache_short_side", max(params.validation_resize_size, params.training_crop_size)),
    )
    device = "cuda" if torch.cuda.is_available() else "cpu"
    world = dist.get_world_size() if distributed else 1
    if distributed and device == "cuda":
        device = f"cuda:{torch.cuda.current_device()}"  # `launch` gave each rank its GPU
    config = data_config_for(timm_name(params.model_name))
    train_transform = create_train_transform(crop_size=params.training_crop_size, mean=config.mean, std=config.std)
    train_set, valid_set = create_datasets(
        prepared,
        train_transform=train_transform,
        validation_transform=create_validation_transform(
            resize_size=params.validation_resize_size, crop_size=params.validation_crop_size, mean=config.mean, std=config.std
        ),
    )
    seed = params.random_seed if params.random_seed is not None else meta.get("seed", 0) + record.index
    runtime = create_runtime(device)
    labels = list(prepared.labels)
    train_loader = create_loader(
        train_set,
        batch_size=params.training_batch_size,
        shuffle=True,
        number_of_workers=params.number_of_workers,
        seed=seed,
        device=device,
        # A last batch of one image breaks BatchNorm in training; drop it when there is
        # more (per rank: a DDP rank sees its 1/world share of the images).
        drop_last=-(-len(train_set) // world) > params.training_batch_size,
    )
    valid_loader = create_loader(
        valid_set, batch_size=params.validation_batch_size, shuffle=False,
        number_of_workers=params.number_of_workers, seed=seed, device=device,
    )
    if distributed:
        train_loader = shard_loader(train_loader, train=True, seed=seed)
        valid_loader = shard_loader(valid_loader, train=False)
    parts = build_trial(
        params,
        num_labels=len(labels),
        train_targets=train_set.targets if params.weighted_loss else None,
        batches_per_epoch=len(train_loader),
        runtime=runtime,
        offline=meta.get("offline"),
        checkpoint_search_dirs=[folder.path.parent, folder.path, Path.cwd()],
    )
    summary = {**record.effective_params, "model_name": params.model_name}
    return TrialSetup(
        params=params, params_summary=summary, parts=parts, train_loader=train_loader, valid_loader=valid_loader,
        labels=labels, primary_metric=job.primary_metric, trial_dir=trial_dir, emitter=emitter,
        prepare_batch=train_transform.finisher(),
    )
