"""The export logged to the job's MLflow parent run, read back from a sqlite store."""

from __future__ import annotations

from pathlib import Path

from engine.export.tracking import log_export


def test_the_export_is_logged_under_best_model_of_the_parent_run(best_export, tmp_path):
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri)
    run = client.create_run(client.create_experiment("export"))
    paths = best_export.paths
    log_export(run_id=run.info.run_id, tracking_uri=uri, mlflow_model=Path(paths["mlflow_model"]),
               files=[Path(paths["onnx"]), Path(paths["labels"]), Path(paths["report"])])
    model = {f.path for f in client.list_artifacts(run.info.run_id, "best_model")}
    assert {"best_model/MLmodel", "best_model/artifacts", "best_model/input_example.json"} <= model
    onnx = {f.path for f in client.list_artifacts(run.info.run_id, "best_model_onnx")}
    assert onnx == {"best_model_onnx/model.onnx", "best_model_onnx/labels.json", "best_model_onnx/export_report.json"}
