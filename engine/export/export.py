"""`export_model`: one trained checkpoint -> MLflow pyfunc model, ONNX, labels, report.

Everything is built in a staging folder inside `destination` and moved into place only
after the parity check passed, so a failed export leaves an earlier one untouched. Only
the entries the export owns are replaced (`mlflow_model/`, `model.onnx`, `labels.json`,
`export_report.json`): `outputs.best_model.path` may name a folder that holds other files.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch

from engine.export.errors import ExportError
from engine.export.images import open_image
from engine.export.network import build_network, state_dict_of
from engine.export.onnx_export import INPUT_NAME, OPSET, OUTPUT_NAME, export_onnx
from engine.export.parity import ParityReport, check_parity
from engine.export.settings import ModelSettings, settings_for
from engine.runfolder import write_json_atomic

MLFLOW_MODEL = "mlflow_model"
ONNX_FILE = "model.onnx"
LABELS_FILE = "labels.json"
REPORT_FILE = "export_report.json"


@dataclass
class ExportReport:
    destination: str
    paths: dict[str, str]
    """`mlflow_model`, `onnx`, `labels`, `report`: absolute paths (summary.json's `exports`)."""
    checkpoint: str
    trial_id: str | None
    settings: dict[str, Any]
    parity: ParityReport
    onnx: dict[str, Any] = field(default_factory=dict)
    """Input/output names, opset, whether the graph normalises."""
    mlflow_run_id: str | None = None
    """The parent run the export was logged to (None: not logged)."""

    @property
    def max_abs_diff(self) -> float:
        return self.parity.max_abs_diff

    @property
    def label_agreement(self) -> float:
        return self.parity.label_agreement

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "parity": self.parity.to_json()}


def export_model(
    *,
    checkpoint_path: Path,
    params: Any,
    labels: Sequence[str],
    destination: Path,
    validation_images: Sequence[Path],
    mlflow_parent_run_id: str | None = None,
    tracking_uri: str | None = None,
    trial_id: str | None = None,
) -> ExportReport:
    """Export the weights in `checkpoint_path` (a `best.pt`) trained with `params` (the
    trial's resolved TrainingParameters). Raises ExportError when anything is wrong,
    including ONNX parity outside its tolerance on `validation_images` (see
    `engine.export.parity.TOLERANCE`)."""
    labels = _checked_labels(labels)
    checkpoint = _load(checkpoint_path)
    if checkpoint.get("labels") is not None and list(checkpoint["labels"]) != labels:
        raise ExportError(f"{checkpoint_path} was trained with labels {checkpoint['labels']}, not {labels}")
    settings = settings_for(params, labels)
    state = state_dict_of(checkpoint)
    network = build_network(settings, state)
    images, example = _readable_images(validation_images)
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=destination))
    try:
        parity = _build(staging, network=network, state=state, settings=settings, images=images, example=example)
        _move_into_place(staging, destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report = _report(destination, checkpoint_path, trial_id, settings, parity)
    write_json_atomic(destination / REPORT_FILE, report.to_json())
    if mlflow_parent_run_id is not None:
        from engine.export.tracking import log_export

        log_export(
            run_id=mlflow_parent_run_id, tracking_uri=tracking_uri, mlflow_model=destination / MLFLOW_MODEL,
            files=[destination / ONNX_FILE, destination / LABELS_FILE, destination / REPORT_FILE],
        )
        report.mlflow_run_id = mlflow_parent_run_id
    return report


def _build(staging: Path, *, network, state, settings: ModelSettings, images, example: Path) -> ParityReport:
    from engine.export.pyfunc import save_pyfunc_model  # imports mlflow: seconds

    export_onnx(network, settings, staging / ONNX_FILE)
    parity = check_parity(network, staging / ONNX_FILE, images, settings)
    sources = staging / "artifacts"
    sources.mkdir()
    torch.save(state, sources / "weights.pt")
    save_pyfunc_model(
        staging / MLFLOW_MODEL,
        weights=sources / "weights.pt",
        settings=settings.save(sources / "settings.json"),
        example_image=example,
    )
    write_json_atomic(staging / LABELS_FILE, list(settings.labels))
    return parity


def _move_into_place(staging: Path, destination: Path) -> None:
    for name in (MLFLOW_MODEL, ONNX_FILE, LABELS_FILE):
        target = destination / name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
        os.replace(staging / name, target)
    # A report left by an earlier export describes files that are gone now.
    (destination / REPORT_FILE).unlink(missing_ok=True)


def _report(destination: Path, checkpoint_path: Path, trial_id, settings: ModelSettings, parity) -> ExportReport:
    root = destination.resolve()
    return ExportReport(
        destination=str(root),
        paths={
            "mlflow_model": str(root / MLFLOW_MODEL),
            "onnx": str(root / ONNX_FILE),
            "labels": str(root / LABELS_FILE),
            "report": str(root / REPORT_FILE),
        },
        checkpoint=str(Path(checkpoint_path).resolve()),
        trial_id=trial_id,
        settings=settings.to_json(),
        parity=parity,
        onnx={
            "input": INPUT_NAME, "output": OUTPUT_NAME, "opset": OPSET,
            "input_shape": ["batch", 3, settings.validation_crop_size, settings.validation_crop_size],
            "normalises_input": settings.enable_onnx_normalization,
        },
    )


def _checked_labels(labels: Sequence[str]) -> list[str]:
    labels = list(labels)
    if not labels:
        raise ExportError("no labels: a model needs at least one output")
    if labels != sorted(set(labels)):
        raise ExportError(f"labels must be unique and ascending (label i is output i), got {labels}")
    return labels


def _load(checkpoint_path: Path) -> dict[str, Any]:
    from engine.train.checkpoint import load_checkpoint

    try:
        return load_checkpoint(checkpoint_path)
    except FileNotFoundError:
        raise ExportError(f"no checkpoint at {checkpoint_path}") from None
    except Exception as error:  # noqa: BLE001 - torch.load fails in many ways on a bad file
        raise ExportError(f"{checkpoint_path} is not a readable checkpoint: {error}") from None


def _readable_images(paths: Sequence[Path]):
    """Decoded images and the first readable file (the input example); unreadable files
    are left out, as training leaves them out."""
    images, readable = [], []
    for path in paths:
        try:
            images.append(open_image(Path(path)))
            readable.append(Path(path))
        except OSError:
            continue
    if not images:
        raise ExportError("no readable validation images to check the export with")
    return images, readable[0]
