"""Saving keeps the file byte for byte; edits keep comments and touch only what they edit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.spec import EditError, parse_document, read_text, remove_value, save_text_atomic, set_value, validate_text
from spec_fixtures import ALL_JOBS, BROKEN, JOBS, VALID_JOBS

PARSING_JOBS = [path for path in ALL_JOBS if parse_document(read_text(path)).ok]


def _comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.lstrip().startswith("#")]


def _changed_lines(old: str, new: str) -> list[int]:
    a, b = old.splitlines(), new.splitlines()
    assert len(a) == len(b)
    return [i for i, (x, y) in enumerate(zip(a, b)) if x != y]


def test_most_fixtures_parse() -> None:
    assert len(PARSING_JOBS) > 0.8 * len(ALL_JOBS)


@pytest.mark.parametrize("path", ALL_JOBS, ids=lambda p: p.name)
def test_load_and_save_without_edit_is_byte_identical(path: Path, tmp_path: Path) -> None:
    copy = tmp_path / path.name
    save_text_atomic(copy, read_text(path))
    assert copy.read_bytes() == path.read_bytes()


@pytest.mark.parametrize("variant", ["crlf", "no-final-newline", "bom-and-tabs-in-comments"])
def test_byte_identity_keeps_line_endings(variant: str, tmp_path: Path) -> None:
    raw = (JOBS / "sweep.yml").read_bytes()
    raw = {
        "crlf": raw.replace(b"\n", b"\r\n"),
        "no-final-newline": raw.rstrip(b"\n"),
        "bom-and-tabs-in-comments": "\ufeff".encode() + raw.replace(b"# an MLTable", b"#\tan MLTable"),
    }[variant]
    original = tmp_path / "job.yml"
    original.write_bytes(raw)
    save_text_atomic(original, read_text(original))
    assert original.read_bytes() == raw


def test_atomic_save_replaces_keeps_mode_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "job.yml"
    path.write_text("old\n")
    os.chmod(path, 0o640)
    save_text_atomic(path, "new\n")
    assert path.read_text() == "new\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["job.yml"]


def test_a_failed_save_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "job.yml"
    path.write_text("old\n")
    with pytest.raises(TypeError):
        save_text_atomic(path, b"not text")  # type: ignore[arg-type]
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["job.yml"]


EDITS = [
    ("set", ("limits", "max_trials"), 3),
    ("set", ("training_parameters", "number_of_epochs"), 7),
    ("set", ("training_parameters", "weight_decay"), 0.0005),
    ("set", ("outputs", "best_model", "path"), "exported model"),
    ("set", ("tags", "team"), "vision"),
    ("set", ("description",), "a: text that needs # quotes"),
    ("remove", ("limits", "max_concurrent_trials"), None),
    ("remove", ("log_verbosity",), None),
]


@pytest.mark.parametrize("path", VALID_JOBS, ids=lambda p: p.name)
@pytest.mark.parametrize(("action", "key_path", "value"), EDITS, ids=lambda e: e if isinstance(e, str) else None)
def test_edits_keep_comments_and_validate(path: Path, action: str, key_path: tuple, value: object) -> None:
    text = read_text(path)
    edited = set_value(text, key_path, value) if action == "set" else remove_value(text, key_path)
    assert _comments(edited) == _comments(text)
    result = validate_text(edited, base_dir=path.parent)
    assert result.errors == []
    data = result.document.data
    for key in key_path[:-1]:
        data = data[key]
    if action == "set":
        assert data[key_path[-1]] == value
    else:
        assert key_path[-1] not in data


@pytest.mark.parametrize("path", PARSING_JOBS, ids=lambda p: p.name)
def test_setting_a_scalar_changes_only_its_line(path: Path) -> None:
    text = read_text(path)
    document = parse_document(text)
    key_path = next(p for p in (("limits", "max_trials"), ("target_column_name",), ("type",)) if p in document.nodes)
    edited = set_value(text, key_path, 5)
    assert _changed_lines(text, edited) == [document.nodes[key_path][1].start_mark.line]
    assert parse_document(edited).data == {**document.data, **_nested(key_path, 5, document.data)}


def _nested(key_path: tuple, value: object, data: dict) -> dict:
    if len(key_path) == 1:
        return {key_path[0]: value}
    return {key_path[0]: {**data[key_path[0]], **_nested(key_path[1:], value, data[key_path[0]])}}


def test_an_inline_comment_survives_a_scalar_edit() -> None:
    text = read_text(JOBS / "single_trial.yml")
    edited = set_value(text, ("primary_metric",), "iou")
    assert "primary_metric: iou   # the seed's default, written out\n" in edited


def test_missing_parents_are_created() -> None:
    text = read_text(JOBS / "azure" / "cli-automl-img-cls-ml-task-fridge-items-automode.yml")
    edited = set_value(text, ("sweep", "early_termination", "type"), "median_stopping")
    assert edited.startswith(text)
    assert edited[len(text) :] == "sweep:\n  early_termination:\n    type: median_stopping\n"
    edited = set_value(edited, ("sweep", "sampling_algorithm"), "random")
    assert validate_text(edited).job.sweep.early_termination.type == "median_stopping"


def test_a_new_key_joins_its_mapping_at_the_mapping_indent() -> None:
    text = read_text(JOBS / "sweep.yml")
    edited = set_value(text, ("training_parameters", "momentum"), 0.8)
    assert "  weighted_loss: 0\n  momentum: 0.8\n\nsweep:" in edited


def test_an_empty_key_is_filled_below_its_comment() -> None:
    text = "type: automl\ntraining_parameters:   # fill me\nlimits:\n  max_trials: 2\n"
    edited = set_value(text, ("training_parameters", "model_name"), "resnet50")
    assert edited == "type: automl\ntraining_parameters:   # fill me\n  model_name: resnet50\nlimits:\n  max_trials: 2\n"
    assert set_value(text, ("training_parameters",), {"optimizer": "adam"}) == (
        "type: automl\ntraining_parameters:   # fill me\n  optimizer: adam\nlimits:\n  max_trials: 2\n"
    )


def test_removing_the_first_key_of_a_list_item_keeps_the_item() -> None:
    text = read_text(JOBS / "sweep.yml")
    edited = remove_value(text, ("search_space", 0, "model_name"))
    assert "  - learning_rate:\n      type: uniform\n" in edited
    assert validate_text(edited, base_dir=JOBS).ok
    assert [sorted(s) for s in parse_document(edited).data["search_space"]] == [
        ["learning_rate", "number_of_epochs"],
        ["model_name", "validation_resize_size"],
    ]
    lone = "search_space:\n  - model_name: resnet50\n  - model_name: vits16r224\n"
    assert remove_value(lone, ("search_space", 0, "model_name")) == "search_space:\n  - {}\n  - model_name: vits16r224\n"


def test_replacing_a_mapping_and_a_flow_list() -> None:
    text = read_text(JOBS / "sweep.yml")
    edited = set_value(text, ("sweep", "early_termination"), {"type": "median_stopping", "delay_evaluation": 2})
    assert validate_text(edited, base_dir=JOBS).job.sweep.early_termination.delay_evaluation == 2
    assert _comments(edited) == _comments(text)
    edited = set_value(text, ("search_space", 0, "number_of_epochs", "values", 1), 40)
    assert _changed_lines(text, edited) == [54]
    assert "      values: [15, 40]\n" in edited


def test_removing_a_missing_key_changes_nothing() -> None:
    text = read_text(JOBS / "sweep.yml")
    assert remove_value(text, ("training_parameters", "momentum")) == text


def test_edits_refuse_files_with_yaml_errors() -> None:
    with pytest.raises(EditError):
        set_value(read_text(BROKEN / "yaml_tab_indent.yml"), ("limits", "max_trials"), 3)
    with pytest.raises(EditError):
        remove_value(read_text(BROKEN / "yaml_duplicate_key.yml"), ("limits", "max_trials"))
    with pytest.raises(EditError):
        set_value("type: automl\n", (), 1)


def test_setting_a_block_scalar_replaces_all_of_it() -> None:
    text = "description: >-\n  folded over\n  two lines\n\n# next\nname: job\n"
    assert set_value(text, ("description",), "one line") == "description: one line\n\n# next\nname: job\n"


def test_windows_line_breaks_survive_every_kind_of_edit() -> None:
    text = read_text(JOBS / "sweep.yml").replace("\n", "\r\n")
    edits = [
        set_value(text, ("limits", "max_trials"), 3),
        set_value(text, ("training_parameters", "momentum"), 0.8),
        set_value(text, ("outputs", "best_model", "path"), "out"),
        set_value(text, ("search_space", 0, "number_of_epochs", "values", 1), 40),  # through ruamel's dumper
        remove_value(text, ("search_space", 0, "model_name")),
    ]
    for edited in edits:
        assert "\n" not in edited.replace("\r\n", "")
        assert validate_text(edited).ok
    assert _changed_lines(text, edits[0]) == [23]
