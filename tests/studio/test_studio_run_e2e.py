"""End to end: the studio starts a real (tiny) run from the editor and watches it to
the exported best model. The runner is a separate process in its own session."""

from __future__ import annotations

import pytest
from studio_testing import wait_for, wait_for_validation

from studio.app import StudioApp
from studio.widgets.run_status import RunStatus

RUN_TIMEOUT_SECONDS = 240


@pytest.mark.slow
async def test_run_from_the_editor_to_the_exported_best_trial(studio_folder, make_job):
    job = make_job("studio-e2e", max_trials=1)
    app = StudioApp(job, remember_theme=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_validation(pilot)
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.run_screen is not None and app.current_mode == "run")
        screen = app.run_screen
        assert screen.launched is not None and screen.folder.path.parent.name == "runs"
        await wait_for(pilot, lambda: screen.model.end_status is not None, timeout=RUN_TIMEOUT_SECONDS)
        onnx = screen.folder.best_model_folder / "model.onnx"
        await wait_for(pilot, lambda: screen.query_one(RunStatus).info.state == screen.model.end_status)
        runner_log = (screen.folder.path / "runner.log").read_text()
        assert screen.model.end_status == "completed", runner_log
        assert onnx.is_file()
        assert screen.model.exports["onnx"].endswith("model.onnx")
        [trial] = screen.model.trials.values()
        assert trial.status == "completed" and trial.id == screen.model.best_trial
        assert screen.query_one(RunStatus).info.done == 1
        await wait_for(pilot, lambda: screen.launched.exit_code() is not None, timeout=60)  # interpreter teardown
        assert screen.launched.exit_code() == 0
