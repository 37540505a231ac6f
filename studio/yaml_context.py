"""What the cursor is on in a job file: a key or a value, and at which key path.

Completion and help run while the user is typing, when the YAML is often not valid
(`lea` with no colon yet), so the context is read from indentation, `- ` list markers and
`key:` prefixes line by line, not from a parser. The parsed document is used only as a
hint (which member of a `type`-tagged union a mapping is), when the text parses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal, Optional

from engine.spec import parse_document

# `key:` at the start of a line's content, followed by a space or the end of the line.
_KEY = re.compile(r"""(?P<key>"[^"]*"|'[^']*'|[^\s#'"\[\]{},:-][^:#]*?|-[^\s:#][^:#]*?)\s*:(?=\s|$)""")
_WORD = re.compile(r"[^\s:\[\],{}]*$")


@dataclass(frozen=True)
class LineShape:
    """One line of YAML as far as structure goes."""

    indent: int
    """Column of the first character that is not a space."""
    dashes: tuple[int, ...]
    """Columns of the `- ` list item markers that open the line."""
    content: int
    """Column where the content after the markers starts."""
    key: Optional[str]
    colon: Optional[int]
    """Column of the key's colon."""
    blank: bool
    """Blank or comment only: says nothing about structure."""


def line_shape(line: str) -> LineShape:
    stripped = line.lstrip(" ")
    indent = len(line) - len(stripped)
    blank = not stripped.strip() or stripped.startswith("#")
    column, dashes = indent, []
    while line[column:column + 2] == "- " or line[column:].rstrip() == "-":
        dashes.append(column)
        column += 1
        while column < len(line) and line[column] == " ":
            column += 1
    match = _KEY.match(line, column)
    key = match.group("key").strip("'\"") if match else None
    colon = match.end() - 1 if match else None
    return LineShape(indent, tuple(dashes), column, key, colon, blank)


@dataclass(frozen=True)
class CursorContext:
    kind: Literal["key", "value"]
    path: tuple
    """For a key: the path of the mapping it goes into. For a value: the path of its key."""
    prefix: str
    """What is typed so far of the word under the cursor (completion replaces it)."""
    prefix_start: int
    """Column where `prefix` starts."""
    indent: int
    """Column of keys at this depth (nested blocks go two further)."""
    siblings: frozenset = field(default_factory=frozenset)
    """Keys already present beside the one being typed."""
    data: Any = None
    """The document's data when the text (without the cursor line) parses, else None."""


def cursor_context(text: str, line: int, column: int) -> CursorContext:
    lines = text.split("\n")
    line = max(0, min(line, len(lines) - 1))
    current = lines[line]
    column = max(0, min(column, len(current)))
    before = current[:column]
    shape = line_shape(before)
    data = _best_effort_data(lines, line)
    if shape.key is not None and shape.colon is not None and column > shape.colon:
        value_text = before[shape.colon + 1:]
        start = shape.colon + 1 + (len(value_text) - len(value_text.lstrip()))
        prefix = _WORD.search(before[start:]).group(0)  # type: ignore[union-attr]
        path = _mapping_path(lines, line, shape.content, shape.dashes) + (shape.key,)
        return CursorContext("value", path, prefix, column - len(prefix), shape.content, data=data)
    content = shape.content if not shape.blank or shape.dashes else column
    prefix = before[content:]
    path = _mapping_path(lines, line, content, shape.dashes)
    siblings = _sibling_keys(lines, line, content, shape.dashes) - {prefix}
    return CursorContext("key", path, prefix, content, content, frozenset(siblings), data)


def key_path_at(text: str, line: int, column: int) -> Optional[tuple]:
    """The key path of the key on `line` (or of the mapping a blank line is in)."""
    lines = text.split("\n")
    if line >= len(lines):
        return None
    shape = line_shape(lines[line])
    if shape.key is not None:
        return _mapping_path(lines, line, shape.content, shape.dashes) + (shape.key,)
    path = _mapping_path(lines, line, shape.content if not shape.blank else column, shape.dashes)
    return path or None


def _mapping_path(lines: list[str], line: int, column: int, own_dashes: tuple[int, ...] = ()) -> tuple:
    """Key path of the mapping whose keys start at `column`, for a position on `line`.

    Walks up: a key left of the current limit is an ancestor; a `- ` marker left of it is
    the list item we are in (its index counts the markers above it at the same column).
    """
    path: list[Any] = []
    limit, list_owner_column = column, None
    for dash in reversed(own_dashes):
        path.insert(0, _item_index(lines, line, dash))
        limit, list_owner_column = dash, dash
    for index in range(line - 1, -1, -1):
        shape = line_shape(lines[index])
        if shape.blank:
            continue
        if shape.key is not None and (shape.content < limit or shape.content == list_owner_column):
            path.insert(0, shape.key)
            limit, list_owner_column = shape.content, None
        for dash in reversed(shape.dashes):
            if dash < limit:
                path.insert(0, _item_index(lines, index, dash))
                limit, list_owner_column = dash, dash
        if limit == 0 and list_owner_column is None:
            break
    return tuple(path)


def _item_index(lines: list[str], line: int, dash: int) -> int:
    """How many list items at column `dash` come before the one on `line`."""
    count = 0
    for index in range(line - 1, -1, -1):
        shape = line_shape(lines[index])
        if shape.blank or shape.indent > dash:
            continue
        if shape.indent < dash or dash not in shape.dashes:
            break
        count += 1
    return count


def _sibling_keys(lines: list[str], line: int, column: int, own_dashes: tuple[int, ...]) -> set[str]:
    """Keys at `column` in the same mapping as `line` (above and below it)."""
    keys: set[str] = set()
    if not own_dashes:  # a fresh `- ` item starts a new mapping: nothing above is a sibling
        for index in range(line - 1, -1, -1):
            shape = line_shape(lines[index])
            if shape.blank or shape.content > column:
                continue
            if shape.content == column and shape.key:
                keys.add(shape.key)
            if shape.content < column or shape.dashes:
                break
    for index in range(line + 1, len(lines)):
        shape = line_shape(lines[index])
        if shape.blank or shape.content > column:
            continue
        if shape.content < column or shape.dashes:
            break
        if shape.key:
            keys.add(shape.key)
    return keys


def _best_effort_data(lines: list[str], line: int) -> Any:
    """The document's data, from the text as is or with the line being typed left out."""
    for candidate in ("\n".join(lines), "\n".join(lines[:line] + lines[line + 1:])):
        document = parse_document(candidate)
        if document.ok and isinstance(document.data, dict):
            return document.data
    return None
