"""MLflow tracking as an event sink (DESIGN.md section 8).

One parent run per job, named after `display_name` (else `name`), with the job's
`experiment_name` (default: the working folder's name, as Azure does), `description`
(MLflow's run note) and `tags`; one nested run per trial with its params, a metric
history per epoch (`step` = epoch: validation metrics plus `train_loss`, `lr`,
`images_per_second`), its best metrics as `best_<name>`, and its status. The exported
best model is logged as the parent's `best_model` artifact.

Store: `tracking_uri`, else `MLFLOW_TRACKING_URI`, else `sqlite:///<cwd>/mlflow.db`, so
`mlflow ui` in the working folder shows everything. MLflow is imported when the sink is
created, never by `import engine.tracking` (it takes seconds to import).

The client API is used rather than mlflow's fluent one: trials' events interleave when
trials run concurrently, and the fluent API keeps one active run per thread.
A process that only runs trials can attach to a parent run made elsewhere with
`parent_run_id`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from engine.events import BestChanged, EpochEnded, ExportDone, RunEnded, RunStarted, TrialEnded, TrialStarted

_TRIAL_STATUS = {"completed": "FINISHED", "early_terminated": "FINISHED", "failed": "FAILED",
                 "cancelled": "KILLED", "interrupted": "KILLED", "timed_out": "KILLED"}
_RUN_STATUS = {"completed": "FINISHED", "failed": "FAILED", "interrupted": "KILLED", "timed_out": "KILLED"}


def default_tracking_uri() -> str:
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{Path.cwd() / 'mlflow.db'}"


def artifact_location_for(tracking_uri: str) -> str | None:
    """Artifacts of a sqlite store go to `mlruns/` beside the database file, not into
    whatever folder the process happens to run in (MLflow's default)."""
    prefix = "sqlite:///"
    if not tracking_uri.startswith(prefix):
        return None
    return (Path(tracking_uri[len(prefix):]).resolve().parent / "mlruns").as_uri()


class MlflowSink:
    def __init__(
        self,
        *,
        tracking_uri: str | None = None,
        experiment_name: str | None = None,
        name: str | None = None,
        display_name: str | None = None,
        description: str | None = None,
        tags: dict[str, Any] | None = None,
        parent_run_id: str | None = None,
    ) -> None:
        from mlflow.tracking import MlflowClient

        self.tracking_uri = tracking_uri or default_tracking_uri()
        self.client = MlflowClient(tracking_uri=self.tracking_uri)
        self.experiment_name = experiment_name or Path.cwd().name
        self.name, self.display_name, self.description = name, display_name, description
        self.tags = {k: str(v) for k, v in (tags or {}).items()}
        self.parent_run_id = parent_run_id
        self.trial_runs: dict[str, str] = {}

    def emit(self, event: Any) -> None:
        handler = {
            RunStarted: self._run_started, TrialStarted: self._trial_started,
            EpochEnded: self._epoch_ended, TrialEnded: self._trial_ended,
            BestChanged: self._best_changed, ExportDone: self._export_done, RunEnded: self._run_ended,
        }.get(type(event))
        if handler is not None:
            handler(event)

    def close(self) -> None:
        # Runs still open here were cut short (no trial_ended / run_ended came).
        for run_id in self.trial_runs.values():
            self.client.set_terminated(run_id, "KILLED")
        self.trial_runs.clear()

    def _experiment_id(self) -> str:
        found = self.client.get_experiment_by_name(self.experiment_name)
        if found:
            return found.experiment_id
        return self.client.create_experiment(
            self.experiment_name, artifact_location=artifact_location_for(self.tracking_uri)
        )

    def _parent(self, run_label: str = "") -> str:
        if self.parent_run_id is None:
            tags = dict(self.tags)
            if self.description:
                tags["mlflow.note.content"] = self.description
            if self.name:
                tags["automl_studio.job_name"] = self.name
            run = self.client.create_run(
                self._experiment_id(), run_name=self.display_name or self.name or run_label or None, tags=tags
            )
            self.parent_run_id = run.info.run_id
        return self.parent_run_id

    def _run_started(self, event: RunStarted) -> None:
        parent = self._parent(event.run)
        if event.primary_metric:
            self.client.set_tag(parent, "primary_metric", event.primary_metric)

    def _trial_started(self, event: TrialStarted) -> None:
        from mlflow.entities import Param

        parent = self._parent(event.run)
        run = self.client.create_run(
            self.client.get_run(parent).info.experiment_id,
            run_name=f"trial {event.trial}",
            tags={"mlflow.parentRunId": parent, "trial": event.trial},
        )
        self.trial_runs[event.trial] = run.info.run_id
        params = [Param(k, str(v)[:6000]) for k, v in sorted(event.params.items())]
        if event.pretrained is not None:
            params.append(Param("pretrained", str(event.pretrained)))
        self.client.log_batch(run.info.run_id, params=params)

    def _epoch_ended(self, event: EpochEnded) -> None:
        values = {**event.metrics, "train_loss": event.loss, "lr": event.lr,
                  "images_per_second": event.images_per_second}
        self._log_metrics(self.trial_runs.get(event.trial), values, event, step=event.epoch)

    def _trial_ended(self, event: TrialEnded) -> None:
        run_id = self.trial_runs.pop(event.trial, None)
        if run_id is None:
            return
        self._log_metrics(run_id, {f"best_{k}": v for k, v in event.metrics.items()}, event, step=event.epochs)
        self.client.set_tag(run_id, "status", event.status)
        if event.reason:
            self.client.set_tag(run_id, "reason", event.reason)
        self.client.set_terminated(run_id, _TRIAL_STATUS[event.status])

    def _best_changed(self, event: BestChanged) -> None:
        parent = self._parent(event.run)
        self.client.set_tag(parent, "best_trial", event.trial)
        self._log_metrics(parent, {f"best_{event.metric}": event.value}, event, step=0)

    def _export_done(self, event: ExportDone) -> None:
        model_dir = event.paths.get("mlflow_model")
        if model_dir and Path(model_dir).is_dir():
            self.client.log_artifacts(self._parent(event.run), model_dir, artifact_path="best_model")

    def _run_ended(self, event: RunEnded) -> None:
        parent = self._parent(event.run)
        if event.best_trial is not None:
            self.client.set_tag(parent, "best_trial", event.best_trial)
        self.client.set_terminated(parent, _RUN_STATUS[event.status])

    def _log_metrics(self, run_id: str | None, values: dict[str, float], event: Any, *, step: int) -> None:
        from mlflow.entities import Metric

        if run_id is None or not values:
            return
        stamp = int(event.time.timestamp() * 1000)
        metrics = [Metric(k, float(v), stamp, step) for k, v in sorted(values.items())]
        self.client.log_batch(run_id, metrics=metrics)
