"""Fixtures: the tiny run folder of `exportkit` and its exports, made once per session
(an export takes seconds: the torch.export-based ONNX exporter and MLflow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from exportkit import build_run


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory) -> Path:
    return build_run(tmp_path_factory.mktemp("export-run"))


@pytest.fixture(scope="session")
def best_export(run_dir):
    """The default export of the run: best trial, to `outputs.best_model.path`."""
    from engine.export import export_run

    return export_run(run_dir)


@pytest.fixture(scope="session")
def chosen_export(run_dir, tmp_path_factory):
    """A chosen trial (without ONNX normalisation) to an explicit destination."""
    from engine.export import export_run

    return export_run(run_dir, trial_id="t001", destination=tmp_path_factory.mktemp("chosen") / "out")
