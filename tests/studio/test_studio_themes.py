"""Themes: chosen on the command line or in the palette, and remembered in config.toml."""

from __future__ import annotations

import tomllib

import pytest

from studio import config
from studio.app import StudioApp, UnknownTheme
from themes import DEFAULT_THEME, studio_themes


def remembered() -> str | None:
    return config.load_settings().theme


def test_three_themes_ship_dark_light_and_high_contrast():
    themes = studio_themes()
    assert {"studio-dark", "studio-light", "studio-high-contrast"} <= set(themes)
    assert themes["studio-dark"].dark and not themes["studio-light"].dark
    assert list(themes)[0] == DEFAULT_THEME
    for theme in themes.values():  # the editor colours its syntax from these
        assert {"yaml-key", "yaml-string", "yaml-comment"} <= set(theme.variables)


async def test_default_theme_without_a_config(job_path):
    app = StudioApp(job_path)
    async with app.run_test(size=(100, 30)):
        assert app.theme == DEFAULT_THEME


async def test_theme_flag_is_used_and_remembered(job_path):
    app = StudioApp(job_path, theme="studio-light")
    async with app.run_test(size=(100, 30)):
        assert app.theme == "studio-light"
    assert remembered() == "studio-light"
    again = StudioApp(job_path)
    async with again.run_test(size=(100, 30)):
        assert again.theme == "studio-light"


def test_unknown_theme_flag_is_an_error_naming_the_choices(job_path):
    with pytest.raises(UnknownTheme, match="studio-dark"):
        StudioApp(job_path, theme="nope")


async def test_theme_from_the_command_palette_is_applied_and_remembered(job_path):
    app = StudioApp(job_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"high-contrast")
        await pilot.pause(0.3)  # the palette searches in a worker
        await app.workers.wait_for_complete()
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "studio-high-contrast"
    assert remembered() == "studio-high-contrast"


async def test_next_theme_key_cycles_and_restyles_the_editor(job_path):
    app = StudioApp(job_path)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = app.editor_screen.editor
        before = editor._theme.syntax_styles["yaml.field"]
        await pilot.press("f10")
        assert app.theme == list(studio_themes())[1]
        await pilot.pause()
        assert editor._theme.syntax_styles["yaml.field"] != before
    assert remembered() == list(studio_themes())[1]


def test_config_keeps_keys_it_does_not_know(studio_folder):
    path = config.config_path()
    path.parent.mkdir(parents=True)
    path.write_text('theme = "studio-dark"\nruns_dir = "/data/runs"\n\n[devices]\ncuda = [0, 1]\n')
    config.remember_theme("studio-light")
    saved = tomllib.loads(path.read_text())
    assert saved == {"theme": "studio-light", "runs_dir": "/data/runs", "devices": {"cuda": [0, 1]}}


def test_a_broken_config_file_gives_the_defaults(studio_folder):
    path = config.config_path()
    path.parent.mkdir(parents=True)
    path.write_text("theme = [unclosed\n")
    assert config.load_settings().theme is None


def test_config_folder_comes_from_the_environment(studio_folder):
    assert config.config_path() == studio_folder / "config" / "config.toml"
