"""Editing and saving job files without disturbing what the user wrote.

Edits are spliced into the text at the positions ruamel.yaml's composer reports, so
every comment, blank line, quote and indentation outside the edited value stays byte for
byte. Shapes the splicer does not handle (flow-style parents, list items) go through a
ruamel.yaml round-trip load and dump, which still keeps comments and key order.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any, Sequence

from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .document import ParsedDocument, parse_document


class EditError(ValueError):
    """An edit that cannot be made (the file does not parse, or the path crosses a scalar)."""


def save_text_atomic(path: Path | str, text: str) -> None:
    """Write `text` to `path` through a temporary file and a rename: never half a file."""
    path = Path(path)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_text(path: Path | str) -> str:
    """Read a job file exactly as stored (no newline translation), so saves can be byte-identical."""
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def set_value(text: str, path: Sequence[Any], value: Any) -> str:
    """Return `text` with the value at key path `path` set to `value`.

    Missing parent mappings are created. Only the edited lines change.
    """
    return _keeping_line_breaks(_set_value, text, tuple(path), value)


def remove_value(text: str, path: Sequence[Any]) -> str:
    """Return `text` without the key at `path` (and its whole value). A missing key is no change."""
    return _keeping_line_breaks(_remove_value, text, tuple(path))


def _keeping_line_breaks(edit, text: str, *arguments: Any) -> str:
    """Edit with `\n` line breaks; a file written with `\r\n` gets them back on every line
    (a file that mixes both is edited as it is)."""
    if "\r\n" not in text or "\n" in text.replace("\r\n", ""):
        return edit(text, *arguments)
    return edit(text.replace("\r\n", "\n"), *arguments).replace("\n", "\r\n")


def _set_value(text: str, path: tuple, value: Any) -> str:
    if not path:
        raise EditError("an empty key path names the whole document")
    document = _parse_for_edit(text)
    if path in document.nodes:
        key, node = document.nodes[path]
        if isinstance(node, ScalarNode) and node.tag != "tag:yaml.org,2002:null" and not isinstance(value, (dict, list)):
            return _splice(text, node.start_mark.index, _scalar_end(text, node), format_scalar(value))
        if key is None or _is_flow(document, path[:-1]):
            return _ruamel_edit(text, path, value)
        if isinstance(node, ScalarNode) and isinstance(value, (dict, list)) and node.tag == "tag:yaml.org,2002:null":
            return _fill_empty_key(text, key, value)  # `key:` or `key: ~` keeps its line and comment
        return _set_value(_remove_value(text, path), path, value)
    parent = path[:-1]
    if parent and parent not in document.nodes:
        return _set_value(text, parent, {path[-1]: value})
    parent_node = document.node(parent)
    if isinstance(parent_node, MappingNode) and parent_node.value and not parent_node.flow_style:
        indent = parent_node.value[0][0].start_mark.column
        return _insert_after_line(text, _last_line(parent_node), _block({path[-1]: value}, indent))
    if parent and isinstance(parent_node, ScalarNode) and parent_node.tag == "tag:yaml.org,2002:null":
        key_node = document.nodes[parent][0]
        if key_node is not None:
            return _fill_empty_key(text, key_node, {path[-1]: value})
    if not parent and parent_node is None:
        prefix = text if not text or text.endswith("\n") else text + "\n"
        return prefix + _block({path[-1]: value}, 0)
    return _ruamel_edit(text, path, value)


def _remove_value(text: str, path: tuple) -> str:
    document = _parse_for_edit(text)
    if path not in document.nodes:
        return text
    key, node = document.nodes[path]
    if key is None or _is_flow(document, path[:-1]):
        return _ruamel_edit(text, path, _REMOVE)
    first, last = key.start_mark.line, max(key.start_mark.line, _last_line(node))
    starts = _line_starts(text)
    begin = starts[first]
    end = starts[last + 1] if last + 1 < len(starts) else len(text)
    item_prefix = text[begin : key.start_mark.index]
    if item_prefix.strip():  # `  - key: ...`: the first key of a list item carries the item's dash
        return _remove_first_item_key(text, document.node(path[:-1]), begin, end, item_prefix)
    return text[:begin] + text[end:]


def _remove_first_item_key(text: str, mapping: MappingNode, begin: int, end: int, item_prefix: str) -> str:
    """Remove the lines `begin:end`; the item's next key takes over the dash, or the item becomes `{}`."""
    if len(mapping.value) < 2:
        return text[:begin] + item_prefix + "{}\n" + text[end:]
    following = mapping.value[1][0]
    following_start = _line_starts(text)[following.start_mark.line]
    return text[:begin] + text[end:following_start] + item_prefix + text[following.start_mark.index :]


def format_scalar(value: Any) -> str:
    """A scalar as YAML would write it (quoted only when it would otherwise read differently)."""
    stream = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.width = 4096
    yaml.dump([value], stream)
    return stream.getvalue()[2:].rstrip("\n").removesuffix("\n...")


_REMOVE = object()


def _parse_for_edit(text: str) -> ParsedDocument:
    document = parse_document(text)
    if any(d.code.startswith("yaml") or d.code == "duplicate-key" for d in document.diagnostics):
        raise EditError("the file has YAML errors; fix them before editing values")
    return document


def _is_flow(document: ParsedDocument, path: tuple) -> bool:
    node = document.node(path)
    return isinstance(node, (MappingNode, SequenceNode)) and bool(node.flow_style)


def _last_line(node: Node) -> int:
    """The last line holding content of `node` (block collections' end marks overshoot)."""
    if isinstance(node, ScalarNode) or getattr(node, "flow_style", False):
        end = node.end_mark
        return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line
    children = [v for pair in node.value for v in pair] if isinstance(node, MappingNode) else list(node.value)
    return max([node.start_mark.line, *(_last_line(child) for child in children)])


def _scalar_end(text: str, node: ScalarNode) -> int:
    """Where a scalar's text ends: a block scalar's (`|`, `>`) end mark is past its line break
    and any blank lines after it, which belong to the layout, not the value."""
    end = node.end_mark.index
    if node.style in ("|", ">"):
        while end > node.start_mark.index and text[end - 1] in " \t\r\n":
            end -= 1
    return end


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for index, character in enumerate(text):
        if character == "\n":
            starts.append(index + 1)
    return starts


def _splice(text: str, begin: int, end: int, replacement: str) -> str:
    return text[:begin] + replacement + text[end:]


def _insert_after_line(text: str, line: int, block: str) -> str:
    if text and not text.endswith("\n"):
        text += "\n"
    starts = _line_starts(text)
    at = starts[line + 1] if line + 1 < len(starts) else len(text)
    return text[:at] + block + text[at:]


def _fill_empty_key(text: str, key_node: Node, mapping: dict) -> str:
    """`training_parameters:` with no value (or `~`) gets a nested block under it."""
    starts = _line_starts(text)
    line = key_node.start_mark.line
    line_end = (starts[line + 1] - 1) if line + 1 < len(starts) else len(text)
    colon = text.index(":", key_node.end_mark.index)
    rest = text[colon + 1 : line_end]
    comment = rest[rest.index("#"):] if "#" in rest else ""
    gap = rest[: rest.index("#")] if comment else ""
    gap = gap if not gap.strip() else "  "  # `key: ~  # note` loses the `~`, keeps the note
    head = text[: colon + 1] + (gap + comment if comment else "") + "\n"
    tail = text[line_end + 1 :] if line_end < len(text) else ""
    return head + _block(mapping, key_node.start_mark.column + 2) + tail


def _block(value: dict, indent: int) -> str:
    stream = io.StringIO()
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.dump(value, stream)
    pad = " " * indent
    return "".join(pad + line if line.strip() else line for line in stream.getvalue().splitlines(keepends=True))


def _ruamel_edit(text: str, path: tuple, value: Any) -> str:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    data = yaml.load(text)
    container = data
    for element in path[:-1]:
        container = container[element]
    if value is _REMOVE:
        del container[path[-1]]
    elif isinstance(container, list) and path[-1] == len(container):
        container.append(value)
    else:
        container[path[-1]] = value
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()
