"""The MLflow sink, read back from a temporary sqlite store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine.events import EpochEnded, ExportDone, RunEnded, RunStarted, TrialEnded, TrialStarted


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """One store for the module: creating an MLflow sqlite schema takes seconds."""
    from engine.tracking import MlflowSink

    folder = tmp_path_factory.mktemp("mlflow")
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    model_dir = folder / "mlflow_model"
    model_dir.mkdir()
    (model_dir / "MLmodel").write_text("flavors: {}\n")
    sink = MlflowSink(tracking_uri=uri, experiment_name="fridge", name="job-123", display_name="Fridge run",
                      description="multi-label fridge items", tags={"team": "vision"})
    events = [
        RunStarted(run="job-123", primary_metric="iou"),
        TrialStarted(run="job-123", trial="1", params={"learning_rate": 0.01, "model_name": "resnet18"},
                     pretrained=False),
        TrialStarted(run="job-123", trial="2", params={"learning_rate": 0.02, "model_name": "resnet18"}),
        EpochEnded(run="job-123", trial="1", epoch=1, metrics={"iou": 0.4}, loss=0.9, lr=0.01,
                   images_per_second=50, seconds=2),
        EpochEnded(run="job-123", trial="2", epoch=1, metrics={"iou": 0.2}, loss=0.8, lr=0.02,
                   images_per_second=50, seconds=2),
        EpochEnded(run="job-123", trial="1", epoch=2, metrics={"iou": 0.6}, loss=0.5, lr=0.005,
                   images_per_second=55, seconds=2),
        TrialEnded(run="job-123", trial="1", status="completed", metrics={"iou": 0.6}, best_epoch=2, epochs=2),
        TrialEnded(run="job-123", trial="2", status="early_terminated", reason="bandit", metrics={"iou": 0.2},
                   epochs=1),
        ExportDone(run="job-123", trial="1", paths={"mlflow_model": str(model_dir)}),
        RunEnded(run="job-123", status="completed", best_trial="1"),
    ]
    for event in events:
        sink.emit(event)
    sink.close()
    return sink


def _runs(store):
    exp = store.client.get_experiment_by_name("fridge")
    runs = store.client.search_runs([exp.experiment_id])
    parent = next(r for r in runs if r.info.run_id == store.parent_run_id)
    trials = {r.data.tags["trial"]: r for r in runs if r.info.run_id != store.parent_run_id}
    return parent, trials


def test_the_parent_run_carries_the_job_identity(store):
    parent, trials = _runs(store)
    assert parent.info.run_name == "Fridge run"
    assert parent.info.status == "FINISHED"
    tags = parent.data.tags
    assert (tags["team"], tags["automl_studio.job_name"], tags["mlflow.note.content"]) == \
        ("vision", "job-123", "multi-label fridge items")
    assert (tags["primary_metric"], tags["best_trial"]) == ("iou", "1")
    assert [a.path for a in store.client.list_artifacts(parent.info.run_id)] == ["best_model"]
    db_folder = Path(store.tracking_uri.removeprefix("sqlite:///")).parent
    assert list((db_folder / "mlruns").rglob("best_model/MLmodel"))


def test_each_trial_is_a_nested_run_with_params_and_status(store):
    parent, trials = _runs(store)
    assert set(trials) == {"1", "2"}
    assert all(t.data.tags["mlflow.parentRunId"] == parent.info.run_id for t in trials.values())
    assert trials["1"].data.params == {"learning_rate": "0.01", "model_name": "resnet18", "pretrained": "False"}
    assert trials["2"].data.tags["reason"] == "bandit"
    assert (trials["1"].info.status, trials["2"].info.status) == ("FINISHED", "FINISHED")


def test_per_epoch_metrics_are_a_history(store):
    _, trials = _runs(store)
    history = store.client.get_metric_history(trials["1"].info.run_id, "iou")
    assert [(m.step, m.value) for m in history] == [(1, 0.4), (2, 0.6)]
    assert trials["1"].data.metrics["best_iou"] == 0.6
    assert trials["1"].data.metrics["train_loss"] == 0.5


def test_the_default_store_is_mlflow_db_in_the_working_folder(tmp_path, monkeypatch):
    from engine.tracking import default_tracking_uri

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert default_tracking_uri() == f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///elsewhere.db")
    assert default_tracking_uri() == "sqlite:///elsewhere.db"


def test_importing_tracking_does_not_import_mlflow():
    code = "import sys, engine.tracking; print('mlflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
