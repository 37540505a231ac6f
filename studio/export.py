"""`automl-studio --export RUN_DIR [--trial ID]`: export a run's best (or chosen) trial."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

EXIT_OK, EXIT_FAILED = 0, 1


def export_command(run_dir: Path, trial_id: Optional[str]) -> int:
    from engine.data import DataError
    from engine.export import ExportError, export_run
    from engine.run_sweep import quiet_mlflow
    from engine.runfolder import RunFolder

    quiet_mlflow()
    if not RunFolder(run_dir).exists():
        print(f"automl-studio: {run_dir} is not a run folder (it has no job.yml)", file=sys.stderr)
        return EXIT_FAILED
    try:
        report = export_run(run_dir, trial_id=trial_id)
    except (ExportError, DataError) as error:
        print(f"automl-studio: export failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"exported trial {report.trial_id} (max |logit difference| ONNX vs PyTorch {report.max_abs_diff:.2e})")
    for name, path in report.paths.items():
        print(f"{name}: {path}")
    return EXIT_OK
