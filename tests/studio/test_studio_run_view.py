"""The run view through the real app, fed by a scripted events file (no training):
live updates, filters, cancel, export, promote, diff, attach and the recent runs list."""

from __future__ import annotations

import signal
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from studio_testing import Notifications, wait_for, wait_for_run_view

from engine.runfolder import write_json_atomic
from engine.spec import validate_file
from studio.app import StudioApp
from studio.cli import main as cli_main
from studio.run_model import LogFilter
from studio.sample_run import SAMPLE_START, append_events, sample_events, write_sample_run
from studio.screens.diff import DiffScreen
from studio.screens.prompt import PromptScreen
from studio.widgets.log_pane import LogPane
from studio.widgets.metric_chart import MetricChart
from studio.widgets.run_status import RunStatus
from studio.widgets.trial_details import TrialDetails
from studio.widgets.trials_table import TrialsTable

SIZE = (120, 36)


def at_minute(minute: float):
    return lambda: SAMPLE_START + timedelta(minutes=minute)


def table_cells(screen) -> dict[str, list[str]]:
    table = screen.query_one(TrialsTable)
    return {key.value: [str(getattr(c, "plain", c)) for c in table.get_row(key)] for key in table.rows}


def log_messages(screen) -> list[str]:
    return [strip.text for strip in screen.query_one(LogPane).lines]


@pytest.fixture
def dummy_runner(studio_folder):
    """A process standing in for the runner: alive until signalled."""
    process = subprocess.Popen(["sleep", "60"])
    yield process
    if process.poll() is None:
        process.kill()
    process.wait()


async def test_table_chart_details_log_and_status_follow_the_events_as_they_arrive(studio_folder):
    folder = write_sample_run(Path("runs/live"), events=False)
    story = sample_events(finished=True)
    first_epochs = next(i for i, e in enumerate(story) if e.type == "epoch_ended") + 1
    append_events(folder, story[:first_epochs])
    app = StudioApp(None, run_dir=folder.path, clock=at_minute(1), remember_theme=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_for_run_view(pilot, first_epochs)
        cells = table_cells(screen)
        assert cells["t001"][1:3] == ["t001", "resnet18"] and cells["t001"][3:6] == ["0.2940", "1/6", "running"]
        assert "t003" not in cells
        assert screen.query_one(RunStatus).info.running == 2

        append_events(folder, story[first_epochs:])
        await wait_for(pilot, lambda: screen.model.end_status == "completed")
        await wait_for(pilot, lambda: screen.shows_model)
        cells = table_cells(screen)
        assert cells["t002"][0] == "★" and cells["t002"][3:6] == ["0.7800", "6/6", "completed"]
        assert cells["t003"][5] == "early_terminated"
        status = screen.query_one(RunStatus).info
        assert (status.state, status.done, status.running, status.total) == ("completed", 4, 0, 4)
        assert status.best_trial == "t002" and status.elapsed == 510.0
        assert "run fridge-sweep completed" in log_messages(screen)[-1]
        details = screen.query_one(TrialDetails).render().plain
        assert "epoch" in details and "6/6" in details and "auc_weighted" in details
        chart = screen.query_one(MetricChart).render().plain
        assert "iou per epoch · t001 bright" in chart and "⠉" in chart


async def test_log_filters_by_the_selected_trial_and_by_level(studio_folder):
    folder = write_sample_run(Path("runs/done"))
    app = StudioApp(None, run_dir=folder.path, remember_theme=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_for_run_view(pilot, len(sample_events()))
        everything = log_messages(screen)
        assert any(" t002 " in line for line in everything) and not any(" debug " in line for line in everything)

        await pilot.press("t")  # the selected trial (t001) only, with run-wide lines
        assert screen.log_filter == LogFilter("info", "t001")
        lines = log_messages(screen)
        assert lines and not any(" t002 " in line or " t003 " in line for line in lines)
        assert any("run fridge-sweep completed" in line for line in lines)

        await pilot.press("down")  # the filter follows the cursor
        await wait_for(pilot, lambda: screen.log_filter.trial == "t002")
        await wait_for(pilot, lambda: any(" t002 " in line for line in log_messages(screen)))
        assert not any(" t001 " in line for line in log_messages(screen))

        await pilot.press("l")  # info -> warning
        assert screen.log_filter.min_level == "warning"
        assert [line.split()[1] for line in log_messages(screen)] == ["warning"]
        await pilot.press("l", "l", "l")  # error, critical, then debug: everything
        assert screen.log_filter.min_level == "debug"
        assert any("checkpoint saved" in line for line in log_messages(screen))
        assert screen.query_one(LogPane).border_title == "Log · debug and up · trial t002"


async def test_cancel_trial_asks_then_leaves_a_request_for_the_runner(studio_folder, dummy_runner):
    folder = write_sample_run(Path("runs/live"), finished=False)
    write_json_atomic(folder.path / "run.json", {"runner_pid": dummy_runner.pid})
    app = StudioApp(None, run_dir=folder.path, remember_theme=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_for_run_view(pilot, len(sample_events(finished=False)))
        screen.table.select("t003")
        await pilot.press("x")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen")
        await pilot.press("n")
        assert not (folder.control_folder / "cancel-t003").exists()
        await pilot.press("x")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen")
        await pilot.press("y")
        assert (folder.control_folder / "cancel-t003").exists()
        await wait_for(pilot, lambda: table_cells(screen)["t003"][5] == "cancelling")
        assert dummy_runner.poll() is None  # the run goes on


async def test_cancel_run_sends_sigterm_to_the_runner(studio_folder, dummy_runner):
    folder = write_sample_run(Path("runs/live"), finished=False)
    write_json_atomic(folder.path / "run.json", {"runner_pid": dummy_runner.pid})
    app = StudioApp(None, run_dir=folder.path, remember_theme=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_for_run_view(pilot)
        assert screen.query_one(RunStatus).info.state == "running"
        await pilot.press("X")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen")
        await pilot.press("y")
        await wait_for(pilot, lambda: dummy_runner.poll() is not None)
        assert dummy_runner.returncode == -signal.SIGTERM


async def test_cancel_is_refused_for_a_finished_run(studio_folder):
    folder = write_sample_run(Path("runs/done"))
    notes = Notifications()
    app = StudioApp(None, run_dir=folder.path, remember_theme=False)
    async with app.run_test(size=SIZE, message_hook=notes) as pilot:
        await wait_for_run_view(pilot, len(sample_events()))
        await pilot.press("x", "X")
        await pilot.pause()
        assert notes.any("Trial t001 is not running") and notes.any("The run is not running")
        assert not folder.control_folder.exists()


async def test_attach_shows_a_finished_run(studio_folder):
    folder = write_sample_run(Path("runs/done"))
    app = StudioApp(None, run_dir=folder.path, remember_theme=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_for_run_view(pilot, len(sample_events()))
        assert app.current_mode == "run"
        assert set(table_cells(screen)) == {"t001", "t002", "t003", "t004"}
        assert screen.query_one(RunStatus).info.state == "completed"
        await pilot.press("b")
        assert screen.selected_trial == "t002"
        await pilot.press("f6")  # no editor: says so, stays
        assert app.current_mode == "run"


def test_attach_refuses_a_folder_that_is_not_a_run(studio_folder, capsys):
    assert cli_main(["--attach", "nowhere"]) == 2
    assert "not a run folder" in capsys.readouterr().err


async def test_promote_writes_a_valid_job_that_keeps_the_comments(studio_folder):
    folder = write_sample_run(Path("runs/done"))
    app = StudioApp(None, run_dir=folder.path, remember_theme=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_for_run_view(pilot, len(sample_events()))
        await pilot.press("b", "p")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        expected = studio_folder / "done-t002.yml"
        assert Path(app.screen.default) == expected  # beside where the job's data paths start
        await pilot.press("enter")
        await wait_for(pilot, expected.exists)
        assert screen.is_current
    text = expected.read_text()
    assert text.startswith("# Fridge items: a small sweep over two ResNets.")
    assert "search_space" not in text
    job = validate_file(expected).job
    assert job is not None and job.training_parameters.model_name == "resnet34"


async def test_diff_shows_the_keys_that_differ_between_the_marked_and_selected_trials(studio_folder):
    folder = write_sample_run(Path("runs/done"))
    app = StudioApp(None, run_dir=folder.path, remember_theme=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_for_run_view(pilot, len(sample_events()))
        await pilot.press("m", "down", "down", "down", "d")  # t001 against t004
        await wait_for(pilot, lambda: isinstance(app.screen, DiffScreen))
        assert [(d.key, d.first, d.second) for d in app.screen.differences] == [
            ("learning_rate", 0.01, 0.001),
            ("model_name", "resnet18", "resnet34"),
        ]
        assert "2 parameters differ" in str(app.screen.query_one("#diff-title").render())
        await pilot.press("escape")
        assert app.screen is screen


async def test_export_runs_in_a_worker_and_tells_the_paths(studio_folder, monkeypatch):
    import engine.export

    calls = []

    class Report:
        paths = {"onnx": "runs/done/best_model/model.onnx", "mlflow_model": "runs/done/best_model/mlflow_model"}

    def fake_export(run_dir, *, trial_id=None, destination=None):
        calls.append((Path(run_dir), trial_id, destination))
        return Report()

    monkeypatch.setattr(engine.export, "export_run", fake_export)
    folder = write_sample_run(Path("runs/done"))
    notes = Notifications()
    app = StudioApp(None, run_dir=folder.path, remember_theme=False)
    async with app.run_test(size=SIZE, message_hook=notes) as pilot:
        await wait_for_run_view(pilot, len(sample_events()))
        await pilot.press("down", "e")  # the best trial: where the run exports
        await wait_for(pilot, lambda: notes.any("Exported trial t002"))
        await pilot.press("down", "e")  # a runner-up: beside it, never over the best model
        await wait_for(pilot, lambda: notes.any("Exported trial t003"))
    assert calls == [(folder.path, "t002", None), (folder.path, "t003", folder.path / "exports" / "t003")]
    assert notes.any("runs/done/best_model/model.onnx")


async def test_recent_runs_list_opens_the_chosen_run(studio_folder, job_path):
    write_sample_run(Path("runs/first"))
    app = StudioApp(job_path, remember_theme=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "RunsListScreen")
        await pilot.press("enter")
        screen = await wait_for_run_view(pilot, len(sample_events()))
        assert screen.folder.name == "first"
        await pilot.press("f6")
        assert app.current_mode == "editor"
        await pilot.press("f6")
        assert app.current_mode == "run"


async def test_run_view_actions_are_in_the_command_palette(studio_folder):
    from textual.command import CommandList, CommandPalette

    folder = write_sample_run(Path("runs/done"))
    app = StudioApp(None, run_dir=folder.path, remember_theme=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_for_run_view(pilot, len(sample_events()))
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Mark the selected")
        commands = app.screen.query_one(CommandList)
        await wait_for(pilot, lambda: commands.option_count > 0 and "Mark the selected" in str(commands.get_option_at_index(0).prompt))
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: screen.marked == "t001")


async def test_run_key_refuses_a_job_with_errors(job_path):
    job_path.write_text(job_path.read_text().replace("max_trials: 2", "max_trials: 0"))
    notes = Notifications()
    app = StudioApp(job_path, remember_theme=False)
    async with app.run_test(size=SIZE, message_hook=notes) as pilot:
        await pilot.press("f5")
        await wait_for(pilot, lambda: notes.any("Not started: 1 error"))
        assert app.current_mode == "editor" and not Path("runs").exists()
