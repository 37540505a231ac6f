"""What Azure accepts, we accept too, with a warning that says what to write instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.spec import read_text, validate_file, validate_text
from engine.spec.expressions import Choice, Uniform
from engine.spec.search_space import parse_search_space
from spec_fixtures import JOBS

SWEEP = read_text(JOBS / "sweep.yml")
SINGLE = read_text(JOBS / "single_trial.yml")


def _edit(text: str, *replacements: tuple[str, str]) -> str:
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def _warnings(text: str) -> list[tuple[str, int, int]]:
    result = validate_text(text, base_dir=JOBS)
    assert result.errors == [], [d.format("job.yml") for d in result.errors]
    assert result.job is not None
    return [(d.code, d.line + 1, d.column + 1) for d in result.warnings]


LEGACY = _edit(
    SWEEP,
    ("    learning_rate:\n      type: uniform\n      min_value: 0.005\n      max_value: 0.05\n", '    learning_rate: "uniform(0.005, 0.05)"\n'),
    ("    number_of_epochs:\n      type: choice\n      values: [15, 30]\n", "    number_of_epochs: 'choice(15, 30)'\n"),
)


def test_legacy_string_expressions_are_read_with_the_dict_form_shown() -> None:
    result = validate_text(LEGACY, base_dir=JOBS)
    assert result.ok
    assert [(d.code, d.line + 1, d.column + 1, d.message) for d in result.diagnostics] == [
        ("legacy-expression", 49, 20, "legacy expression form: write {type: 'uniform', min_value: 0.005, max_value: 0.05}"),
        ("legacy-expression", 50, 23, "legacy expression form: write {type: 'choice', values: [15, 30]}"),
    ]
    subspace = parse_search_space(result.job.search_space)[0]
    assert subspace["learning_rate"] == Uniform(type="uniform", min_value=0.005, max_value=0.05)
    assert subspace["number_of_epochs"] == Choice(type="choice", values=[15, 30])


def test_a_string_that_only_looks_like_a_call_stays_a_string() -> None:
    text = _edit(SWEEP, ("      values: [vitb16r224]", "      values: [vitb16r224]\n    optimizer: 'sgd'"))
    assert _warnings(text) == []


def test_enum_values_in_any_case_are_accepted_with_the_canonical_spelling() -> None:
    text = _edit(
        SWEEP,
        ("primary_metric: iou", "primary_metric: IOU"),
        ("  optimizer: sgd", "  optimizer: Adam"),
        ("    type: bandit", "    type: Bandit"),
        ("      type: uniform", "      type: Uniform"),
        ("      values: [seresnext]", "      values: [SEResNeXt]"),
    )
    result = validate_text(text, base_dir=JOBS)
    assert [(d.code, d.line + 1, d.column + 1) for d in result.diagnostics] == [
        ("enum-case", 11, 17), ("enum-case", 30, 14), ("enum-case", 40, 11), ("enum-case", 50, 13), ("enum-case", 59, 16),
    ]
    assert result.diagnostics[0].message == "'IOU' is read as 'iou': write 'iou', the canonical spelling"
    job = result.job
    assert (job.primary_metric, job.training_parameters.optimizer, job.sweep.early_termination.type) == ("iou", "adam", "bandit")
    assert job.search_space[0]["learning_rate"]["type"] == "uniform"
    assert job.search_space[1]["model_name"]["values"] == ["seresnext"]


@pytest.mark.parametrize("scheme", ["azureml://datastores/workspaceblobstore/paths/fridge/", "https://example.org/fridge", "wasbs://c@a.blob.core.windows.net/x", "abfss://c@a.dfs.core.windows.net/x", "adl://a.azuredatalakestore.net/x"])
def test_remote_data_paths_validate_with_a_warning(scheme: str) -> None:
    text = _edit(SWEEP, ("  path: data/training-mltable-folder", f"  path: {scheme}"))
    assert _warnings(text) == [("remote-path", 16, 9)]
    message = validate_text(text, base_dir=JOBS).warnings[0].message
    assert "download the data and point path at a local MLTable folder" in message


def test_azure_compute_is_a_warning() -> None:
    text = _edit(SWEEP, ("compute: local", "compute: azureml:gpu-cluster"))
    assert _warnings(text) == [("remote-compute", 9, 10)]


def test_a_missing_local_data_path_is_a_warning_not_an_error(tmp_path: Path) -> None:
    job = tmp_path / "job.yml"
    job.write_text(SWEEP, encoding="utf-8")
    result = validate_file(job)
    assert result.ok
    assert [(d.code, d.line + 1, d.column + 1) for d in result.diagnostics] == [("missing-path", 16, 9), ("missing-path", 19, 9)]
    assert str(tmp_path) in result.diagnostics[0].message


def test_without_a_base_folder_paths_are_not_looked_at() -> None:
    assert validate_text(SWEEP).diagnostics == []


@pytest.mark.parametrize(
    ("block", "line"),
    [
        ("resources:\n  instance_count: 1\n  shm_size: 8g\n", 67),
        ("identity:\n  type: user_identity\n", 67),
        ("queue_settings:\n  job_tier: standard\n", 67),
    ],
)
def test_azure_only_top_level_keys_are_ignored_with_a_warning(block: str, line: int) -> None:
    assert _warnings(SWEEP + block) == [("ignored-key", line, 1)]


def test_advanced_settings_are_ignored_with_a_warning() -> None:
    text = _edit(SWEEP, ("  weighted_loss: 0\n", "  weighted_loss: 0\n  advanced_settings: '{\"x\": 1}'\n"))
    assert _warnings(text) == [("ignored-key", 36, 3)]


@pytest.mark.parametrize(
    ("old", "new", "position"),
    [
        ("  max_concurrent_trials: 2\n", "  max_concurrent_trials: 2\n  trial_timeout_minutes: 30\n", (26, 3)),
        ("    delay_evaluation: 6\n", "    delay_evaluation: 6\n    exclude_finished_jobs: 1\n", None),
        ("    type: mlflow_model\n", "    type: mlflow_model\n    storage_uri: https://example.org/model\n", (67, 5)),
        ("  # an MLTable folder next to the job file\n", "  description: fridge pictures\n", (15, 3)),
    ],
)
def test_keys_the_azure_sdk_rejects_are_accepted_with_a_warning(old: str, new: str, position) -> None:
    if position is None:  # exclude_finished_jobs belongs to the truncation policy
        old = "    type: bandit\n    evaluation_interval: 2\n    slack_factor: 0.2\n    delay_evaluation: 6\n"
        new = "    type: truncation_selection\n    truncation_percentage: 20\n    exclude_finished_jobs: 1\n"
        position = (42, 5)
    assert _warnings(_edit(SWEEP, (old, new))) == [("azure-incompatible", *position)]
    message = validate_text(_edit(SWEEP, (old, new))).warnings[0].message
    assert message.endswith("is documented by the schema but Azure's SDK rejects it; accepted here")


def test_parameters_of_another_optimizer_or_scheduler_are_flagged() -> None:
    text = _edit(SINGLE, ("  beta1: 0.9\n", "  beta1: 0.9\n  momentum: 0.8\n"))
    assert _warnings(text) == [("unused-parameter", 21, 3)]
    text = _edit(SINGLE, ("  learning_rate_scheduler: step", "  learning_rate_scheduler: warmup_cosine"))
    assert _warnings(text) == [("unused-parameter", 24, 3), ("unused-parameter", 25, 3)]


def test_seresnext_crop_sizes_are_honoured_with_a_warning() -> None:
    text = _edit(SINGLE, ("  model_name: vitb16r224", "  model_name: seresnext"), ("  layers_to_freeze: 2\n", ""))
    assert _warnings(text) == [("seresnext-crop-size", 27, 3), ("seresnext-crop-size", 28, 3)]


def test_validation_data_size_beside_validation_data_is_flagged() -> None:
    text = _edit(SWEEP, ("validation_data:\n", "validation_data_size: 0.1\nvalidation_data:\n"))
    assert _warnings(text) == [("unused-parameter", 18, 1)]


def test_sampled_vit_crop_sizes_that_may_differ_are_a_warning() -> None:
    text = _edit(SWEEP, ("      values: [15, 30]\n", "      values: [15, 30]\n    training_crop_size:\n      type: choice\n      values: [224, 256]\n"))
    assert _warnings(text) == [("vit-crop-size", 56, 5)]
