"""Sweeps through real trial processes: faults, limits, resume and the exit codes."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.run import run_job
from engine.runfolder import RunFolder
from engine.trial_main import FAULT_INJECTION_VARIABLE
import engine.run_sweep as run_sweep

# Four trials in a fixed order (grid), each a different learning rate.
GRID = {
    ("sweep",): {"sampling_algorithm": "grid"},
    ("search_space",): [{"learning_rate": {"type": "choice", "values": [0.01, 0.02, 0.03, 0.04]}}],
}


def _summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text())


def _statuses(summary: dict) -> dict[str, str]:
    return {t["id"]: t["status"] for t in summary["trials"]}


@pytest.fixture
def quick_timeouts(monkeypatch):
    """A trial timeout of seconds, not minutes, so a hanging trial is caught quickly."""
    original = run_sweep.scheduler_settings

    def settings(job):
        return dataclasses.replace(original(job), trial_timeout_seconds=25.0, kill_grace_seconds=2.0)

    monkeypatch.setattr(run_sweep, "scheduler_settings", settings)


def test_faulty_trials_are_recorded_and_the_sweep_goes_on(make_job, tmp_path, monkeypatch, quick_timeouts):
    job = make_job("faults", GRID, max_trials=4)
    monkeypatch.setenv(FAULT_INJECTION_VARIABLE, "t001:raise,t002:kill,t003:hang")
    outcome = run_job(job, run_dir=tmp_path / "run")
    summary = _summary(tmp_path / "run")
    assert _statuses(summary) == {"t001": "failed", "t002": "failed", "t003": "failed", "t004": "completed"}
    reasons = {t["id"]: t["reason"] for t in summary["trials"]}
    assert "injected failure" in reasons["t001"]
    assert "SIGKILL" in reasons["t002"]
    assert "trial_timeout_minutes" in reasons["t003"]
    assert summary["best_trial"]["id"] == "t004"
    assert outcome.exit_code == 0


def test_out_of_memory_is_retried_with_half_the_batch(make_job, tmp_path, monkeypatch):
    job = make_job("oom", GRID, max_trials=1)
    monkeypatch.setenv(FAULT_INJECTION_VARIABLE, "t001:oom")
    outcome = run_job(job, run_dir=tmp_path / "run")
    trial = _summary(tmp_path / "run")["trials"][0]
    assert outcome.exit_code == 0
    assert trial["status"] == "completed"
    assert trial["params"]["training_batch_size"] == 4  # 8 halved
    assert trial["params"]["gradient_accumulation_step"] == 2
    events = (tmp_path / "run" / "events.jsonl").read_text()
    assert "ran out of GPU memory: retrying once" in events


def test_all_trials_failing_exits_1(make_job, tmp_path, monkeypatch):
    job = make_job("failing", GRID, max_trials=2)
    monkeypatch.setenv(FAULT_INJECTION_VARIABLE, "t001:raise,t002:raise")
    outcome = run_job(job, run_dir=tmp_path / "run")
    assert outcome.exit_code == 1
    assert _summary(tmp_path / "run")["status"] == "failed"


def _cli(*args: str, env: dict | None = None, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "studio.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        **kwargs,
    )


def _wait_for(predicate, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.2)  # polling a file another process writes; the condition decides


def test_headless_run_exit_codes_0_and_2(make_job, tmp_path):
    good = make_job("good", GRID, max_trials=1)
    done = _cli(str(good), "--run", "--run-dir", str(tmp_path / "ok"))
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    assert "best trial: t001" in out and "Traceback" not in err
    bad = make_job("bad", {("training_parameters", "learning_rate"): 7.0})
    invalid = _cli(str(bad), "--run", "--run-dir", str(tmp_path / "bad"))
    out, err = invalid.communicate(timeout=60)
    assert invalid.returncode == 2
    assert "error: learning_rate must be in [0, 1]" in out
    assert not (tmp_path / "bad").exists()


def test_interrupt_exits_130_and_resume_keeps_finished_trials(make_job, tmp_path):
    job = make_job("resume", GRID, max_trials=4)
    folder = tmp_path / "run"
    # t003 is slow, so the interruption lands while two trials are finished and one is running.
    runner = _cli(str(job), "--run", "--run-dir", str(folder), env={FAULT_INJECTION_VARIABLE: "t003:slow"})
    _wait_for(lambda: (folder / "trials" / "t003").exists())
    runner.send_signal(signal.SIGINT)
    out, err = runner.communicate(timeout=120)
    assert runner.returncode == 130, err
    interrupted = _summary(folder)
    assert interrupted["status"] == "interrupted"
    assert _statuses(interrupted) == {"t001": "completed", "t002": "completed", "t003": "interrupted"}
    before = {t["id"]: t for t in interrupted["trials"] if t["status"] == "completed"}

    resumed = _cli(str(job), "--run", "--run-dir", str(folder), "--resume")
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    final = _summary(folder)
    assert len(final["trials"]) == 4
    assert set(_statuses(final).values()) == {"completed"}
    for trial in final["trials"]:
        if trial["id"] in before:
            assert trial == before[trial["id"]]


def test_resume_after_the_runner_is_killed(make_job, tmp_path):
    job = make_job("killed", GRID, max_trials=3)
    folder = tmp_path / "run"
    runner = _cli(str(job), "--run", "--run-dir", str(folder), env={FAULT_INJECTION_VARIABLE: "t002:hang"})
    _wait_for(lambda: (folder / "trials" / "t002").exists())
    runner.kill()
    runner.communicate(timeout=60)
    state = json.loads((folder / "sweep.json").read_text())
    finished = {t["id"]: t for t in state["trials"] if t["status"] == "completed"}
    assert list(finished) == ["t001"]

    resumed = _cli(str(job), "--run", "--run-dir", str(folder), "--resume")
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    final = _summary(folder)
    assert [t["id"] for t in final["trials"]] == ["t001", "t002", "t003"]
    assert set(_statuses(final).values()) == {"completed"}
    kept = next(t for t in final["trials"] if t["id"] == "t001")
    assert kept["metrics"] == finished["t001"]["metrics"]
    assert kept["params"] == finished["t001"]["params"]


def test_a_cancel_request_stops_one_trial_and_the_sweep_goes_on(make_job, tmp_path):
    job = make_job("cancel", GRID, max_trials=2)
    folder = tmp_path / "run"
    runner = _cli(str(job), "--run", "--run-dir", str(folder), env={FAULT_INJECTION_VARIABLE: "t001:slow"})
    _wait_for(lambda: (folder / "trials" / "t001").exists())
    RunFolder(folder).request_cancel("t001")
    out, err = runner.communicate(timeout=300)
    assert runner.returncode == 0, err
    summary = _summary(folder)
    assert _statuses(summary) == {"t001": "cancelled", "t002": "completed"}
    assert summary["best_trial"]["id"] == "t002"
    assert not list((folder / "control").iterdir())  # the request was consumed


def test_default_run_folders_do_not_overwrite_earlier_runs(tmp_path):
    from engine.runfolder import default_run_folder

    first = default_run_folder("fridge items", parent=tmp_path)
    assert first.path == tmp_path / "fridge-items"
    first.create("type: automl\n")
    second = default_run_folder("fridge items", parent=tmp_path)
    assert second.path == tmp_path / "fridge-items-2"
    with pytest.raises(FileExistsError):
        first.create("type: automl\n")


def test_the_job_timeout_stops_launching_and_keeps_what_finished(make_job, tmp_path, monkeypatch):
    job = make_job("timeout", GRID, max_trials=4)
    original = run_sweep.scheduler_settings
    # A job timeout of seconds: t001 finishes, t002 (slow) is still running when it hits.
    monkeypatch.setattr(
        run_sweep, "scheduler_settings", lambda job: dataclasses.replace(original(job), timeout_seconds=30.0)
    )
    monkeypatch.setenv(FAULT_INJECTION_VARIABLE, "t002:slow")
    outcome = run_job(job, run_dir=tmp_path / "run")
    summary = _summary(tmp_path / "run")
    assert summary["status"] == "timed_out"
    assert _statuses(summary) == {"t001": "completed", "t002": "interrupted"}
    assert summary["best_trial"]["id"] == "t001"
    assert Path(summary["exports"]["onnx"]).is_file()
    assert outcome.exit_code == 0
