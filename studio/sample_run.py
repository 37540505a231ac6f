"""A scripted run folder: a four-trial sweep told by events with fixed timestamps.

For pictures of the run view (README screenshots, snapshot tests) and for tests that
feed the view without training anything. `sample_events(finished=False)` stops
mid-sweep; `finished=True` tells the whole run, export included.

    python -m studio.sample_run DIR [--mid-sweep]
"""

from __future__ import annotations

import argparse
import math
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from engine.events import (
    BestChanged,
    EpochEnded,
    EventLog,
    ExportDone,
    Log,
    RunEnded,
    RunStarted,
    TrialEnded,
    TrialStarted,
)
from engine.runfolder import RunFolder, write_json_atomic

SAMPLE_START = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
SAMPLE_NAME = "fridge-sweep"
SAMPLE_JOB = """\
# Fridge items: a small sweep over two ResNets.
$schema: https://azuremlsdk2.blob.core.windows.net/preview/0.0.1/autoMLJob.schema.json
type: automl
task: image_classification_multilabel
name: fridge-sweep
experiment_name: fridge-items
log_verbosity: info
primary_metric: iou

target_column_name: label
training_data:
  path: data/training-mltable-folder
  type: mltable

limits:
  timeout_minutes: 60   # the whole sweep
  max_trials: 4
  max_concurrent_trials: 2

training_parameters:
  number_of_epochs: 6   # short: the demo data is small
  training_batch_size: 16

sweep:
  sampling_algorithm: grid

search_space:
  - model_name:
      type: choice
      values: [resnet18, resnet34]
    learning_rate:
      type: choice
      values: [0.01, 0.001]
"""
TRIALS = (
    # id, model, learning rate, final iou, epochs run, status
    ("t001", "resnet18", 0.01, 0.71, 6, "completed"),
    ("t002", "resnet34", 0.01, 0.78, 6, "completed"),
    ("t003", "resnet18", 0.001, 0.52, 4, "early_terminated"),
    ("t004", "resnet34", 0.001, 0.66, 6, "completed"),
)
EPOCH_SECONDS = 40
MID_SWEEP_EPOCHS = 3
"""How far trials t003 and t004 got when the mid-sweep story stops."""


def sample_params(model: str, learning_rate: float) -> dict[str, Any]:
    return {"model_name": model, "learning_rate": learning_rate, "number_of_epochs": 6, "training_batch_size": 16}


def _at(seconds: float) -> datetime:
    return SAMPLE_START + timedelta(seconds=seconds)


def _trial_events(index: int, trial: tuple, last_epoch: int) -> list[Any]:
    trial_id, model, learning_rate, final, epochs, status = trial
    start = 5 + (index // 2) * 6 * EPOCH_SECONDS + (index % 2) * 3
    events: list[Any] = [
        TrialStarted(time=_at(start), run=SAMPLE_NAME, trial=trial_id, params=sample_params(model, learning_rate), pretrained=True)
    ]
    for epoch in range(1, min(epochs, last_epoch) + 1):
        progress = (1 - math.exp(-epoch / 2)) / (1 - math.exp(-epochs / 2))
        iou = round(final * progress, 4)
        metrics = {"iou": iou, "accuracy": round(iou * 0.8, 4), "auc_weighted": round(0.6 + 0.3 * progress, 4)}
        at = _at(start + epoch * EPOCH_SECONDS)
        events.append(
            EpochEnded(
                time=at, run=SAMPLE_NAME, trial=trial_id, epoch=epoch, metrics=metrics, loss=round(0.7 * (1 - progress) + 0.1, 4),
                lr=learning_rate * (1 - epoch / 7), images_per_second=412.5 + index, seconds=EPOCH_SECONDS,
            )
        )
        events.append(Log(time=at, run=SAMPLE_NAME, level="debug", trial=trial_id, message=f"checkpoint saved at epoch {epoch}"))
    if last_epoch >= epochs:
        best = max((e for e in events if isinstance(e, EpochEnded)), key=lambda e: e.metrics["iou"])
        reason = "bandit: iou 0.5200 below the best 0.7800 less slack 0.2" if status == "early_terminated" else None
        events.append(
            TrialEnded(
                time=_at(start + epochs * EPOCH_SECONDS + 1), run=SAMPLE_NAME, trial=trial_id, status=status, reason=reason,
                metrics=best.metrics, best_epoch=best.epoch, epochs=epochs,
            )
        )
    return events


def sample_events(*, finished: bool = True) -> list[Any]:
    """The whole story in time order (or up to mid-sweep)."""
    events: list[Any] = [
        RunStarted(time=SAMPLE_START, run=SAMPLE_NAME, name=SAMPLE_NAME, primary_metric="iou", max_trials=4),
        Log(time=_at(1), run=SAMPLE_NAME, message="data: 96 training and 32 validation images, 4 labels"),
        Log(time=_at(2), run=SAMPLE_NAME, level="warning", message="resnet34: no network; using the cached weights"),
    ]
    for index, trial in enumerate(TRIALS):
        events += _trial_events(index, trial, last_epoch=99 if finished or index < 2 else MID_SWEEP_EPOCHS)
    events.sort(key=lambda event: event.time)
    _add_best_changes(events)
    if finished:
        end = events[-1].time
        paths = {"mlflow_model": "runs/fridge-sweep/best_model/mlflow_model", "onnx": "runs/fridge-sweep/best_model/model.onnx"}
        events += [
            ExportDone(time=end + timedelta(seconds=20), run=SAMPLE_NAME, trial="t002", paths=paths, max_abs_diff=3e-6),
            RunEnded(time=end + timedelta(seconds=21), run=SAMPLE_NAME, status="completed", best_trial="t002"),
        ]
    return events


def _add_best_changes(events: list[Any]) -> None:
    """A best_changed event after each trial that beat the best so far, as the scheduler does."""
    best = None
    for event in list(events):
        if isinstance(event, TrialEnded) and event.status in ("completed", "early_terminated"):
            value = event.metrics["iou"]
            if best is None or value > best:
                best = value
                events.insert(events.index(event) + 1, BestChanged(time=event.time, run=SAMPLE_NAME, trial=event.trial, metric="iou", value=value, epoch=event.best_epoch))


def write_sample_run(path: Path, *, finished: bool = True, events: bool = True) -> RunFolder:
    """A run folder at `path`: job.yml, trials' params.json and (unless `events=False`) events.jsonl."""
    folder = RunFolder(path)
    folder.create(SAMPLE_JOB)
    write_json_atomic(folder.path / "run.json", {"base_dir": str(Path.cwd())})
    for trial_id, model, learning_rate, *_ in TRIALS:
        full = {"optimizer": "sgd", "momentum": 0.9, "weight_decay": 0.0001, **sample_params(model, learning_rate)}
        write_json_atomic(folder.trial_folder(trial_id) / "params.json", full)
    if events:
        append_events(folder, sample_events(finished=finished))
    return folder


def append_events(folder: RunFolder, events: list[Any]) -> None:
    log = EventLog(folder.events_file)
    try:
        for event in events:
            log.emit(event)
    finally:
        log.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m studio.sample_run", description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--mid-sweep", action="store_true", help="stop the story while two trials still run")
    args = parser.parse_args(argv)
    write_sample_run(args.folder, finished=not args.mid_sweep)
    print(args.folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
