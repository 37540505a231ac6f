"""Export: the best trial as an MLflow pyfunc model (Azure AutoML's contract) and ONNX,
parity-checked with onnxruntime (DESIGN.md section 9).

Public API:

- `export_model(*, checkpoint_path, params, labels, destination, validation_images,
  mlflow_parent_run_id=None, tracking_uri=None, trial_id=None) -> ExportReport`:
  writes `destination/{mlflow_model/, model.onnx, labels.json, export_report.json}`.
- `export_run(run_dir, *, trial_id=None, destination=None, mlflow_parent_run_id=None,
  tracking_uri=None) -> ExportReport`: the best (or chosen) trial of a run folder.
- `ExportError`: every failure, parity above 1e-4 included; str() is the message.
- `ExportReport` (`.paths`, `.parity`, `.max_abs_diff`, `.label_agreement`, `.to_json()`),
  `ParityReport`, `ModelSettings`.
- `engine.export.pyfunc.AutoMLImageModel`: the pyfunc class (importing it imports mlflow).

Importing `engine.export` imports torch but not mlflow or onnx.
"""

import os

# Exports run inside a terminal program: no per-file download bars from MLflow.
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")

from engine.export.errors import ExportError  # noqa: E402
from engine.export.export import ExportReport, export_model  # noqa: E402
from engine.export.parity import TOLERANCE, ParityReport  # noqa: E402
from engine.export.run import export_run  # noqa: E402
from engine.export.settings import ModelSettings  # noqa: E402

__all__ = ["TOLERANCE", "ExportError", "ExportReport", "ModelSettings", "ParityReport", "export_model", "export_run"]
