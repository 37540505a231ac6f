"""Snapshots of the run view on the scripted sample run: mid-sweep (two trials still
running, a live runner) and after it, in each theme; and the diff and recent-runs lists.

Times on screen come from the events and a fixed clock, so every run draws the same
picture. Regenerate with `pytest tests/studio --snapshot-update` after an intended change.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from studio_testing import wait_for_run_view

from engine.runfolder import write_json_atomic
from studio.app import StudioApp
from studio.sample_run import SAMPLE_START, sample_events, write_sample_run

THEMES = ["studio-dark", "studio-light", "studio-high-contrast"]
SIZE = (120, 36)


def seven_minutes_in():
    return SAMPLE_START + timedelta(minutes=7)


def shown_after(events: int, keys: tuple[str, ...] = ()):
    async def run_before(pilot) -> None:
        await wait_for_run_view(pilot, events)
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("theme", THEMES)
def test_run_view_mid_sweep(snap_compare, studio_folder, theme):
    folder = write_sample_run(Path("runs/fridge-sweep"), finished=False)
    write_json_atomic(folder.path / "run.json", {"runner_pid": os.getpid()})  # a live "runner": this process
    app = StudioApp(None, run_dir=folder.path, theme=theme, remember_theme=False, clock=seven_minutes_in)
    assert snap_compare(app, terminal_size=SIZE, run_before=shown_after(len(sample_events(finished=False)), ("down", "down")))


@pytest.mark.parametrize("theme", THEMES)
def test_run_view_after_the_sweep(snap_compare, studio_folder, theme):
    folder = write_sample_run(Path("runs/fridge-sweep"))
    app = StudioApp(None, run_dir=folder.path, theme=theme, remember_theme=False, clock=seven_minutes_in)
    assert snap_compare(app, terminal_size=SIZE, run_before=shown_after(len(sample_events()), ("b",)))


def test_run_view_in_80x24(snap_compare, studio_folder):
    folder = write_sample_run(Path("runs/fridge-sweep"))
    app = StudioApp(None, run_dir=folder.path, theme="studio-dark", remember_theme=False, clock=seven_minutes_in)
    assert snap_compare(app, terminal_size=(80, 24), run_before=shown_after(len(sample_events())))


def test_diff_of_two_trials(snap_compare, studio_folder):
    folder = write_sample_run(Path("runs/fridge-sweep"))
    app = StudioApp(None, run_dir=folder.path, theme="studio-dark", remember_theme=False, clock=seven_minutes_in)

    async def run_before(pilot) -> None:
        screen = await wait_for_run_view(pilot, len(sample_events()))
        screen.marked = "t001"  # as `m` does, without its passing notification
        await pilot.press("down", "down", "down", "d")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
