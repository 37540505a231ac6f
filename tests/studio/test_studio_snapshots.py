"""Snapshots of the editor: errors shown, key help, completion open, each theme, 80x24.

Fixed size, fixed theme, cursor blink off, a relative file name; the run waits until the
diagnostics on screen are those of the text, so every run draws the same picture.
Regenerate with `pytest tests/studio --snapshot-update` after an intended change.
"""

from __future__ import annotations

import pytest
from studio_testing import JOB, LEARNING_RATE_LINE, wait_for_validation

from studio.app import StudioApp

# Two mistakes: a misspelt key and an out-of-range value.
JOB_WITH_ERRORS = JOB.replace("primary_metric: iou", "primary_metrc: iou").replace("max_trials: 2", "max_trials: 0")
SIZE = (100, 30)


@pytest.fixture
def broken_job(studio_folder):
    (studio_folder / "job.yml").write_text(JOB_WITH_ERRORS)
    return "job.yml"


def prepared(cursor: tuple[int, int] = (5, 0), keys: tuple[str, ...] = ()):
    async def run_before(pilot) -> None:
        editor = pilot.app.editor_screen.editor
        editor.cursor_blink = False
        await wait_for_validation(pilot)
        editor.move_cursor(cursor)
        await pilot.press(*keys)
        await wait_for_validation(pilot)

    return run_before


@pytest.mark.parametrize("theme", ["studio-dark", "studio-light", "studio-high-contrast"])
def test_editor_with_errors(snap_compare, broken_job, theme):
    app = StudioApp(broken_job, theme=theme, remember_theme=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=prepared())


def test_key_help_panel(snap_compare, broken_job):
    app = StudioApp(broken_job, theme="studio-dark", remember_theme=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=prepared((LEARNING_RATE_LINE, 4), ("f2",)))


def test_completion_open(snap_compare, broken_job):
    app = StudioApp(broken_job, theme="studio-dark", remember_theme=False)
    line_end = len("  learning_rate: 0.01")
    assert snap_compare(
        app, terminal_size=SIZE, run_before=prepared((LEARNING_RATE_LINE, line_end), ("enter", "ctrl+space"))
    )


def test_editor_in_80x24(snap_compare, broken_job):
    app = StudioApp(broken_job, theme="studio-dark", remember_theme=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=prepared((5, 0), ("f2",)))
