"""The run view's state without the UI: events in, rows, series and log lines out;
bounded memory; the follower thread's back-pressure; promote, diff and recent runs."""

from __future__ import annotations

import os
import threading
from datetime import timedelta

import pytest

from engine.events import Log, TrialEnded, TrialStarted
from engine.runfolder import RunFolder, write_json_atomic
from engine.spec import read_text, validate_text
from studio.promote import PromoteError, default_promoted_path, promote_trial, promoted_job_text
from studio.recent_runs import recent_runs
from studio.run_model import LogFilter, LogWindow, MetricSeries, RunModel
from studio.run_tail import follow_events
from studio.sample_run import SAMPLE_JOB, SAMPLE_START, append_events, sample_events, write_sample_run
from studio.trial_diff import differing_params, trial_params


def test_sample_run_mid_sweep_gives_rows_counts_and_best():
    model = RunModel(primary_metric="iou")
    model.apply(sample_events(finished=False))
    assert [row.status for row in model.trials.values()] == ["completed", "completed", "running", "running"]
    assert model.counts() == (2, 2, 4)
    assert model.best_trial == "t002" and model.best_value == pytest.approx(0.78)
    assert model.varying_parameters() == ["learning_rate"]
    assert model.trials["t003"].epoch == 3 and model.trials["t003"].epochs == 6
    assert [x for x, _ in model.series["t003"]["iou"].points()] == [1, 2, 3]
    assert model.end_status is None


def test_finished_run_has_its_end_and_elapsed_time_from_event_times():
    model = RunModel(primary_metric="iou", timeout_minutes=60)
    events = sample_events(finished=True)
    model.apply(events)
    assert model.end_status == "completed" and model.exports["onnx"].endswith("model.onnx")
    elapsed = (events[-1].time - events[0].time).total_seconds()
    assert model.elapsed_seconds(SAMPLE_START + timedelta(days=3)) == elapsed  # the wall clock does not matter
    assert model.time_left_seconds(SAMPLE_START + timedelta(days=3)) is None
    assert model.trials["t003"].status == "early_terminated"


def test_time_left_counts_down_from_the_timeout_while_running():
    model = RunModel(primary_metric="iou", timeout_minutes=60)
    model.apply(sample_events(finished=False))
    assert model.time_left_seconds(SAMPLE_START + timedelta(minutes=10)) == 50 * 60


def test_series_downsample_to_bounded_points_keeping_the_shape():
    series = MetricSeries(max_points=100)
    for epoch in range(1, 10_001):
        series.add(epoch, float(epoch))
    points = series.points()
    assert len(points) <= 101
    assert points[0][1] < 100 and points[-1][1] > 9_800
    assert all(a[0] < b[0] for a, b in zip(points, points[1:]))


def test_series_ignore_epochs_repeated_by_a_resumed_trial():
    series = MetricSeries()
    for epoch in (1, 2, 3, 2, 3, 4):
        series.add(epoch, epoch / 10)
    assert [x for x, _ in series.points()] == [1, 2, 3, 4]


def test_log_window_keeps_the_last_lines_and_filters_by_level_and_trial():
    window = LogWindow(size=50)
    for number in range(200):
        window.add(SAMPLE_START, ("debug", "info", "warning")[number % 3], f"t{number % 2}", f"line {number}")
    window.add(SAMPLE_START, "error", None, "run-wide")
    assert len(window.lines) == 50 and window.count == 201
    warnings = window.since(0, LogFilter("warning"))
    assert all(line.level in ("warning", "error") for line in warnings)
    mine = window.since(0, LogFilter("debug", trial="t1"))
    assert {line.trial for line in mine} == {"t1", None}
    assert window.since(200, LogFilter("debug"))[0].message == "run-wide"


def test_model_logs_engine_lines_at_their_level_and_failed_trials_as_errors():
    model = RunModel(primary_metric="iou")
    model.apply(
        [
            TrialStarted(time=SAMPLE_START, trial="t001", params={"model_name": "resnet18"}),
            Log(time=SAMPLE_START, level="debug", message="details", trial="t001"),
            TrialEnded(time=SAMPLE_START, trial="t001", status="failed", reason="CUDA out of memory"),
        ]
    )
    levels = [(line.level, line.message) for line in model.log.lines]
    assert levels[1] == ("debug", "details")
    assert levels[2][0] == "error" and "CUDA out of memory" in levels[2][1]


def test_follower_delivers_in_batches_and_waits_until_each_is_taken(tmp_path):
    folder = write_sample_run(tmp_path / "run", finished=True)
    delivered: list[int] = []
    stop, taken = threading.Event(), threading.Event()
    got_one = threading.Event()

    def deliver(events):
        delivered.append(len(events))
        got_one.set()

    thread = threading.Thread(target=follow_events, args=(folder.events_file, deliver), kwargs={"stop": stop, "taken": taken})
    thread.start()
    try:
        assert got_one.wait(5)
        append_events(folder, sample_events(finished=True)[:3])
        assert not taken.wait(0.2) and delivered == [len(sample_events(finished=True))]  # blocked until taken
        taken.set()
        got_one.clear()
        assert got_one.wait(5)
        assert delivered[1] == 3
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()


def test_promote_keeps_comments_drops_the_sweep_and_validates(tmp_path):
    text = promoted_job_text(SAMPLE_JOB, {"model_name": "resnet34", "learning_rate": 0.001})
    assert "# Fridge items: a small sweep over two ResNets." in text
    assert "number_of_epochs: 6   # short: the demo data is small" in text
    assert "search_space" not in text and "sweep:" not in text and "max_trials" not in text
    job = validate_text(text).job
    assert job.training_parameters.model_name == "resnet34" and job.training_parameters.learning_rate == 0.001
    destination = promote_trial(SAMPLE_JOB, {"model_name": "resnet34"}, tmp_path / "best.yml")
    assert read_text(destination).startswith("# Fridge items")
    with pytest.raises(PromoteError, match="exists already"):
        promote_trial(SAMPLE_JOB, {}, destination)
    with pytest.raises(PromoteError, match="would not be valid"):
        promoted_job_text(SAMPLE_JOB, {"learning_rate": -1})
    assert default_promoted_path(tmp_path / "jobs" / "fridge.yml", "t002") == tmp_path / "jobs" / "fridge-t002.yml"


def test_diff_lists_only_differing_parameters(tmp_path):
    folder = write_sample_run(tmp_path / "run")
    differences = differing_params(trial_params(folder, "t001"), trial_params(folder, "t004"))
    assert [(d.key, d.first, d.second) for d in differences] == [
        ("learning_rate", 0.01, 0.001),
        ("model_name", "resnet18", "resnet34"),
    ]
    assert differing_params({"a": 1}, {"b": 1})[0].second == "(not set)"


def test_recent_runs_have_status_from_summary_or_a_live_runner(tmp_path):
    runs = tmp_path / "runs"
    done = write_sample_run(runs / "done")
    write_json_atomic(done.summary_file, {"status": "completed"})
    live = write_sample_run(runs / "live", finished=False)
    write_json_atomic(live.path / "run.json", {"runner_pid": os.getpid()})
    write_sample_run(runs / "killed", finished=False)
    (runs / "not-a-run").mkdir()
    statuses = {run.folder.name: run.status for run in recent_runs(runs)}
    assert statuses == {"done": "completed", "live": "running", "killed": "stopped"}
    assert isinstance(RunFolder(runs / "live").runner_pid(), int)
