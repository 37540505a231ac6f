"""Logging an export to the job's MLflow parent run.

The pyfunc model goes under `best_model` (so `mlflow.pyfunc.load_model("runs:/<id>/best_model")`
works, and it matches what `engine.tracking.MlflowSink` logs on `export_done`); the ONNX
file, labels and parity report under `best_model_onnx`. MLflow is imported here only.
"""

from __future__ import annotations

from pathlib import Path

MODEL_ARTIFACT = "best_model"
ONNX_ARTIFACT = "best_model_onnx"


def log_export(*, run_id: str, tracking_uri: str | None, mlflow_model: Path, files: list[Path]) -> None:
    from mlflow.tracking import MlflowClient

    from engine.tracking import default_tracking_uri

    # The client API, not the fluent one: the parent run may be open in another process.
    client = MlflowClient(tracking_uri=tracking_uri or default_tracking_uri())
    client.log_artifacts(run_id, str(mlflow_model), artifact_path=MODEL_ARTIFACT)
    for path in files:
        client.log_artifact(run_id, str(path), artifact_path=ONNX_ARTIFACT)
