"""Builders for tiny MLTable folders: a few 16x12 JPEGs and a JSON-lines file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

MLTABLE = """\
paths:
  - {kind}: {target}
transformations:
  - read_json_lines:
        encoding: {encoding}
        invalid_lines: {invalid_lines}
        include_path_column: {include_path_column}
  - convert_column_types:
      - columns: image_url
        column_type: stream_info
"""


def write_image(path: Path, colour=(200, 30, 30), size=(16, 12)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, quality=95)
    return path


def write_jsonl(path: Path, rows: list, encoding: str = "utf-8") -> Path:
    """Rows are dicts (written as JSON) or strings (written as they are)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [row if isinstance(row, str) else json.dumps(row) for row in rows]
    path.write_bytes("".join(line + "\n" for line in lines).encode(encoding))
    return path


def write_mltable(
    folder: Path,
    *,
    kind: str = "file",
    target: str = "./annotations.jsonl",
    encoding: str = "utf8",
    invalid_lines: str = "error",
    include_path_column: str = "false",
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "MLTable").write_text(
        MLTABLE.format(kind=kind, target=target, encoding=encoding,
                       invalid_lines=invalid_lines, include_path_column=include_path_column)
    )
    return folder


class Files:
    """The builders above, handed to tests as the `files` fixture (conftest is not importable)."""

    image = staticmethod(write_image)
    jsonl = staticmethod(write_jsonl)
    mltable = staticmethod(write_mltable)


@pytest.fixture
def files() -> type[Files]:
    return Files


@pytest.fixture
def table(tmp_path: Path):
    """Factory: an MLTable folder with one JPEG per row and the given labels."""

    def build(labels_per_row: list[list[str]], *, name: str = "table", **mltable) -> Path:
        folder = tmp_path / name
        rows = []
        for number, labels in enumerate(labels_per_row):
            write_image(folder / "images" / f"{number}.jpg", colour=(number * 20 % 256, 90, 160))
            rows.append({"image_url": f"images/{number}.jpg", "label": labels})
        write_jsonl(folder / "annotations.jsonl", rows)
        return write_mltable(folder, **mltable)

    return build
