"""`export_run`: which trial, where to, what the report says, and the errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.export import TOLERANCE, ExportError, export_run
from exportkit import BEST_TRIAL, LABELS


def test_the_best_trial_goes_to_the_jobs_output_path_relative_to_the_original_job(best_export, run_dir):
    job_dir = Path(json.loads((run_dir / "run.json").read_text())["base_dir"])
    assert best_export.trial_id == BEST_TRIAL  # early_terminated counts; failed t003 does not
    assert Path(best_export.destination) == (job_dir / "exported").resolve()
    assert not (run_dir / "best_model").exists()
    for name in ("mlflow_model/MLmodel", "model.onnx", "labels.json", "export_report.json"):
        assert (job_dir / "exported" / name).is_file(), name
    assert not list((job_dir / "exported").glob(".export-*")), "the staging folder is removed"


def test_a_chosen_trial_goes_to_the_given_destination(chosen_export, run_dir):
    assert chosen_export.trial_id == "t001"
    assert chosen_export.checkpoint == str((run_dir / "trials/t001/checkpoints/best.pt").resolve())
    assert Path(chosen_export.paths["onnx"]).is_file()
    assert chosen_export.settings["enable_onnx_normalization"] is False


def test_the_report_file_records_parity_settings_and_paths(best_export):
    report = json.loads(Path(best_export.paths["report"]).read_text())
    parity = report["parity"]
    assert parity["images"] == 4  # validation_data_size 0.5 of 8 rows
    assert 0 <= parity["max_abs_diff"] <= parity["allowed_diff"] and parity["tolerance"] == TOLERANCE
    assert parity["label_agreement"] == 1.0
    assert report["trial_id"] == BEST_TRIAL
    assert report["settings"]["labels"] == LABELS
    assert report["settings"]["model_name"] == "resnet18" and report["settings"]["timm_name"] == "resnet18"
    assert (report["settings"]["validation_resize_size"], report["settings"]["validation_crop_size"]) == (40, 32)
    assert report["settings"]["threshold"] == 0.5
    assert report["onnx"]["normalises_input"] is True
    assert report["onnx"]["input"] == "input1" and report["onnx"]["output"] == "output1"
    assert set(report["paths"]) == {"mlflow_model", "onnx", "labels", "report"}
    assert json.loads(Path(best_export.paths["labels"]).read_text()) == LABELS


def test_settings_are_stored_beside_the_weights(best_export):
    artifacts = Path(best_export.paths["mlflow_model"]) / "artifacts"
    settings = json.loads((artifacts / "settings.json").read_text())
    assert settings["labels"] == LABELS and settings["enable_onnx_normalization"] is True
    assert settings["mean"] == pytest.approx([0.485, 0.456, 0.406])
    assert settings["std"] == pytest.approx([0.229, 0.224, 0.225])
    assert (artifacts / "weights.pt").is_file()


def test_an_unknown_trial_is_an_error_naming_the_trials(run_dir):
    with pytest.raises(ExportError, match=r"no trial 't999' \(trials: t001, t002, t003, t004\)"):
        export_run(run_dir, trial_id="t999")


def test_a_trial_without_a_checkpoint_is_an_error(run_dir):
    with pytest.raises(ExportError, match="trial t003 has no best checkpoint"):
        export_run(run_dir, trial_id="t003")


def test_a_run_without_a_finished_trial_is_an_error(run_dir, tmp_path):
    empty = tmp_path / "run"
    empty.mkdir()
    (empty / "job.yml").write_text((run_dir / "job.yml").read_text())
    (empty / "sweep.json").write_text(json.dumps({"seed": 0, "trials": [
        {"id": "t001", "index": 0, "params": {}, "status": "failed", "metrics": {}}]}))
    with pytest.raises(ExportError, match="no completed trial with a accuracy score"):
        export_run(empty)
