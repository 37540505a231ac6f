"""Shared fixtures for the studio's Pilot and snapshot tests.

Every test runs in its own folder with its own config folder, so nothing touches the
user's real `config.toml`, and file names on screen are relative (snapshots stay the
same on every machine).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.config import CONFIG_DIR_ENV

from studio_testing import JOB


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
