"""Reading a job file: ruamel.yaml's composer gives every key and value its position.

The text is composed (not constructed) once; plain Python data is built from the node
tree here, so that positions, duplicate keys and unsupported tags are all seen in one
pass. No tag is ever turned into an object: only YAML's core scalar types are read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Optional

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .diagnostics import Diagnostic, Span

_CORE = "tag:yaml.org,2002:"
_SCALAR_KINDS = {"null", "bool", "int", "float", "str", "timestamp"}
Path = tuple


@dataclass
class ParsedDocument:
    """A job file's text, its data as plain Python, and where each value came from."""

    text: str
    data: Any = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    nodes: dict[Path, tuple[Optional[Node], Node]] = field(default_factory=dict)
    """Key path -> (key node, value node); the root is `()` with no key node."""

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)

    def node(self, path: Path) -> Optional[Node]:
        entry = self.nodes.get(tuple(path))
        return entry[1] if entry else None

    def span(self, path: Path, *, prefer_key: bool = False) -> Span:
        """Where the value at `path` is, or the nearest ancestor that exists.

        A scalar value is pointed at itself; a mapping or list at the key that holds it
        (the line a reader looks at). With `prefer_key`, the key is given even for scalars.
        """
        path = tuple(path)
        while path not in self.nodes and path:
            path = path[:-1]
        entry = self.nodes.get(path)
        if entry is None:
            return Span.point()
        key, value = entry
        empty = isinstance(value, ScalarNode) and value.start_mark.index == value.end_mark.index
        if key is not None and (prefer_key or empty or not isinstance(value, ScalarNode)):
            return _span_of(key)
        if isinstance(value, ScalarNode):
            return _span_of(value)
        return Span(value.start_mark.line, value.start_mark.column, value.start_mark.line, value.start_mark.column + 1)

    def resolve(self, path: Path) -> Path:
        """The longest prefix of `path` that exists in the document."""
        path = tuple(path)
        while path not in self.nodes and path:
            path = path[:-1]
        return path


def _span_of(node: Node) -> Span:
    start, end = node.start_mark, node.end_mark
    if end.line > start.line:  # multi-line scalars: underline the first line only
        return Span(start.line, start.column, start.line, start.column + 1)
    return Span(start.line, start.column, end.line, max(end.column, start.column + 1))


def parse_document(text: str) -> ParsedDocument:
    """Parse YAML text; syntax problems become diagnostics, never exceptions."""
    document = ParsedDocument(text=text)
    try:
        # The safe composer gives the same nodes and marks as the round-trip one without
        # gathering comments, which validation never reads: a quarter faster (bench/check_latency.py).
        root = YAML(typ="safe", pure=True).compose(text)
    except MarkedYAMLError as error:
        document.diagnostics.append(_syntax_diagnostic(error, text))
        return document
    except YAMLError as error:  # reader errors (control characters) carry no mark
        document.diagnostics.append(_reader_diagnostic(error, text))
        return document
    except RecursionError:
        document.diagnostics.append(
            Diagnostic("error", "yaml-syntax", "the document is nested too deeply to read")
        )
        return document
    if root is None:
        return document
    builder = _Builder(document)
    document.data = builder.build(root, ())
    return document


class _Builder:
    def __init__(self, document: ParsedDocument) -> None:
        self.document = document
        self.active: set[int] = set()  # node ids on the current branch, to refuse recursive aliases

    def build(self, node: Node, path: Path, key: Optional[Node] = None) -> Any:
        self.document.nodes[path] = (key, node)
        if id(node) in self.active:
            self._error("yaml-syntax", "recursive alias", node)
            return None
        self.active.add(id(node))
        try:
            if not isinstance(node, ScalarNode) and not node.tag.startswith(_CORE):
                self._error("yaml-tag", f"tag '{node.tag}' is not supported: write plain YAML", node)
                return None
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
            if isinstance(node, SequenceNode):
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            return self._scalar(node)
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: MappingNode, path: Path) -> dict:
        result: dict = {}
        for key_node, value_node in node.value:
            key = self._scalar(key_node) if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str):
                self._error("wrong-type", "keys must be plain words", key_node)
                key = str(key)
            if key in result:
                self._error("duplicate-key", f"duplicate key '{key}': it is already set above", key_node)
                continue
            result[key] = self.build(value_node, (*path, key), key_node)
        return result

    def _scalar(self, node: ScalarNode) -> Any:
        tag, value = node.tag, node.value
        kind = tag[len(_CORE):] if tag.startswith(_CORE) else None
        if kind not in _SCALAR_KINDS:
            self._error("yaml-tag", f"tag '{tag}' is not supported: write a plain value", node)
            return value
        try:
            if kind == "null":
                return None
            if kind == "bool":
                return value.lower() == "true"
            if kind == "int":
                return _to_int(value)
            if kind == "float":
                return _to_float(value)
        except ValueError:
            return value
        return value  # str, and timestamps kept as text

    def _error(self, code: str, message: str, node: Node) -> None:
        self.document.diagnostics.append(Diagnostic("error", code, message, _span_of(node)))


def _to_int(text: str) -> int:
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
        if digits.lower().startswith(prefix):
            return sign * int(digits[2:], base)
    return sign * int(digits, 10)


def _to_float(text: str) -> float:
    lowered = text.lower().replace("_", "")
    if lowered in (".inf", "+.inf"):
        return math.inf
    if lowered == "-.inf":
        return -math.inf
    if lowered == ".nan":
        return math.nan
    return float(lowered)


def _syntax_diagnostic(error: MarkedYAMLError, text: str) -> Diagnostic:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line, mark.column) if mark else (0, 0)
    problem = (error.problem or error.context or "invalid YAML").strip()
    lines = text.splitlines()
    here = lines[line] if line < len(lines) else ""
    if "\t" in problem or "'\\t'" in problem or (here[column : column + 1] == "\t"):
        code, message = "yaml-tab", "tab character: YAML indentation must use spaces"
    elif "flow" in (error.context or "") or "flow" in problem:
        code = "yaml-unclosed-bracket"
        opener = error.context_mark
        where = f" (opened at line {opener.line + 1}, column {opener.column + 1})" if opener else ""
        message = f"unclosed bracket{where}: {problem}"
        if opener:
            line, column = opener.line, opener.column
    elif "while scanning a quoted scalar" in (error.context or "") and error.context_mark:
        code = "yaml-unclosed-quote"
        line, column = error.context_mark.line, error.context_mark.column
        message = f"unclosed quote: the string that starts here has no closing quote ({problem})"
    elif "could not find expected ':'" in problem and error.context_mark:
        code = "yaml-indentation"
        line, column = error.context_mark.line, error.context_mark.column
        message = f"{problem}: a key needs ': ' (colon and space) before its value, and keys at the same level must line up"
    elif "mapping values are not allowed" in problem or "expected <block end>" in problem or "could not find expected ':'" in problem:
        code = "yaml-indentation"
        message = f"{problem}: check the indentation (keys at the same level must line up) and the space after each ':'"
    else:
        code, message = "yaml-syntax", f"invalid YAML: {problem}"
    return Diagnostic("error", code, message, Span.point(line, column))


def _reader_diagnostic(error: YAMLError, text: str) -> Diagnostic:
    position = getattr(error, "position", 0) or 0
    before = text[:position]
    line = before.count("\n")
    column = position - (before.rfind("\n") + 1)
    return Diagnostic("error", "yaml-syntax", f"invalid character in the file: {error}".splitlines()[0], Span.point(line, column))
