"""The body of a run, once the job is valid and the run folder exists.

Prepares the data once (the decoded-image cache every trial shares), resolves pretrained
weights once per model, then hands the trials to the scheduler and writes the summary.
"""

from __future__ import annotations

import math
import os
import random
import signal
import socket
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional
from urllib.parse import urlparse

from engine.data import DataError
from engine.data.prepare import prepare_data
from engine.events import EventSink, ExportDone, Log, RunEnded, RunStarted
from engine.run import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, RunOutcome
from engine.runfolder import RunFolder, read_json, update_json, write_json_atomic
from engine.spec import JobSpec, parse_search_space, resolve_training_parameters
from engine.spec.expressions import Choice
from engine.spec.search_space import Fixed
from engine.sweep.automode import AutomodeSampler
from engine.sweep.policies import create_policy
from engine.sweep.samplers import GridSampler, create_sampler
from engine.sweep.scheduler import Scheduler, SchedulerSettings
from engine.sweep.state import SUCCEEDED, SweepState
from engine.sweep.trial_process import TrialProcess
from engine.trial_setup import job_data_arguments

HUB_PROBE_SECONDS = 3.0


def run_sweep(job: JobSpec, folder: RunFolder, *, base_dir: Path, sink: EventSink, resume: bool) -> RunOutcome:
    state = (SweepState.load(folder.sweep_file) if resume else None) or SweepState(seed=_seed(job))
    meta = _run_meta(job, folder, base_dir, state, resume)
    emit = _emitter(sink, folder.name)
    emit(RunStarted(name=job.name or folder.name, primary_metric=job.primary_metric, run_dir=str(folder.path), max_trials=_max_trials(job)))
    try:
        prepared = prepare_data(
            **job_data_arguments(job, base_dir),
            seed=meta["data_seed"],
            cache_folder=folder.data_folder / "cache",
            cache_short_side=meta["cache_short_side"],
            on_skip=lambda row: emit(Log(level="warning", message=str(row))),
        )
    except DataError as error:
        emit(Log(level="error", message=str(error)))
        return _finish(job, folder, state, "failed", emit, reason=str(error))
    statistics = prepared.statistics.as_dict()
    meta["data"] = statistics
    test_note = f", {len(prepared.test)} test" if prepared.test else ""
    emit(Log(level="info", message=f"data: {len(prepared.training)} training and {len(prepared.validation)} validation{test_note} images, {len(prepared.labels)} labels"))
    _resolve_weights(job, meta, emit)
    meta = update_json(folder.path / "run.json", meta)
    scheduler = Scheduler(
        settings=scheduler_settings(job),
        state=state,
        sampler=_sampler(job, state),
        policy=create_policy(job.sweep.early_termination if job.sweep else None),
        launch=lambda record, resume_trial, visible, lines: _launch(folder, meta, record, resume_trial, visible, lines),
        emit=emit,
        save_state=lambda s: s.save(folder.sweep_file),
        resolve=lambda overrides: resolve_training_parameters(job.training_parameters, overrides),
        poll_requests=folder.take_cancel_requests,
    )
    with _interrupts_go_to(scheduler):
        status = scheduler.run()
    if status == "completed" and not any(t.status in SUCCEEDED for t in state.trials):
        status = "failed"
    return _finish(job, folder, state, status, emit, prepared=prepared)


def scheduler_settings(job: JobSpec) -> SchedulerSettings:
    return SchedulerSettings(
        max_trials=_max_trials(job),
        max_concurrent_trials=job.limits.max_concurrent_trials,
        timeout_seconds=job.limits.timeout_minutes * 60,
        trial_timeout_seconds=job.limits.trial_timeout_minutes * 60,
        primary_metric=job.primary_metric,
        gpus=_visible_gpus(),
    )


def _emitter(sink: EventSink, run: str):
    def emit(event) -> None:
        if not event.run:
            event = event.model_copy(update={"run": run})
        sink.emit(event)

    return emit


def _seed(job: JobSpec) -> int:
    seed = job.training_parameters.random_seed
    return seed if seed is not None else random.randrange(2**31)


def _max_trials(job: JobSpec) -> int:
    """No search space: one trial, unless `limits.max_trials` asks for more (automode)."""
    if job.search_space is None and not _automode(job):
        return 1
    return job.limits.max_trials


def _automode(job: JobSpec) -> bool:
    return job.search_space is None and "max_trials" in job.limits.model_fields_set and job.limits.max_trials > 1


def _sampler(job: JobSpec, state: SweepState):
    if _automode(job):
        return AutomodeSampler(state.seed)
    if job.search_space is None:
        return GridSampler([{}])
    sampler = create_sampler(job.sweep.sampling_algorithm, parse_search_space(job.search_space), seed=state.seed)
    replay = getattr(sampler, "replay", None)
    if replay is not None:
        from engine.sweep.samplers import Proposal

        finished = [t for t in state.trials if t.finished]
        replay(
            (Proposal(t.params, t.subspace, t.sampler_state), t.metrics.get(job.primary_metric) if t.status != "failed" else None)
            for t in finished
        )
    return sampler


def _run_meta(job: JobSpec, folder: RunFolder, base_dir: Path, state: SweepState, resume: bool) -> dict[str, Any]:
    meta = read_json(folder.path / "run.json", {}) or {}
    meta.setdefault("base_dir", str(base_dir))
    meta.setdefault("seed", state.seed)
    meta.setdefault("data_seed", state.seed)
    meta.setdefault("cache_short_side", cache_short_side(job))
    meta["runner_pid"] = os.getpid()
    state.save(folder.sweep_file)
    return update_json(folder.path / "run.json", meta)


def cache_short_side(job: JobSpec) -> int:
    """The largest resize or crop any trial of the sweep can ask for: the cache keeps
    images at least this big on their shorter side, so no trial upsamples cached pixels."""
    params = job.training_parameters
    keys = ("validation_resize_size", "training_crop_size", "validation_crop_size")
    sizes = [getattr(params, key) for key in keys]
    for subspace in parse_search_space(job.search_space):
        for key in keys:
            value = subspace.get(key)
            if isinstance(value, Fixed):
                sizes.append(value.value)
            elif isinstance(value, Choice):
                sizes.extend(value.values)
            elif value is not None and value.bounds() is not None:
                sizes.append(math.ceil(value.bounds()[1]))
    return int(max(sizes))


def _resolve_weights(job: JobSpec, meta: dict, emit) -> None:
    """Fetch each model's ImageNet weights once per run, before the trials, so trials
    start fast and a missing network is found (and reported) once."""
    from engine.models import fetch_pretrained

    if "offline" not in meta:
        offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on") or not hub_reachable()
        meta["offline"] = offline
    models = _possible_models(job)
    reports = {}
    for model_name in models:
        report = fetch_pretrained(model_name, offline=meta["offline"])
        reports[model_name] = {"pretrained": report.pretrained, "source": report.source, "reason": report.reason}
        emit(Log(level="info" if report.pretrained else "warning", message=f"{model_name}: {report.message}"))
    meta["weights"] = reports


def _possible_models(job: JobSpec) -> list[str]:
    """Every model_name a trial of this job can use."""
    if _automode(job):
        from engine.sweep.automode import PORTFOLIO

        return sorted({p["model_name"] for p in PORTFOLIO})
    names = set()
    for subspace in parse_search_space(job.search_space) or [{}]:
        value = subspace.get("model_name")
        if isinstance(value, Fixed):
            names.add(value.value)
        elif isinstance(value, Choice):
            names.update(value.values)
        else:  # the subspace keeps the job's own model
            names.add(job.training_parameters.model_name)
    return sorted(names)


def hub_reachable(timeout: float = HUB_PROBE_SECONDS) -> bool:
    """Whether the Hugging Face hub (or HF_ENDPOINT) answers at all: without this, each
    download attempt on a machine with no network waits out its own retries."""
    endpoint = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    try:
        with socket.create_connection((endpoint.hostname or "huggingface.co", endpoint.port or 443), timeout=timeout):
            return True
    except OSError:
        return False


def _visible_gpus() -> tuple[str, ...]:
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return tuple(v for v in visible.split(",") if v.strip())
    try:
        import torch

        return tuple(str(i) for i in range(torch.cuda.device_count()))
    except Exception:  # noqa: BLE001 - no CUDA runtime means no GPUs to hand out
        return ()


def _launch(folder: RunFolder, meta: dict, record, resume: bool, visible: Optional[str], lines) -> TrialProcess:
    env = dict(os.environ)
    if visible is not None:
        env["CUDA_VISIBLE_DEVICES"] = visible
    if meta.get("offline"):
        env["HF_HUB_OFFLINE"] = "1"
    command = [sys.executable, "-m", "engine", "trial", str(folder.path), record.id]
    if resume:
        command.append("--resume")
    return TrialProcess(record.id, command, log_path=folder.trial_folder(record.id) / "log.txt", lines=lines, env=env)


@contextmanager
def _interrupts_go_to(scheduler: Scheduler) -> Iterator[None]:
    """Ctrl-C and SIGTERM stop the trials at a checkpoint instead of killing the runner."""
    handler = lambda *_: scheduler.request_interrupt()  # noqa: E731
    previous = {number: signal.signal(number, handler) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def build_summary(job: JobSpec, state: SweepState, status: str, reason: Optional[str] = None) -> dict[str, Any]:
    best = state.best(job.primary_metric)
    return {
        "status": status,
        "reason": reason,
        "primary_metric": job.primary_metric,
        "best_trial": {"id": best.id, "params": best.effective_params, "metrics": best.metrics} if best else None,
        "trials": [
            {
                "id": t.id,
                "status": t.status,
                "reason": t.reason,
                "params": t.effective_params,
                "metrics": t.metrics,
                "epochs": t.epochs,
                "best_epoch": t.best_epoch,
                "pretrained": t.pretrained,
            }
            for t in state.trials
        ],
        "exports": {},
        "test_metrics": None,
        "seed": state.seed,
    }


def _finish(
    job: JobSpec, folder: RunFolder, state: SweepState, status: str, emit, reason: Optional[str] = None, prepared=None
) -> RunOutcome:
    """`prepared`: the run's data, when it was read; its test split (if any) scores the best trial."""
    summary = build_summary(job, state, status, reason)
    best = summary["best_trial"]
    code = {"interrupted": EXIT_INTERRUPTED, "failed": EXIT_FAILED}.get(status, EXIT_OK)
    if status == "timed_out" and best is None:
        code = EXIT_FAILED
    if best is not None and status in ("completed", "timed_out") and prepared is not None and prepared.test:
        scores = _score_on_test(job, folder, state.record(best["id"]), prepared, emit)
        summary["test_metrics"] = scores
        if scores is None:
            code, summary["reason"] = EXIT_FAILED, "the best model could not be scored on the test data"
        else:
            best["test_metrics"] = scores
    if best is not None and status in ("completed", "timed_out"):
        exported = _export_best(folder, emit)
        summary["exports"] = exported or {}
        if exported is None:
            code, summary["reason"] = EXIT_FAILED, "the best model could not be exported"
    write_json_atomic(folder.summary_file, summary)
    emit(RunEnded(status=status, best_trial=best["id"] if best else None, reason=summary["reason"]))
    return RunOutcome(code, folder=folder, summary=summary)


def _score_on_test(job: JobSpec, folder: RunFolder, record, prepared, emit) -> Optional[dict[str, float]]:
    """The best trial's `best.pt` scored on the test split, in this process; None when
    that fails (the error is logged)."""
    from engine.train.checkpoint import BEST, CHECKPOINT_DIR
    from engine.train.score import score_checkpoint

    checkpoint = folder.trial_folder(record.id) / CHECKPOINT_DIR / BEST
    emit(Log(level="info", message=f"scoring {record.id} on the test data ({len(prepared.test)} images)"))
    try:
        params = resolve_training_parameters(job.training_parameters, record.effective_params)
        report = score_checkpoint(checkpoint, params=params, examples=prepared.test, cache=prepared.cache, labels=prepared.labels)
    except Exception as error:  # noqa: BLE001 - a failed scoring must still leave a summary
        emit(Log(level="error", message=f"test scoring failed: {type(error).__name__}: {error}"))
        return None
    if report.unknown_labels:
        emit(Log(level="warning", message=f"test labels the model has no output for (left out of the test scores): {', '.join(report.unknown_labels)}"))
    emit(Log(level="info", message=f"test metrics of {record.id}: {format_scores(report.metrics, job.primary_metric)}"))
    return report.metrics


def format_scores(scores: dict[str, float], primary_metric: str) -> str:
    """`accuracy 0.7500, iou 0.8000, ...`, the primary metric first."""
    names = sorted(scores, key=lambda name: (name != primary_metric, name))
    return ", ".join(f"{name} {scores[name]:.4f}" for name in names)


def quiet_mlflow() -> None:
    """MLflow logs INFO lines and a pickling warning on every model save; in a terminal
    program they are noise (the export reports its own result)."""
    import logging

    logging.getLogger("mlflow").setLevel(logging.ERROR)


def _export_best(folder: RunFolder, emit) -> Optional[dict[str, str]]:
    """Export the best trial (MLflow pyfunc, ONNX, labels); None when it fails."""
    from engine.export import ExportError, export_run

    quiet_mlflow()
    emit(Log(level="info", message="exporting the best trial"))
    try:
        report = export_run(folder.path, log_to_mlflow=False)
    except (ExportError, DataError) as error:
        emit(Log(level="error", message=f"export failed: {error}"))
        return None
    paths = {key: report.paths[key] for key in ("mlflow_model", "onnx", "labels")}
    emit(ExportDone(trial=report.trial_id, paths=report.paths, max_abs_diff=report.max_abs_diff))
    return paths
