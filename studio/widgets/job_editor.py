"""The job YAML editor: a code `TextArea` that shows diagnostics and validates as you type.

Validation runs in a thread worker after a short pause in typing and posts
`JobEditor.Validated`; the screen decides what to show (the worker never touches a
widget). Diagnostics are drawn three ways: the offending span styled (`get_line`), a
marker in the gutter (an extra gutter column filled in `_render_line`), and the message
of the cursor line in the status line (the screen's job).
"""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path
from typing import Optional

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.message import Message
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import TextArea
from textual.widgets.text_area import TextAreaTheme

from engine.spec import Diagnostic, ValidationResult, validate_text

from ..yaml_context import line_shape

VALIDATION_DELAY = 0.03
"""Debounce, in seconds. The first edit after a pause validates at once (nothing to wait
for); edits that follow within this delay validate once, this long after the last of
them, so a burst of typing costs two validations, not one per key."""

_SYNTAX_VARIABLES = {
    # tree-sitter highlight name -> theme variable (themes/ defines them; the app has fallbacks)
    "yaml.field": "yaml-key",
    "string": "yaml-string",
    "number": "yaml-number",
    "float": "yaml-number",
    "boolean": "yaml-boolean",
    "constant.builtin": "yaml-boolean",
    "comment": "yaml-comment",
    "type": "yaml-comment",
    "punctuation.delimiter": "yaml-punctuation",
    "punctuation.special": "yaml-punctuation",
    "punctuation.bracket": "yaml-punctuation",
}
SYNTAX_THEME = "studio-syntax"


def yaml_language() -> Optional[str]:
    """`yaml` when tree-sitter's YAML grammar is installed; plain text (no colours) otherwise."""
    try:
        import tree_sitter  # noqa: F401
        import tree_sitter_yaml  # noqa: F401
    except ImportError:
        return None
    return "yaml"


class JobEditor(TextArea):
    COMPONENT_CLASSES = TextArea.COMPONENT_CLASSES | {
        "job-editor--error",
        "job-editor--warning",
        "job-editor--error-marker",
        "job-editor--warning-marker",
    }

    class Validated(Message):
        """A validation finished; `version` says which text it was for."""

        def __init__(self, editor: "JobEditor", version: int, result: ValidationResult) -> None:
            super().__init__()
            self.editor = editor
            self.version = version
            self.result = result

    def __init__(self, text: str = "", *, base_dir: Optional[Path] = None, **kwargs) -> None:
        super().__init__(
            text, language=yaml_language(), soft_wrap=False, tab_behavior="indent", show_line_numbers=True, **kwargs
        )
        self.indent_width = 2
        self.base_dir = base_dir
        self.text_version = 0
        """Counts edits; a validation result for an older version is stale."""
        self.diagnostics_version = -1
        """The text version whose diagnostics are shown."""
        self._diagnostics: list[Diagnostic] = []
        self._by_line: dict[int, list[Diagnostic]] = {}
        self._pending: Optional[Timer] = None
        self._last_edit = 0.0

    # -- validation ----------------------------------------------------------------

    def on_mount(self) -> None:
        self._apply_syntax_theme()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._apply_syntax_theme())
        self.validate_now()

    def _on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.text_version += 1
        now, quiet_since = time.monotonic(), self._last_edit
        self._last_edit = now
        if self._pending is not None:
            self._pending.stop()
        if now - quiet_since > VALIDATION_DELAY:
            self.validate_now()
        else:
            self._pending = self.set_timer(VALIDATION_DELAY, self.validate_now)

    def validate_now(self) -> None:
        self._pending = None
        self._validate(self.text, self.text_version)

    @work(thread=True, exclusive=True, group="validation", name="validate job")
    def _validate(self, text: str, version: int) -> None:
        result = validate_text(text, base_dir=self.base_dir)
        self.post_message(self.Validated(self, version, result))

    # -- diagnostics -----------------------------------------------------------------

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return list(self._diagnostics)

    def show_diagnostics(self, diagnostics: list[Diagnostic], version: int) -> None:
        self._diagnostics = list(diagnostics)
        by_line: dict[int, list[Diagnostic]] = defaultdict(list)
        for diagnostic in diagnostics:
            for line in range(diagnostic.span.line, diagnostic.span.end_line + 1):
                by_line[line].append(diagnostic)
        self._by_line = dict(by_line)
        self.diagnostics_version = version
        self.notify_style_update()  # the line cache would keep the old styling otherwise
        self.refresh()

    def diagnostics_on_line(self, line: int) -> list[Diagnostic]:
        return self._by_line.get(line, [])

    def go_to(self, diagnostic: Diagnostic) -> None:
        line = min(diagnostic.span.line, self.document.line_count - 1)
        column = min(diagnostic.span.column, len(self.document.get_line(line)))
        self.move_cursor((line, column), center=True)
        self.focus()

    # -- drawing ---------------------------------------------------------------------

    @property
    def gutter_width(self) -> int:
        # One more column than TextArea's, on the left, for the problem marker.
        width = super().gutter_width
        return width + 1 if width else 0

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        for diagnostic in self._by_line.get(line_index, ()):
            span = diagnostic.span
            start = span.column if span.line == line_index else 0
            end = span.end_column if span.end_line == line_index else len(line)
            if end <= start:  # a point at the end of a line: mark the last character
                start, end = max(0, start - 1), max(start, 1)
            line.stylize(self._span_style(diagnostic), start, end)
        return line

    def _render_line(self, y: int) -> Strip:
        strip = super()._render_line(y)
        line_index = y + self.scroll_offset.y  # soft wrap is off: one row per line
        problems = self._by_line.get(line_index)
        if not problems or not self.show_line_numbers or line_index >= self.document.line_count:
            return strip
        worst = "error" if any(d.is_error for d in problems) else "warning"
        marker_style = self.get_component_rich_style(f"job-editor--{worst}-marker")
        return Strip.join([Strip([Segment("▍", marker_style)], 1), strip.crop(1)])

    def _span_style(self, diagnostic: Diagnostic) -> Style:
        return self.get_component_rich_style(f"job-editor--{diagnostic.severity}", partial=True)

    def _apply_syntax_theme(self) -> None:
        """Syntax colours from the app theme's variables, so every theme colours the code."""
        variables = self.app.get_css_variables()
        styles = {}
        for name, variable in _SYNTAX_VARIABLES.items():
            if variables.get(variable):
                styles[name] = Style(color=variables[variable], italic=name == "comment")
        self.register_theme(TextAreaTheme(SYNTAX_THEME, syntax_styles=styles))
        self.theme = SYNTAX_THEME

    # -- typing ----------------------------------------------------------------------

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter" and not self.read_only:
            # Keep the indentation, one level deeper after `key:` or a `- ` item.
            event.stop()
            event.prevent_default()
            row, column = self.cursor_location
            before = self.document.get_line(row)[:column]
            self._replace_via_keyboard("\n" + " " * next_line_indent(before), *self.selection)
            return
        await super()._on_key(event)


def next_line_indent(before: str) -> int:
    """Where a new line starts: under the current key, one level deeper after `key:`."""
    if not before.strip():
        return len(before)
    shape = line_shape(before)
    if shape.key is not None and before.rstrip().endswith(":"):
        return shape.content + 2
    return shape.content
