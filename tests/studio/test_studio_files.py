"""Saving, the unsaved-changes guard, new files from the template, reloading from disk."""

from __future__ import annotations

import os
from pathlib import Path

from studio_testing import JOB, LEARNING_RATE_LINE, wait_for, wait_for_validation

from engine.spec import validate_text
from studio.app import StudioApp
from studio.screens.confirm import ConfirmScreen
from studio.widgets.status_line import StatusLine
from studio.template import JOB_TEMPLATE


async def type_at_end_of(pilot, line: int, keys: str) -> None:
    editor = pilot.app.editor_screen.editor
    editor.move_cursor((line, len(editor.document.get_line(line))))
    await pilot.press(*keys)


async def test_save_writes_the_text_as_typed_with_its_comments(job_path):
    app = StudioApp(job_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_validation(pilot)
        await type_at_end_of(pilot, LEARNING_RATE_LINE, "5")
        assert app.editor_screen.has_unsaved_changes
        await pilot.press("ctrl+s")
        assert not app.editor_screen.has_unsaved_changes
    saved = job_path.read_text()
    assert saved == JOB.replace("learning_rate: 0.01", "learning_rate: 0.015")
    assert "# Fridge items: which items are in the picture?" in saved
    assert "primary_metric: iou   # Azure's default for this task" in saved
    assert not [p for p in Path().iterdir() if p.name.endswith(".tmp")]  # the atomic save cleaned up


async def test_quit_with_unsaved_edits_asks_first_and_cancel_keeps_editing(job_path):
    app = StudioApp(job_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await type_at_end_of(pilot, LEARNING_RATE_LINE, "5")
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("c")
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.is_running and app.editor_screen.has_unsaved_changes
    assert job_path.read_text() == JOB


async def test_quit_guard_can_save_then_quit(job_path):
    app = StudioApp(job_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await type_at_end_of(pilot, LEARNING_RATE_LINE, "5")
        await pilot.press("ctrl+q")
        await pilot.press("s")
        await wait_for(pilot, lambda: app._exit)
    assert "learning_rate: 0.015" in job_path.read_text()


async def test_quit_guard_can_discard_then_quit(job_path):
    app = StudioApp(job_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await type_at_end_of(pilot, LEARNING_RATE_LINE, "5")
        await pilot.press("ctrl+q")
        await pilot.press("d")
        await wait_for(pilot, lambda: app._exit)
    assert job_path.read_text() == JOB


async def test_quit_without_edits_does_not_ask(job_path):
    app = StudioApp(job_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: app._exit)
        assert not isinstance(app.screen, ConfirmScreen)


async def test_a_missing_file_starts_from_the_template_and_is_created_on_save():
    path = Path("new-job.yml")
    app = StudioApp(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_validation(pilot)
        assert app.editor_screen.editor.text == JOB_TEMPLATE
        assert "(new)" in app.screen.query_one(StatusLine).right_part().plain
        assert not [d for d in app.editor_screen.editor.diagnostics if d.is_error]
        await pilot.press("ctrl+s")
    assert path.read_text() == JOB_TEMPLATE


def test_the_template_is_a_valid_commented_job():
    result = validate_text(JOB_TEMPLATE)
    assert result.ok, result.errors
    assert JOB_TEMPLATE.count("\n#") >= 5


def _write_elsewhere(path: Path, text: str) -> None:
    """Another program saves the file (the mtime moves on even within one clock tick)."""
    stamp = path.stat().st_mtime_ns
    path.write_text(text)
    os.utime(path, ns=(stamp + 1_000_000_000, stamp + 1_000_000_000))


async def test_a_file_changed_on_disk_reloads_when_there_are_no_edits(job_path):
    app = StudioApp(job_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_validation(pilot)
        _write_elsewhere(job_path, JOB.replace("max_trials: 2", "max_trials: 9"))
        app.editor_screen.check_disk()  # what the disk-watch timer calls
        assert "max_trials: 9" in app.editor_screen.editor.text
        assert not app.editor_screen.has_unsaved_changes


async def test_a_file_changed_on_disk_asks_before_dropping_edits(job_path):
    app = StudioApp(job_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await type_at_end_of(pilot, LEARNING_RATE_LINE, "5")
        _write_elsewhere(job_path, JOB.replace("max_trials: 2", "max_trials: 9"))
        app.editor_screen.check_disk()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("k")  # keep my edits
        editor = app.editor_screen.editor
        assert "0.015" in editor.text and "max_trials: 9" not in editor.text
        app.editor_screen.check_disk()  # asked once per change, not every second
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)

        _write_elsewhere(job_path, JOB.replace("max_trials: 2", "max_trials: 8"))
        app.editor_screen.check_disk()
        await pilot.pause()
        await pilot.press("r")
        assert "max_trials: 8" in editor.text and not app.editor_screen.has_unsaved_changes
