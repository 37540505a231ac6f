from __future__ import annotations

from pathlib import Path

import pytest

from engine.data.errors import (
    DataError,
    InvalidLineError,
    MLTableError,
    RemoteDataError,
    SkipReport,
)
from engine.data.mltable import read_mltable, read_records

# A byte-for-byte copy of shared/examples/azure/data (tests/engine/spec checks it is current),
# so this test does not depend on where the checkout sits.
AZURE_DATA = Path(__file__).resolve().parents[2] / "fixtures" / "jobs" / "azure" / "data"


def records(location) -> list:
    return list(read_records(read_mltable(location), SkipReport()))


def test_file_entry_reads_rows_with_image_paths_relative_to_the_mltable_folder(table):
    folder = table([["cat"], ["dog", "cat"]])
    rows = records(folder)
    assert [r.values["label"] for r in rows] == [["cat"], ["dog", "cat"]]
    assert [r.line for r in rows] == [1, 2]
    assert rows[0].values["image_url"] == folder.resolve() / "images" / "0.jpg"
    assert rows[0].file == folder.resolve() / "annotations.jsonl"


def test_absolute_image_paths_are_kept(tmp_path, files):
    image = files.image(tmp_path / "elsewhere" / "a.jpg")
    folder = files.mltable(tmp_path / "t")
    files.jsonl(folder / "annotations.jsonl", [{"image_url": str(image), "label": ["a"]}])
    assert records(folder)[0].values["image_url"] == image


def test_folder_entry_reads_every_json_lines_file_below_it_and_nothing_else(tmp_path, files):
    folder = files.mltable(tmp_path / "t", kind="folder", target="./parts")
    files.jsonl(folder / "parts" / "b.jsonl", [{"image_url": "x.jpg", "label": ["b"]}])
    files.jsonl(folder / "parts" / "deeper" / "a.jsonl", [{"image_url": "y.jpg", "label": ["a"]}])
    files.image(folder / "parts" / "picture.jpg")  # not an annotation file
    table = read_mltable(folder)
    assert [f.name for f in table.files] == ["b.jsonl", "a.jsonl"]  # sorted by full path
    assert len(records(folder)) == 2


def test_pattern_entry_globs_recursively(tmp_path, files):
    folder = files.mltable(tmp_path / "t", kind="pattern", target="./data/**/*.jsonl")
    files.jsonl(folder / "data" / "one.jsonl", [{"image_url": "a.jpg", "label": []}])
    files.jsonl(folder / "data" / "x" / "y" / "two.jsonl", [{"image_url": "b.jpg", "label": []}])
    files.jsonl(folder / "data" / "three.txt", [{"image_url": "c.jpg", "label": []}])
    assert sorted(f.name for f in read_mltable(folder).files) == ["one.jsonl", "two.jsonl"]


def test_pattern_that_matches_nothing_is_an_mltable_error(tmp_path, files):
    folder = files.mltable(tmp_path / "t", kind="pattern", target="./none/*.jsonl")
    with pytest.raises(MLTableError, match="matches no files"):
        read_mltable(folder)


def test_missing_annotation_file_and_missing_mltable_are_clear_errors(tmp_path, files):
    with pytest.raises(MLTableError, match="no MLTable file"):
        read_mltable(tmp_path)
    with pytest.raises(MLTableError, match="does not exist"):
        read_mltable(files.mltable(tmp_path / "t", target="./nope.jsonl"))


def test_the_mltable_file_itself_can_be_given(table):
    folder = table([["a"]])
    assert read_mltable(folder / "MLTable").files == read_mltable(folder).files


def test_invalid_line_under_error_raises_naming_file_and_line(table):
    folder = table([["a"], ["b"]])
    with open(folder / "annotations.jsonl", "a") as handle:
        handle.write("{not json\n")
    with pytest.raises(InvalidLineError) as error:
        records(folder)
    assert f"{(folder / 'annotations.jsonl').resolve()}:3:" in str(error.value)
    assert "invalid_lines: drop" in str(error.value)


@pytest.mark.parametrize("bad_line", ["{not json", "[1, 2]", '"just a string"'])
def test_invalid_line_under_drop_is_skipped_and_reported(table, bad_line):
    folder = table([["a"], ["b"]], invalid_lines="drop")
    path = folder / "annotations.jsonl"
    path.write_text(path.read_text().replace("\n", f"\n{bad_line}\n", 1))
    report = SkipReport()
    rows = list(read_records(read_mltable(folder), report))
    assert [r.line for r in rows] == [1, 3]
    [skipped] = report.rows
    assert (skipped.file, skipped.line) == (path.resolve(), 2)


def test_undecodable_bytes_are_an_invalid_line(table):
    folder = table([["a"]], invalid_lines="drop")
    with open(folder / "annotations.jsonl", "ab") as handle:
        handle.write(b'{"image_url": "\xff\xfe.jpg", "label": []}\n')
    report = SkipReport()
    assert len(list(read_records(read_mltable(folder), report))) == 1
    assert report.rows[0].line == 2 and "utf-8" in report.rows[0].reason


def test_blank_lines_are_ignored_but_counted(table):
    folder = table([["a"], ["b"]])
    path = folder / "annotations.jsonl"
    path.write_text("\n" + path.read_text().replace("\n", "\n\n"))
    assert [r.line for r in records(folder)] == [2, 4]


@pytest.mark.parametrize(("name", "codec"), [("utf16", "utf-16"), ("latin1", "latin-1"), ("utf8bom", "utf-8-sig")])
def test_encodings(tmp_path, files, name, codec):
    folder = files.mltable(tmp_path / "t", encoding=name)
    # Written by hand: json.dumps would escape the non-ASCII characters.
    (folder / "annotations.jsonl").write_bytes('{"image_url": "é.jpg", "label": ["café"]}\n'.encode(codec))
    [row] = records(folder)
    assert row.values["label"] == ["café"] and row.values["image_url"].name == "é.jpg"


def test_include_path_column_adds_the_source_file(table):
    folder = table([["a"]], include_path_column="true")
    [row] = records(folder)
    assert row.values["Path"] == str((folder / "annotations.jsonl").resolve())
    assert "Path" not in records(table([["a"]], name="other"))[0].values


@pytest.mark.parametrize("scheme", ["azureml://x/y.jpg", "https://host/y.jpg", "wasbs://c@a/y.jpg",
                                    "abfss://c@a/y.jpg", "adl://a/y.jpg"])
def test_cloud_image_urls_give_one_clear_error(tmp_path, files, scheme):
    folder = files.mltable(tmp_path / "t")
    files.jsonl(folder / "annotations.jsonl", [{"image_url": "ok.jpg", "label": []},
                                               {"image_url": scheme, "label": []}])
    with pytest.raises(RemoteDataError) as error:
        records(folder)
    message = str(error.value)
    assert f"annotations.jsonl:2: image '{scheme}'" in message
    assert "Download the images" in message and "local" in message


def test_cloud_data_path_is_a_clear_error():
    with pytest.raises(RemoteDataError, match="point `path` at a local MLTable folder"):
        read_mltable("azureml://datastores/workspaceblobstore/paths/data")


@pytest.mark.parametrize(
    ("mltable_text", "message"),
    [
        ("paths: []\n", "non-empty list"),
        ("paths:\n  - file: a.jsonl\n    folder: b\n", "exactly one"),
        ("paths:\n  - url: a.jsonl\n", "unknown `paths` entry"),
        ("pathz:\n  - file: a.jsonl\n", "unknown key"),
        ("paths:\n  - file: a.jsonl\ntransformations:\n  - take: 5\n", "'take' is not supported"),
        ("paths:\n  - file: a.jsonl\ntransformations:\n  - read_json_lines:\n      invalid_lines: skip\n",
         "'error' or 'drop'"),
        ("paths:\n  - file: a.jsonl\ntransformations:\n  - read_json_lines:\n      encoding: klingon\n",
         "unknown encoding"),
        ("paths:\n  - file: a.jsonl\ntransformations:\n  - read_json_lines: {}\n"
         "  - convert_column_types:\n      - columns: label\n        column_type: int\n", "stream_info"),
        ("paths: [\n", "cannot read the MLTable"),
    ],
)
def test_bad_mltable_files_are_mltable_errors(tmp_path, files, mltable_text, message):
    (tmp_path / "MLTable").write_text(mltable_text)
    files.jsonl(tmp_path / "a.jsonl", [])
    with pytest.raises(MLTableError, match=message) as error:
        records(tmp_path)
    assert str(tmp_path / "MLTable") in str(error.value)
    assert isinstance(error.value, DataError)


@pytest.mark.parametrize("split", ["training-mltable-folder", "validation-mltable-folder"])
def test_azure_example_mltables_parse_and_their_azureml_rows_give_the_clear_error(split):
    folder = AZURE_DATA / split
    table = read_mltable(folder)
    assert table.invalid_lines == "error" and table.encoding == "utf-8"
    assert table.image_columns == ("image_url",) and len(table.files) == 1
    with pytest.raises(RemoteDataError) as error:
        records(folder)
    assert f"{table.files[0]}:1: image 'azureml://subscriptions/" in str(error.value)
    assert "point the MLTable at local files" in str(error.value)
