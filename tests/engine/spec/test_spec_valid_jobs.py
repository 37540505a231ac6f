"""Valid job files, the two Azure examples first, pass `--check` (warnings allowed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.spec import validate_file
from spec_fixtures import AZURE_JOBS, BROKEN, JOBS, REPO, VALID_JOBS
from studio.cli import main

SHARED_AZURE = REPO.parent / "shared" / "examples" / "azure"
CONSOLE_SCRIPT = Path(sys.executable).parent / "automl-studio"


def test_both_azure_examples_are_here() -> None:
    assert [path.name for path in AZURE_JOBS] == [
        "cli-automl-img-cls-ml-task-fridge-items-automode.yml",
        "cli-automl-img-cls-ml-task-fridge-items.yml",
    ]


@pytest.mark.skipif(not SHARED_AZURE.is_dir(), reason="the shared examples folder is not beside this checkout")
@pytest.mark.parametrize("path", AZURE_JOBS, ids=lambda p: p.name)
def test_azure_copies_are_byte_identical_to_the_examples(path: Path) -> None:
    assert path.read_bytes() == (SHARED_AZURE / path.name).read_bytes()


@pytest.mark.parametrize("path", AZURE_JOBS, ids=lambda p: p.name)
def test_azure_example_validates_with_only_the_compute_warning(path: Path) -> None:
    result = validate_file(path)
    assert result.ok and result.job is not None
    assert [(d.code, d.line + 1, d.column + 1) for d in result.diagnostics] == [("remote-compute", 7, 10)]
    assert result.job.primary_metric == "iou"


@pytest.mark.parametrize("path", VALID_JOBS, ids=lambda p: p.name)
def test_valid_job_passes_check(path: Path, capsys) -> None:
    assert validate_file(path).errors == []
    assert main([str(path), "--check"]) == 0
    out, err = capsys.readouterr()
    assert " error: " not in out
    assert f"{path}: ok" in err


def test_fixture_jobs_have_no_warnings_at_all() -> None:
    for name in ("sweep.yml", "single_trial.yml", "full_parameters.yml"):
        assert validate_file(JOBS / name).diagnostics == [], name


def test_the_sweep_example_reads_into_the_model() -> None:
    job = validate_file(AZURE_JOBS[1]).job
    assert job.sweep.sampling_algorithm == "random"
    assert job.sweep.early_termination.type == "bandit"
    assert job.sweep.early_termination.slack_factor == 0.2
    assert len(job.search_space) == 2
    assert job.limits.timeout_minutes == 60
    assert job.training_parameters.early_stopping is True


def test_console_script_exit_codes_and_output() -> None:
    """The installed `automl-studio` script, in a real process, once."""
    broken = BROKEN / "unknown_key_top.yml"
    run = subprocess.run(
        [str(CONSOLE_SCRIPT), str(broken), str(AZURE_JOBS[0]), "--check"], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2
    assert run.stdout.splitlines()[0] == (
        f"{broken}:11:1: error: unknown key 'primary_metrc' at the top level (did you mean 'primary_metric'?)"
    )
    assert f"{AZURE_JOBS[0]}: ok (1 warning)" in run.stderr
    assert "Traceback" not in run.stdout + run.stderr

    valid = subprocess.run([str(CONSOLE_SCRIPT), str(AZURE_JOBS[1]), "--check"], capture_output=True, text=True, timeout=60)
    assert valid.returncode == 0, valid.stdout + valid.stderr


def test_a_missing_file_is_a_message_not_a_traceback(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "nope.yml"
    assert main([str(missing), "--check"]) == 2
    out, err = capsys.readouterr()
    assert out.strip() == f"{missing}:1:1: error: {missing} does not exist"
    assert "Traceback" not in out + err


def test_a_folder_and_a_binary_file_are_messages(tmp_path: Path, capsys) -> None:
    binary = tmp_path / "job.yml"
    binary.write_bytes(b"type: automl\n\xff\xfe\x00junk")
    assert main([str(tmp_path), str(binary), "--check"]) == 2
    out, _ = capsys.readouterr()
    assert "is a folder, not a job file" in out
    assert "is not UTF-8 text" in out


def test_a_terminal_that_cannot_show_a_character_gets_an_escape_not_a_crash(tmp_path: Path) -> None:
    job = tmp_path / "job.yml"
    job.write_text((JOBS / "sweep.yml").read_text().replace("primary_metric: iou", "primary_métric: iou"), encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    run = subprocess.run([str(CONSOLE_SCRIPT), str(job), "--check"], capture_output=True, text=True, timeout=60, env=env)
    assert run.returncode == 2
    assert f"{job}:11:1: error: unknown key 'primary_m\\xe9tric' at the top level" in run.stdout
