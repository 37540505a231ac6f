"""The editor screen: the job YAML, its problems, help for the key under the cursor.

The screen owns every state change: the editor validates in a worker and posts
`JobEditor.Validated`; handlers here show the result in the editor, the problems panel
and the status line. Saving, reloading and the disk watch go through `JobFile`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, TextArea

from engine.spec import validate_text

from ..actions import bindings_for
from ..completions import Completion, completions_at
from ..field_help import help_for
from ..job_file import JobFile
from ..widgets.completion import CompletionMenu
from ..widgets.help_panel import FieldHelpPanel
from ..widgets.job_editor import JobEditor
from ..widgets.problems_panel import ProblemsPanel
from ..widgets.status_line import EditorStatus, StatusLine
from ..yaml_context import cursor_context, key_path_at
from .confirm import RELOAD_CHOICES, UNSAVED_CHOICES, ConfirmScreen

DISK_CHECK_SECONDS = 1.0


class EditorScreen(Screen):
    ACTION_SCOPE = "editor"
    BINDINGS = bindings_for(ACTION_SCOPE)

    class RunRequested(Message):
        """The job is valid and saved: the app starts it."""

        def __init__(self, job_path: Path, job_name: Optional[str]) -> None:
            super().__init__()
            self.job_path, self.job_name = job_path, job_name

    def __init__(self, job_file: JobFile, **kwargs) -> None:
        super().__init__(**kwargs)
        self.job_file = job_file
        self.saved_text = ""
        """The text as last loaded or saved: the editor differs from it when there are unsaved edits."""
        self.new_file = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="editor-body"):
            yield JobEditor(base_dir=self.job_file.base_dir, id="job-editor")
            yield FieldHelpPanel(id="field-help")
        yield ProblemsPanel(id="problems")
        yield StatusLine(id="status-line")
        yield Footer()
        yield CompletionMenu(id="completion")

    @property
    def editor(self) -> JobEditor:
        return self.query_one(JobEditor)

    def on_mount(self) -> None:
        self.new_file = not self.job_file.exists
        self._load(self.job_file.load())
        self.query_one(CompletionMenu).display = False
        self.set_interval(DISK_CHECK_SECONDS, self.check_disk, name="disk watch")
        self.editor.focus()

    def _load(self, text: str) -> None:
        self.saved_text = text
        cursor = self.editor.cursor_location
        self.editor.load_text(text)
        self.editor.move_cursor(cursor)
        self._update_status()

    @property
    def has_unsaved_changes(self) -> bool:
        return self.is_mounted and self.editor.text != self.saved_text

    # -- validation results ------------------------------------------------------------

    @on(JobEditor.Validated)
    def _validated(self, event: JobEditor.Validated) -> None:
        if event.version != self.editor.text_version:
            return  # the text changed since; a newer validation is on its way
        diagnostics = event.result.diagnostics
        self.editor.show_diagnostics(diagnostics, event.version)
        self.query_one(ProblemsPanel).show(diagnostics)
        self._update_status()

    @on(TextArea.Changed)
    @on(TextArea.SelectionChanged)
    def _cursor_or_text_changed(self) -> None:
        self._update_status()
        if self.query_one(FieldHelpPanel).display:
            self._update_field_help()

    def _update_status(self) -> None:
        editor = self.editor
        row, _ = editor.cursor_location
        on_line = editor.diagnostics_on_line(row)
        problem = next((d for d in on_line if d.is_error), on_line[0] if on_line else None)
        errors = sum(d.is_error for d in editor.diagnostics)
        status = EditorStatus(
            file_name=self.job_file.display_name,
            modified=self.has_unsaved_changes,
            new_file=self.new_file,
            cursor=editor.cursor_location,
            problem=problem,
            errors=errors,
            warnings=len(editor.diagnostics) - errors,
        )
        self.query_one(StatusLine).show(status)

    def _update_field_help(self) -> None:
        editor = self.editor
        row, column = editor.cursor_location
        path = key_path_at(editor.text, row, column)
        data = cursor_context(editor.text, row, column).data
        self.query_one(FieldHelpPanel).show_help(help_for(path, data), path)

    # -- problems ------------------------------------------------------------------------

    @on(ProblemsPanel.ProblemChosen)
    def _problem_chosen(self, event: ProblemsPanel.ProblemChosen) -> None:
        self.editor.go_to(event.diagnostic)

    def action_next_problem(self, step: int = 1) -> None:
        diagnostics = self.editor.diagnostics
        if not diagnostics:
            self.notify("No problems", timeout=2)
            return
        here = self.editor.cursor_location
        positions = [(d.span.line, d.span.column) for d in diagnostics]
        if step > 0:
            index = next((i for i, p in enumerate(positions) if p > here), 0)
        else:
            index = next((i for i in reversed(range(len(positions))) if positions[i] < here), len(positions) - 1)
        self.query_one(ProblemsPanel).highlighted = index
        self.editor.go_to(diagnostics[index])

    def action_previous_problem(self) -> None:
        self.action_next_problem(-1)

    def action_toggle_problems_focus(self) -> None:
        problems = self.query_one(ProblemsPanel)
        if problems.has_focus:
            self.editor.focus()
        else:
            problems.display = True
            problems.focus()

    def action_toggle_field_help(self) -> None:
        panel = self.query_one(FieldHelpPanel)
        panel.display = not panel.display
        if panel.display:
            self._update_field_help()
        # The editor's width changed; a horizontal scrollbar may now cover the cursor's row.
        self.call_after_refresh(self.editor.scroll_cursor_visible)

    # -- completion ----------------------------------------------------------------------

    def action_complete(self) -> None:
        self.editor.focus()
        self._open_completions(explicit=True)

    def _open_completions(self, explicit: bool) -> None:
        editor, menu = self.editor, self.query_one(CompletionMenu)
        row, column = editor.cursor_location
        _, completions = completions_at(editor.text, row, column)
        if not completions:
            menu.close()
            editor.focus()
            if explicit:
                self.notify("Nothing to complete here", timeout=2)
            return
        menu.open(completions, editor.cursor_screen_offset, tuple(self.size))

    @on(CompletionMenu.Chosen)
    def _completion_chosen(self, event: CompletionMenu.Chosen) -> None:
        self.insert_completion(event.completion)

    def insert_completion(self, completion: Completion) -> None:
        editor = self.editor
        row, column = editor.cursor_location
        context = cursor_context(editor.text, row, column)
        line = editor.document.get_line(row)
        end = column + _word_length(line[column:])
        editor.replace(completion.insert, (row, context.prefix_start), (row, end))
        if completion.kind == "key" and completion.insert.endswith(": "):
            self._open_completions(explicit=False)  # straight on to the value, when it has choices
        else:
            editor.focus()

    @on(CompletionMenu.Closed)
    def _completion_closed(self) -> None:
        self.editor.focus()

    @on(CompletionMenu.Typed)
    def _typed_in_menu(self, event: CompletionMenu.Typed) -> None:
        editor = self.editor
        if event.character is None:
            editor.action_delete_left()
        else:
            editor.insert(event.character)
        still_a_word = event.character is None or event.character.isalnum() or event.character in "_$"
        if still_a_word:
            self._open_completions(explicit=False)
        else:
            self.query_one(CompletionMenu).close()
            editor.focus()

    # -- files ---------------------------------------------------------------------------

    def action_save(self) -> bool:
        text = self.editor.text
        try:
            self.job_file.save(text)
        except OSError as error:
            self.notify(f"Could not save {self.job_file.display_name}: {error.strerror or error}", severity="error")
            return False
        self.saved_text = text
        self.new_file = False
        self._update_status()
        errors = sum(d.is_error for d in self.editor.diagnostics)
        note = f" ({errors} errors remain)" if errors else ""
        self.notify(f"Saved {self.job_file.display_name}{note}", timeout=2)
        return True

    def action_run_job(self) -> None:
        """Validate, save and ask the app to start the job."""
        result = validate_text(self.editor.text, base_dir=self.job_file.base_dir)
        errors = [d for d in result.diagnostics if d.is_error]
        if errors or result.job is None:
            count = len(errors)
            self.notify(f"Not started: {count} error{'' if count == 1 else 's'} in the job (F8 goes to them)", severity="error")
            if errors:
                self.editor.go_to(errors[0])
            return
        if self.action_save():
            self.post_message(self.RunRequested(self.job_file.path, result.job.name))

    def action_reload(self) -> None:
        if not self.job_file.exists:
            self.notify(f"{self.job_file.display_name} is not on disk yet", timeout=2)
            return
        if self.has_unsaved_changes:
            self._ask_reload("Reload from disk? Your unsaved edits would be lost.")
        else:
            self._reload()

    def check_disk(self) -> None:
        """Called by the disk-watch timer: pick up changes someone else saved."""
        if not self.job_file.changed_on_disk():
            return
        if not self.job_file.exists:
            self.job_file.acknowledge_disk_state()
            self.notify(f"{self.job_file.display_name} was deleted on disk; save to write it again", severity="warning")
        elif self.has_unsaved_changes:
            self.job_file.acknowledge_disk_state()  # ask once per change, not every second
            self._ask_reload(f"{self.job_file.display_name} changed on disk. Reload it?")
        else:
            self._reload()
            self.notify(f"Reloaded {self.job_file.display_name}: it changed on disk", timeout=3)

    def _ask_reload(self, question: str) -> None:
        def answered(choice: Optional[str]) -> None:
            if choice == "reload":
                self._reload()

        self.app.push_screen(ConfirmScreen(question, RELOAD_CHOICES), answered)

    def _reload(self) -> None:
        self.new_file = False
        self._load(self.job_file.load())

    def confirm_discard(self, proceed: Callable[[], None]) -> None:
        """Run `proceed` when there is nothing unsaved, or the user saved or discarded it."""
        if not self.has_unsaved_changes:
            proceed()
            return

        def answered(choice: Optional[str]) -> None:
            if choice == "discard" or (choice == "save" and self.action_save()):
                proceed()

        question = f"{self.job_file.display_name} has unsaved changes."
        self.app.push_screen(ConfirmScreen(question, UNSAVED_CHOICES), answered)


def _word_length(rest: str) -> int:
    """Length of the rest of the word the cursor is in (a completion replaces all of it)."""
    length = 0
    while length < len(rest) and (rest[length].isalnum() or rest[length] in "_$"):
        length += 1
    return length
