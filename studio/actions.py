"""Every action a user can bind, in one place.

The registry feeds the key bindings (`bindings_for`), the footer (through those
bindings), the keys screen and the command palette, so a new action is one line here
plus its `action_*` method. Binding ids (`editor.save`) let `App.set_keymap` remap keys.
Scopes: `app` actions work everywhere; `editor` actions belong to the editor screen, `run`
actions to the run view.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class StudioAction:
    id: str
    """Stable binding id, `scope.name`; what keymaps refer to."""
    action: str
    """The Textual action run, on the scope's namespace (the app, or the screen)."""
    keys: str
    """Comma-separated keys; the first one is shown."""
    description: str
    footer: bool = True
    priority: bool = False
    """Priority bindings win over the focused widget (the editor would otherwise eat them)."""
    short: str = ""
    """The footer's label, where the description is too long for it."""

    @property
    def scope(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def key_display(self) -> str:
        return self.keys.split(",")[0].replace("ctrl+", "^").replace("question_mark", "?")


ACTIONS: tuple[StudioAction, ...] = (
    StudioAction("app.keys", "show_keys", "f1,question_mark", "Keys"),
    StudioAction("app.quit", "quit", "ctrl+q", "Quit", priority=True),
    StudioAction("app.palette", "command_palette", "ctrl+p", "Commands", footer=False),
    StudioAction("app.next_theme", "next_theme", "f10", "Next theme", footer=False),
    StudioAction("app.screenshot", "screenshot", "f12", "Save an SVG screenshot", footer=False),
    StudioAction("app.switch_view", "switch_view", "f6", "Switch between the editor and the run view", short="Editor/run", footer=False, priority=True),
    StudioAction("app.recent_runs", "recent_runs", "f7", "Recent runs", footer=False, priority=True),
    StudioAction("editor.run", "run_job", "f5", "Run the job (validate, save, start)", short="Run", priority=True),
    StudioAction("editor.save", "save", "ctrl+s", "Save", priority=True),
    StudioAction("editor.complete", "complete", "ctrl+space,ctrl+@", "Complete", priority=True),
    StudioAction("editor.field_help", "toggle_field_help", "f2", "Explain key"),
    StudioAction("editor.problems", "toggle_problems_focus", "f4", "Go to problems", footer=False),
    StudioAction("editor.next_problem", "next_problem", "f8", "Next problem", footer=False),
    StudioAction("editor.previous_problem", "previous_problem", "shift+f8", "Previous problem", footer=False),
    StudioAction("editor.reload", "reload", "ctrl+r", "Reload from disk", footer=False, priority=True),
    StudioAction("run.cancel_trial", "cancel_trial", "x", "Cancel the selected trial", short="Cancel trial"),
    StudioAction("run.cancel_run", "cancel_run", "X", "Cancel the whole run", short="Cancel run"),
    StudioAction("run.export", "export_trial", "e", "Export the selected trial", short="Export"),
    StudioAction("run.promote", "promote_trial", "p", "Promote the selected trial to a job file", short="Promote"),
    StudioAction("run.mark", "mark_trial", "m", "Mark the selected trial for a diff", short="Mark", footer=False),
    StudioAction("run.diff", "diff_trials", "d", "Diff parameters with the marked trial", short="Diff", footer=False),
    StudioAction("run.best", "select_best", "b", "Go to the best trial", footer=False),
    StudioAction("run.log_level", "log_level", "l", "Log: next minimum level", short="Log level"),
    StudioAction("run.log_trial", "log_trial", "t", "Log: the selected trial only, or all", footer=False),
)


def actions_in(scope: str) -> list[StudioAction]:
    return [action for action in ACTIONS if action.scope == scope]


def bindings_for(scope: str) -> list[Binding]:
    return [
        Binding(a.keys, a.action, a.short or a.description, show=a.footer, priority=a.priority, id=a.id, key_display=None)
        for a in actions_in(scope)
    ]
