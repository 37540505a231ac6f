"""`export_run`: export the best (or a chosen) trial of a run folder.

- Trial: the chosen `trial_id`, else the best one by the job's primary metric among
  `completed` and `early_terminated` trials, read from `sweep.json` (current even while a
  run is resumed), else from `summary.json`'s trial list. Ties go to the earlier trial.
- Parameters: the job's `training_parameters` with the trial's effective overrides,
  resolved as the trial resolved them.
- Where relative paths start (data, `outputs.best_model.path`): the folder of the job
  file the run was started from, which the runner records as `base_dir` in `run.json`;
  a relative path in the run folder's `job.yml` copy means nothing next to the copy. A
  run folder without `run.json` (made by hand, or copied elsewhere) falls back to the
  run folder itself.
- Destination: `destination`, else the job's `outputs.best_model.path`, else
  `best_model/` in the run folder.
- Validation images for parity and the input example: the first 32 of the run's
  validation split (the job's `validation_data`, or the same seeded split of
  `training_data` the trials used: `data_seed` in `run.json`).
- MLflow: logged to `mlflow_parent_run_id` when given, else to `mlflow_run_id` in
  `run.json` when the runner recorded one.
"""

from __future__ import annotations

from pathlib import Path

from engine.export.errors import ExportError
from engine.export.export import ExportReport, export_model
from engine.runfolder import RunFolder, read_json
from engine.sweep.state import SweepState, TrialRecord

PARITY_IMAGES = 32
"""Enough images to exercise every label's logit, few enough to run in seconds on a CPU."""


def export_run(
    run_dir: Path,
    *,
    trial_id: str | None = None,
    destination: Path | None = None,
    mlflow_parent_run_id: str | None = None,
    tracking_uri: str | None = None,
    log_to_mlflow: bool = True,
) -> ExportReport:
    """`log_to_mlflow=False` inside a run: the run's tracking sink logs the model when it
    sees `export_done`, so logging here too would upload it twice."""
    from engine.spec import resolve_training_parameters, validate_file
    from engine.train.checkpoint import BEST, CHECKPOINT_DIR

    folder = RunFolder(run_dir)
    validation = validate_file(folder.job_file)
    if validation.job is None:
        raise ExportError(f"{folder.job_file}: not a valid job ({_first_error(validation)})")
    job = validation.job
    meta = read_json(folder.path / "run.json", {}) or {}
    base_dir = Path(meta.get("base_dir", folder.path))
    record = _choose_trial(folder, job.primary_metric, trial_id)
    checkpoint = folder.trial_folder(record.id) / CHECKPOINT_DIR / BEST
    if not checkpoint.is_file():
        raise ExportError(f"trial {record.id} has no best checkpoint ({checkpoint}): it never finished an evaluation")
    params = resolve_training_parameters(job.training_parameters, record.effective_params)
    labels, images = _labels_and_images(job, base_dir=base_dir, seed=meta.get("data_seed", 0), checkpoint=checkpoint)
    return export_model(
        checkpoint_path=checkpoint,
        params=params,
        labels=labels,
        destination=Path(destination) if destination is not None else _destination(job, folder, base_dir),
        validation_images=images,
        mlflow_parent_run_id=(mlflow_parent_run_id or meta.get("mlflow_run_id")) if log_to_mlflow else None,
        tracking_uri=tracking_uri or meta.get("mlflow_tracking_uri"),
        trial_id=record.id,
    )


def _choose_trial(folder: RunFolder, primary_metric: str, trial_id: str | None) -> TrialRecord:
    records = _trial_records(folder)
    if trial_id is not None:
        found = next((r for r in records if r.id == trial_id), None)
        if found is None and folder.trial_folder(trial_id).is_dir():
            found = TrialRecord(id=trial_id, index=0, params={})  # a trial the state does not list
        if found is None:
            known = ", ".join(r.id for r in records) or "none"
            raise ExportError(f"{folder.path} has no trial {trial_id!r} (trials: {known})")
        return found
    best = SweepState(seed=0, trials=records).best(primary_metric)
    if best is None:
        raise ExportError(
            f"{folder.path} has no completed trial with a {primary_metric} score to export "
            f"(statuses: {', '.join(sorted({r.status for r in records})) or 'no trials'})"
        )
    return best


def _trial_records(folder: RunFolder) -> list[TrialRecord]:
    state = SweepState.load(folder.sweep_file)
    if state is not None:
        return state.trials
    summary = folder.summary() or {}
    return [
        TrialRecord(id=str(t["id"]), index=index, params=t.get("params") or {}, status=t.get("status", "pending"),
                    metrics=t.get("metrics") or {})
        for index, t in enumerate(summary.get("trials", []))
    ]


def _destination(job, folder: RunFolder, base_dir: Path) -> Path:
    output = job.outputs.best_model if job.outputs is not None else None
    if output is None or not output.path:
        return folder.best_model_folder
    path = Path(output.path).expanduser()
    return path if path.is_absolute() else base_dir / path


def _labels_and_images(job, *, base_dir: Path, seed: int, checkpoint: Path) -> tuple[list[str], list[Path]]:
    from engine.data.errors import DataError, SkipReport
    from engine.data.labels import label_vocabulary
    from engine.data.prepare import read_splits
    from engine.train.checkpoint import load_checkpoint
    from engine.trial_setup import job_data_arguments

    try:
        # The same splits the trials used (a test hold-out changes the validation split).
        splits = read_splits(**job_data_arguments(job, base_dir), seed=seed, report=SkipReport())
    except DataError as error:
        raise ExportError(f"cannot read the job's data for the parity check: {error}") from None
    # The labels the network was trained with are in its checkpoint; older ones lack them.
    labels = load_checkpoint(checkpoint).get("labels")
    if labels is None:
        labels = label_vocabulary([e.labels for e in splits.training], [e.labels for e in splits.validation])
    return list(labels), [e.image for e in splits.validation[:PARITY_IMAGES]]


def _first_error(validation) -> str:
    errors = validation.errors
    return errors[0].message if errors else "no job"
