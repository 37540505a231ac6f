"""Shared fixtures for the studio's Pilot and snapshot tests.

Every test runs in its own folder with its own config folder, so nothing touches the
user's real `config.toml`, and file names on screen are relative (snapshots stay the
same on every machine).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import pytest

from studio.config import CONFIG_DIR_ENV

JOB = """\
# Fridge items: which items are in the picture?
$schema: https://azuremlsdk2.blob.core.windows.net/preview/0.0.1/autoMLJob.schema.json
type: automl
task: image_classification_multilabel
experiment_name: fridge-items
primary_metric: iou   # Azure's default for this task

target_column_name: label
training_data:
  path: data/training-mltable-folder
  type: mltable

limits:
  max_trials: 2

training_parameters:
  model_name: resnet18
  number_of_epochs: 3
  learning_rate: 0.01
"""
LEARNING_RATE_LINE = 18  # 0-based line of `learning_rate: 0.01`


@pytest.fixture(autouse=True)
def studio_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(CONFIG_DIR_ENV, str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data" / "training-mltable-folder").mkdir(parents=True)
    return tmp_path


@pytest.fixture
def job_path(studio_folder: Path) -> Path:
    path = Path("job.yml")
    path.write_text(JOB, encoding="utf-8")
    return path


async def wait_for(pilot, condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Let the app run until `condition` holds (validation is debounced on a real timer)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.01)


async def wait_for_validation(pilot) -> None:
    """Until the diagnostics shown are those of the editor's current text."""
    editor = pilot.app.editor_screen.editor
    await wait_for(pilot, lambda: editor.diagnostics_version == editor.text_version)
    await pilot.pause()
