"""The studio application: themes, modes and app-wide actions. Screens do the work.

Modes: `editor` (the job file) and `run` (the run view of one run folder), each with its
own screen stack, so switching between editing and watching keeps both as they were.
`automl-studio --attach RUN_DIR` opens the run view alone, with no job in the editor.
Nothing here stops a run: the runner lives in its own session.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from textual import on
from textual.app import App

from engine.runfolder import RunFolder, default_run_folder
from themes import DEFAULT_THEME, studio_themes, studio_variable_defaults

from . import config
from .actions import bindings_for
from .commands import StudioCommands
from .job_file import JobFile
from .run_launcher import LaunchedRun, launch_run
from .screens.confirm import ConfirmScreen
from .screens.editor import EditorScreen
from .screens.help import HelpScreen
from .screens.run import Clock, RunScreen, utc_now
from .screens.runs_list import RunsListScreen

EDITOR_MODE, RUN_MODE = "editor", "run"


class UnknownTheme(ValueError):
    pass


class StudioApp(App):
    CSS_PATH = "studio.tcss"
    TITLE = "automl-studio"
    BINDINGS = bindings_for("app")
    COMMANDS = App.COMMANDS | {StudioCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    def __init__(
        self,
        job_path: Optional[Path | str],
        *,
        run_dir: Optional[Path | str] = None,
        theme: Optional[str] = None,
        remember_theme: bool = True,
        clock: Clock = utc_now,
    ) -> None:
        """`job_path` opens the editor; `run_dir` (with or without a job) opens the run view on it.
        `clock` gives the run view's "now" (tests fix it)."""
        super().__init__()
        self.job_file = JobFile(job_path) if job_path is not None else None
        self.initial_run = RunFolder(run_dir) if run_dir is not None else None
        self.clock = clock
        self.has_run_view = False
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
        if self.job_file is not None:
            self.install_screen(EditorScreen(self.job_file), EDITOR_MODE)
            self.add_mode(EDITOR_MODE, EDITOR_MODE)
        if self.initial_run is not None:
            self.open_run(self.initial_run)
        else:
            self.switch_mode(EDITOR_MODE)
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme) -> None:
        if self.remember_theme:
            config.remember_theme(theme.name)

    @property
    def editor_screen(self) -> EditorScreen:
        return self.get_screen(EDITOR_MODE)  # type: ignore[return-value]

    @property
    def run_screen(self) -> Optional[RunScreen]:
        """The run view's screen, when a run is open."""
        if not self.has_run_view:
            return None
        stack = self._screen_stacks.get(RUN_MODE) or []
        return next((screen for screen in stack if isinstance(screen, RunScreen)), None)

    # -- runs ------------------------------------------------------------------------------

    @on(EditorScreen.RunRequested)
    def start_run(self, request: EditorScreen.RunRequested) -> None:
        """Launch the saved job in a runner of its own and watch it in the run view."""
        folder = default_run_folder(request.job_name)
        try:
            launched = launch_run(request.job_path, folder)
        except OSError as error:
            self.notify(f"Could not start the run: {error}", severity="error")
            return
        self.notify(f"Started {folder.path}", timeout=3)
        self.open_run(folder, launched=launched, origin_job=request.job_path)

    def open_run(self, folder: RunFolder, *, launched: Optional[LaunchedRun] = None, origin_job: Optional[Path] = None) -> None:
        """Show `folder` in the run view, replacing the run shown before (which goes on)."""
        screen = RunScreen(folder, launched=launched, origin_job=origin_job, clock=self.clock)
        if self.has_run_view and self.current_mode == RUN_MODE:
            self.switch_screen(screen)
            return
        if self.has_run_view:
            self.remove_mode(RUN_MODE)
        self.add_mode(RUN_MODE, lambda: screen)
        self.has_run_view = True
        self.switch_mode(RUN_MODE)

    def action_switch_view(self) -> None:
        if self.current_mode == RUN_MODE:
            if self.job_file is None:
                self.notify("No job is open in the editor (the studio was opened on a run folder)", timeout=3)
            else:
                self.switch_mode(EDITOR_MODE)
        elif self.has_run_view:
            self.switch_mode(RUN_MODE)
        else:
            self.notify("No run yet: F5 runs the job, F7 lists recent runs", timeout=3)

    def action_recent_runs(self) -> None:
        def chosen(folder: Optional[RunFolder]) -> None:
            if folder is not None:
                self.open_run(folder)

        if not isinstance(self.screen, RunsListScreen):
            self.push_screen(RunsListScreen(), chosen)

    async def action_quit(self) -> None:
        if isinstance(self.screen, ConfirmScreen):
            return  # already asking
        if self.job_file is None:
            self.exit()
        else:
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
