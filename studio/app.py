"""The studio application: themes, modes and app-wide actions. Screens do the work.

Modes: `editor` now; issue 8 adds `run` beside it (`add_mode`), each with its own screen
stack, so switching between editing and watching keeps both as they were.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from textual.app import App

from themes import DEFAULT_THEME, studio_themes, studio_variable_defaults

from . import config
from .actions import bindings_for
from .commands import StudioCommands
from .job_file import JobFile
from .screens.confirm import ConfirmScreen
from .screens.editor import EditorScreen
from .screens.help import HelpScreen


class UnknownTheme(ValueError):
    pass


class StudioApp(App):
    CSS_PATH = "studio.tcss"
    TITLE = "automl-studio"
    BINDINGS = bindings_for("app")
    COMMANDS = App.COMMANDS | {StudioCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    def __init__(self, job_path: Path | str, *, theme: Optional[str] = None, remember_theme: bool = True) -> None:
        super().__init__()
        self.job_file = JobFile(job_path)
        self.remember_theme = remember_theme
        for studio_theme in studio_themes().values():
            self.register_theme(studio_theme)
        chosen = theme or config.load_settings().theme or DEFAULT_THEME
        if chosen not in self.available_themes:
            if theme:  # the user asked for it on the command line: say so
                raise UnknownTheme(f"unknown theme '{theme}': choose one of {', '.join(self.studio_theme_names)}")
            chosen = DEFAULT_THEME  # a stale name in the config file is not worth an error
        self.theme = chosen
        if theme and remember_theme:
            config.remember_theme(theme)

    @property
    def studio_theme_names(self) -> list[str]:
        return list(studio_themes())

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return studio_variable_defaults(self.current_theme)

    def on_mount(self) -> None:
        self.install_screen(EditorScreen(self.job_file), "editor")
        self.add_mode("editor", "editor")
        self.switch_mode("editor")
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme) -> None:
        if self.remember_theme:
            config.remember_theme(theme.name)

    @property
    def editor_screen(self) -> EditorScreen:
        return self.get_screen("editor")  # type: ignore[return-value]

    async def action_quit(self) -> None:
        if isinstance(self.screen, ConfirmScreen):
            return  # already asking
        self.editor_screen.confirm_discard(self.exit)

    def action_show_keys(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_next_theme(self) -> None:
        names = self.studio_theme_names
        index = names.index(self.theme) + 1 if self.theme in names else 0
        self.theme = names[index % len(names)]
        self.notify(f"Theme: {self.theme}", timeout=2)

    def action_screenshot(self) -> None:
        path = self.save_screenshot()
        self.notify(f"Saved {path}", timeout=3)
