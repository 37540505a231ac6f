"""Running a job: validate, prepare the run folder and data, sweep, summarise.

`run_job` is what `python -m engine run` (launched by the studio) and
`automl-studio JOB --run` (headless) both call. It returns an exit code of the
command-line contract: 0 success, 1 run failed, 2 invalid job, 130 interrupted.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

from engine.events import EventLog, EventSink, FanOutSink, Log, LogLevelFilter
from engine.runfolder import RUNS_FOLDER, RunFolder, default_run_folder, read_json, run_name_for, update_json
from engine.spec import Diagnostic, read_text, validate_file

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_INTERRUPTED = 0, 1, 2, 130


@dataclass
class RunOutcome:
    exit_code: int
    folder: Optional[RunFolder] = None
    summary: Optional[dict] = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    message: str = ""


def run_job(
    job_path: Optional[Path],
    *,
    run_dir: Optional[Path] = None,
    resume: bool = False,
    sinks: Sequence[EventSink] = (),
    on_folder: Optional[Callable[[RunFolder], None]] = None,
) -> RunOutcome:
    """Run (or with `resume`, continue) a job. `sinks` see every event besides events.jsonl."""
    prepared = _open_run(job_path, run_dir, resume)
    if isinstance(prepared, RunOutcome):
        return prepared
    folder, job, validation, base_dir = prepared
    if on_folder is not None:
        on_folder(folder)
    from engine.run_sweep import run_sweep  # torch and friends load only for real runs

    log = EventLog(folder.events_file)
    tracking = _tracking_sink(job, folder, resume)
    sink = FanOutSink(log, *([tracking] if tracking else []), LogLevelFilter(FanOutSink(*sinks), job.log_verbosity))
    try:
        for warning in validation.warnings:
            sink.emit(Log(run=folder.name, level="warning", message=f"job.yml:{warning.line + 1}: {warning.message}"))
        return run_sweep(job, folder, base_dir=base_dir, sink=sink, resume=resume)
    finally:
        sink.close()


class GuardedSink:
    """A sink whose failures (a locked tracking database, a full disk) are reported once
    and then ignored: tracking must never stop a run."""

    def __init__(self, sink: EventSink, name: str) -> None:
        self.sink, self.name, self.failed = sink, name, False

    def emit(self, event) -> None:
        if self.failed:
            return
        try:
            self.sink.emit(event)
        except Exception as error:  # noqa: BLE001 - any failure of an optional sink
            self.failed = True
            print(f"warning: {self.name} disabled: {type(error).__name__}: {error}", file=sys.stderr)

    def close(self) -> None:
        if not self.failed:
            try:
                self.sink.close()
            except Exception:  # noqa: BLE001
                pass


def _tracking_sink(job, folder: RunFolder, resume: bool) -> Optional[EventSink]:
    """MLflow tracking; a resumed run continues its parent run. Its id and store go into
    run.json so that a later `--export` logs the model to the same run."""
    meta_path = folder.path / "run.json"
    meta = read_json(meta_path, {}) or {}
    try:
        from engine.tracking import MlflowSink

        tags = {**(job.tags or {}), **(job.properties or {})}
        sink = MlflowSink(
            experiment_name=job.experiment_name, name=job.name, display_name=job.display_name,
            description=job.description, tags=tags, parent_run_id=meta.get("mlflow_run_id") if resume else None,
        )
    except Exception as error:  # noqa: BLE001 - tracking is optional; the run is not
        print(f"warning: MLflow tracking disabled: {error}", file=sys.stderr)
        return None
    update_json(meta_path, {"mlflow_tracking_uri": sink.tracking_uri})
    return GuardedSink(_RecordParent(sink, meta_path), "MLflow tracking")


class _RecordParent:
    """Writes the MLflow parent run id into run.json as soon as MLflow has made it."""

    def __init__(self, sink, meta_path: Path) -> None:
        self.sink, self.meta_path, self.recorded = sink, meta_path, False

    def emit(self, event) -> None:
        self.sink.emit(event)
        if not self.recorded and self.sink.parent_run_id:
            update_json(self.meta_path, {"mlflow_run_id": self.sink.parent_run_id})
            self.recorded = True

    def close(self) -> None:
        self.sink.close()


def _open_run(job_path, run_dir, resume):
    if resume:
        if run_dir is None and job_path is not None:
            # Without --run-dir, the job's default folder: runs/<name>.
            probe = validate_file(job_path)
            run_dir = RUNS_FOLDER / run_name_for(probe.job.name if probe.job else None)
        folder = RunFolder(run_dir) if run_dir is not None else None
        if folder is None or not folder.exists():
            where = folder.path if folder else "the run folder"
            return RunOutcome(EXIT_INVALID, message=f"{where} holds no run to resume: give --run-dir of an earlier run")
        validation = validate_file(folder.job_file)
        if not validation.ok:
            return RunOutcome(EXIT_INVALID, diagnostics=validation.diagnostics, message=f"{folder.job_file} is not valid")
        meta = read_json(folder.path / "run.json", {})
        return folder, validation.job, validation, Path(meta.get("base_dir", folder.path))
    if job_path is None:
        return RunOutcome(EXIT_INVALID, message="give a job file to run")
    validation = validate_file(job_path)
    if not validation.ok:
        return RunOutcome(EXIT_INVALID, diagnostics=validation.diagnostics, message=f"{job_path} is not valid")
    folder = RunFolder(run_dir) if run_dir else default_run_folder(validation.job.name)
    try:
        folder.create(read_text(job_path))
    except FileExistsError as error:
        return RunOutcome(EXIT_INVALID, message=str(error))
    base_dir = Path(job_path).resolve().parent
    return folder, validation.job, validation, base_dir
