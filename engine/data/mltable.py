"""Read an Azure ML MLTable folder of JSON-lines image annotations, offline.

Supported, as in Azure's image examples:

    paths:                      # `file`, `folder` or `pattern` (glob, `**` recursive)
      - file: ./train_annotations.jsonl
    transformations:
      - read_json_lines:
          encoding: utf8        # utf8, utf8bom, ascii, latin1/iso88591, windows1252, utf16, utf32
          invalid_lines: error  # or drop
          include_path_column: false
      - convert_column_types:
          - columns: image_url
            column_type: stream_info

Relative paths (in `paths` and in the image column) are relative to the MLTable folder.
A `folder` entry reads every `.jsonl`/`.json` file below it: the folder usually holds the
images too, and reading a JPEG as JSON lines helps nobody.
"""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from engine.data.errors import (
    InvalidLineError,
    MLTableError,
    RemoteDataError,
    SkipReport,
    is_remote,
    remote_image_error,
)

MLTABLE_FILE_NAME = "MLTable"
JSON_LINES_SUFFIXES = (".jsonl", ".json")
DEFAULT_IMAGE_COLUMN = "image_url"
PATH_COLUMN = "Path"

# MLTable encoding names -> Python codecs.
ENCODINGS = {
    "utf8": "utf-8",
    "utf8bom": "utf-8-sig",
    "ascii": "ascii",
    "latin1": "latin-1",
    "iso88591": "latin-1",
    "windows1252": "cp1252",
    "utf16": "utf-16",
    "utf32": "utf-32",
}
# These cannot be split into lines on b"\n" before decoding.
WIDE_ENCODINGS = {"utf-16", "utf-32"}

TOP_LEVEL_KEYS = {"paths", "transformations", "type", "$schema", "traits", "metadata"}
READ_JSON_LINES_OPTIONS = {"encoding", "invalid_lines", "include_path_column"}


@dataclass(frozen=True)
class MLTable:
    """A parsed MLTable: the annotation files to read and how to read them."""

    folder: Path
    files: tuple[Path, ...]
    encoding: str = "utf-8"
    invalid_lines: str = "error"
    include_path_column: bool = False
    image_columns: tuple[str, ...] = (DEFAULT_IMAGE_COLUMN,)

    @property
    def image_column(self) -> str:
        return self.image_columns[0]


@dataclass(frozen=True)
class Record:
    """One JSON object from an annotation file. Image columns hold absolute `Path`s."""

    file: Path
    line: int
    values: dict[str, Any]


def read_mltable(location: str | Path) -> MLTable:
    """Parse the MLTable in `location` (the folder, or the `MLTable` file itself)."""
    if is_remote(str(location)):
        raise RemoteDataError(
            f"data path '{location}' is in the cloud and cannot be read offline. Download "
            "the data and point `path` at a local MLTable folder."
        )
    path = Path(location).expanduser()
    mltable_file = path if path.is_file() else path / MLTABLE_FILE_NAME
    if not mltable_file.is_file():
        raise MLTableError(
            f"{path}: no MLTable file found; `path` must be a folder that holds a file "
            f"named '{MLTABLE_FILE_NAME}' (see Azure's training-mltable-folder example)."
        )
    document = _load_yaml(mltable_file)
    folder = mltable_file.parent.resolve()
    files = _resolve_paths(mltable_file, folder, document.get("paths"))
    table = _parse_transformations(mltable_file, document.get("transformations"))
    return MLTable(folder=folder, files=files, **table)


def _load_yaml(mltable_file: Path) -> dict[str, Any]:
    try:
        document = YAML(typ="safe", pure=True).load(mltable_file.read_text(encoding="utf-8"))
    except (YAMLError, UnicodeDecodeError, OSError) as error:
        raise MLTableError(f"{mltable_file}: cannot read the MLTable: {error}") from None
    if not isinstance(document, dict):
        raise MLTableError(f"{mltable_file}: an MLTable must be a mapping with `paths`.")
    unknown = sorted(set(document) - TOP_LEVEL_KEYS)
    if unknown:
        raise MLTableError(
            f"{mltable_file}: unknown key(s) {', '.join(map(repr, unknown))}; "
            f"expected some of {', '.join(sorted(TOP_LEVEL_KEYS))}."
        )
    return document


def _resolve_paths(mltable_file: Path, folder: Path, entries: Any) -> tuple[Path, ...]:
    if not isinstance(entries, list) or not entries:
        raise MLTableError(f"{mltable_file}: `paths` must be a non-empty list.")
    files: list[Path] = []
    for entry in entries:
        if not isinstance(entry, dict) or len(entry) != 1:
            raise MLTableError(
                f"{mltable_file}: each `paths` entry needs exactly one of file, folder or "
                f"pattern; got {entry!r}."
            )
        [(kind, value)] = entry.items()
        if not isinstance(value, str) or not value:
            raise MLTableError(f"{mltable_file}: `{kind}` must be a path, got {value!r}.")
        if is_remote(value):
            raise RemoteDataError(
                f"{mltable_file}: `{kind}: {value}` is in the cloud and cannot be read "
                "offline. Download the annotation files and list local paths in `paths`."
            )
        for found in _expand_entry(mltable_file, folder, kind, value):
            if found not in files:
                files.append(found)
    return tuple(files)


def _expand_entry(mltable_file: Path, folder: Path, kind: str, value: str) -> list[Path]:
    target = (folder / Path(value).expanduser()).resolve()
    if kind == "file":
        if not target.is_file():
            raise MLTableError(f"{mltable_file}: `file: {value}` does not exist ({target}).")
        return [target]
    if kind == "folder":
        if not target.is_dir():
            raise MLTableError(f"{mltable_file}: `folder: {value}` is not a folder ({target}).")
        found = sorted(
            p for p in target.rglob("*") if p.is_file() and p.suffix.lower() in JSON_LINES_SUFFIXES
        )
        if not found:
            raise MLTableError(
                f"{mltable_file}: `folder: {value}` holds no {'/'.join(JSON_LINES_SUFFIXES)} files."
            )
        return found
    if kind == "pattern":
        # root_dir is ignored for absolute patterns, which is what we want.
        matches = glob.glob(value, root_dir=folder, recursive=True)
        found = sorted({(folder / m).resolve() for m in matches if (folder / m).is_file()})
        if not found:
            raise MLTableError(f"{mltable_file}: `pattern: {value}` matches no files in {folder}.")
        return found
    raise MLTableError(
        f"{mltable_file}: unknown `paths` entry '{kind}'; use file, folder or pattern."
    )


def _parse_transformations(mltable_file: Path, steps: Any) -> dict[str, Any]:
    if not isinstance(steps, list) or not steps:
        raise MLTableError(
            f"{mltable_file}: `transformations` must start with `read_json_lines` "
            "(image annotations are JSON lines)."
        )
    settings: dict[str, Any] = {}
    for index, step in enumerate(steps):
        if not isinstance(step, dict) or len(step) != 1:
            raise MLTableError(f"{mltable_file}: bad transformation {step!r}.")
        [(name, options)] = step.items()
        if name == "read_json_lines" and index == 0:
            settings.update(_read_json_lines_options(mltable_file, options or {}))
        elif name == "convert_column_types" and index > 0:
            settings["image_columns"] = _stream_info_columns(mltable_file, options)
        else:
            raise MLTableError(
                f"{mltable_file}: transformation '{name}' is not supported here; an image "
                "MLTable has `read_json_lines` first, then optionally `convert_column_types`."
            )
    return settings


def _read_json_lines_options(mltable_file: Path, options: Any) -> dict[str, Any]:
    if not isinstance(options, dict) or set(options) - READ_JSON_LINES_OPTIONS:
        raise MLTableError(
            f"{mltable_file}: `read_json_lines` takes {', '.join(sorted(READ_JSON_LINES_OPTIONS))}; "
            f"got {options!r}."
        )
    encoding = str(options.get("encoding", "utf8")).lower().replace("-", "").replace("_", "")
    if encoding not in ENCODINGS:
        raise MLTableError(
            f"{mltable_file}: unknown encoding {options['encoding']!r}; use one of "
            f"{', '.join(ENCODINGS)}."
        )
    invalid_lines = options.get("invalid_lines", "error")
    if invalid_lines not in ("error", "drop"):
        raise MLTableError(
            f"{mltable_file}: `invalid_lines` must be 'error' or 'drop', got {invalid_lines!r}."
        )
    include_path_column = options.get("include_path_column", False)
    if not isinstance(include_path_column, bool):
        raise MLTableError(f"{mltable_file}: `include_path_column` must be true or false.")
    return {
        "encoding": ENCODINGS[encoding],
        "invalid_lines": invalid_lines,
        "include_path_column": include_path_column,
    }


def _stream_info_columns(mltable_file: Path, conversions: Any) -> tuple[str, ...]:
    if not isinstance(conversions, list):
        raise MLTableError(f"{mltable_file}: `convert_column_types` must be a list.")
    columns: list[str] = []
    for conversion in conversions:
        if not isinstance(conversion, dict) or conversion.get("column_type") != "stream_info":
            raise MLTableError(
                f"{mltable_file}: only `column_type: stream_info` (the image column) is "
                f"supported in `convert_column_types`; got {conversion!r}."
            )
        names = conversion.get("columns")
        names = [names] if isinstance(names, str) else names
        if not names or not all(isinstance(n, str) for n in names):
            raise MLTableError(f"{mltable_file}: `columns` must name the image column.")
        columns.extend(names)
    return tuple(columns)


def read_records(table: MLTable, report: SkipReport) -> Iterator[Record]:
    """Yield every JSON object of the table's files, in file then line order.

    Image columns become absolute `Path`s. A line that is not a JSON object raises
    `InvalidLineError` under `invalid_lines: error` and is reported and skipped under
    `drop`; a cloud image URL always raises `RemoteDataError` (one clear error rather
    than a warning per row).
    """
    for file in table.files:
        for line, text in _lines(file, table.encoding):
            values = _parse_line(table, file, line, text, report)
            if values is None:
                continue
            if table.include_path_column:
                values[PATH_COLUMN] = str(file)
            if _convert_image_columns(table, file, line, values, report):
                yield Record(file=file, line=line, values=values)


def _lines(file: Path, encoding: str) -> Iterator[tuple[int, str | bytes]]:
    """Yield (1-based line number, text) for non-blank lines.

    Byte-oriented encodings are split before decoding, so one undecodable line is one
    invalid line rather than a failed file; bytes are returned for the caller to decode.
    """
    try:
        data = file.read_bytes()
    except OSError as error:
        raise MLTableError(f"{file}: cannot read: {error.strerror}") from None
    if encoding in WIDE_ENCODINGS:
        try:
            lines: list[str] | list[bytes] = data.decode(encoding).splitlines()
        except UnicodeDecodeError as error:
            raise MLTableError(f"{file}: not valid {encoding}: {error.reason}") from None
    else:
        lines = data.split(b"\n")
    for number, text in enumerate(lines, start=1):
        if text.strip():
            yield number, text


def _parse_line(
    table: MLTable, file: Path, line: int, text: str | bytes, report: SkipReport
) -> dict[str, Any] | None:
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig" if table.encoding == "utf-8" else table.encoding)
        values = json.loads(text)
        problem = None if isinstance(values, dict) else "a JSON object was expected"
    except UnicodeDecodeError as error:
        problem = f"not valid {table.encoding} text ({error.reason})"
    except json.JSONDecodeError as error:
        problem = f"invalid JSON ({error.msg} at column {error.colno})"
    if problem is None:
        return values
    if table.invalid_lines == "error":
        raise InvalidLineError(
            f"{file}:{line}: {problem}. Fix the line, or set `invalid_lines: drop` in "
            f"{table.folder / MLTABLE_FILE_NAME} to skip bad lines."
        )
    report.skip(file, line, problem)
    return None


def _convert_image_columns(
    table: MLTable, file: Path, line: int, values: dict[str, Any], report: SkipReport
) -> bool:
    for column in table.image_columns:
        location = values.get(column)
        if not isinstance(location, str) or not location.strip():
            report.skip(file, line, f"column '{column}' must be an image path, got {location!r}")
            return False
        if is_remote(location):
            raise remote_image_error(location, source=file, line=line)
        # normpath, not resolve(): no file-system calls per row, symlinks kept as named.
        values[column] = Path(os.path.normpath(table.folder / Path(location).expanduser()))
    return True
