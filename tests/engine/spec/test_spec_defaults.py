"""Per-model defaults resolved in one place, and the typed search space a sweep reads."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from engine.spec import Fixed, TrainingParameters, parse_search_space, resolve_training_parameters, validate_file, validate_text
from engine.spec.expressions import Choice, QUniform, RandInt, Uniform
from spec_fixtures import JOBS


@pytest.mark.parametrize(
    ("model_name", "learning_rate", "batch_size"),
    [
        ("seresnext", 0.035, 78),
        ("resnet50", 0.035, 78),
        ("mobilenetv2", 0.035, 78),
        ("vits16r224", 0.025, 128),
        ("vitb16r224", 0.025, 48),
        ("vitl16r224", 0.002, 10),
    ],
)
def test_model_defaults_from_the_seed(model_name: str, learning_rate: float, batch_size: int) -> None:
    resolved = resolve_training_parameters(TrainingParameters(model_name=model_name))
    assert resolved.learning_rate == learning_rate
    assert (resolved.training_batch_size, resolved.validation_batch_size) == (batch_size, batch_size)


def test_without_parameters_the_seed_defaults_apply() -> None:
    resolved = resolve_training_parameters()
    assert resolved.model_name == "seresnext"
    assert (resolved.learning_rate, resolved.training_batch_size, resolved.number_of_epochs) == (0.035, 78, 15)
    assert resolved.number_of_workers == min(8, os.cpu_count() or 1)
    assert resolved.random_seed is None and resolved.checkpoint_run_id is None


def test_explicit_values_win_over_model_defaults() -> None:
    given = TrainingParameters(model_name="vitl16r224", learning_rate=0.1, validation_batch_size=4, number_of_workers=0)
    resolved = resolve_training_parameters(given)
    assert (resolved.learning_rate, resolved.training_batch_size, resolved.validation_batch_size) == (0.1, 10, 4)
    assert resolved.number_of_workers == 0


def test_overrides_sit_on_top_and_defaults_follow_the_overridden_model() -> None:
    given = TrainingParameters(model_name="seresnext", learning_rate=0.01)
    resolved = resolve_training_parameters(given, {"model_name": "vitb16r224"})
    assert (resolved.model_name, resolved.learning_rate, resolved.training_batch_size) == ("vitb16r224", 0.01, 48)
    assert resolve_training_parameters(given, {"learning_rate": 0.02}).learning_rate == 0.02
    assert given.learning_rate == 0.01 and given.training_batch_size is None  # the job's own parameters are untouched


def test_vit_crops_are_aligned_and_other_models_keep_theirs() -> None:
    sampled = {"model_name": "vitb16r224", "training_crop_size": 256, "validation_crop_size": 224}
    resolved = resolve_training_parameters(None, sampled)
    assert (resolved.training_crop_size, resolved.validation_crop_size) == (256, 256)
    resolved = resolve_training_parameters(None, {**sampled, "model_name": "resnet50"})
    assert (resolved.training_crop_size, resolved.validation_crop_size) == (256, 224)


def test_an_out_of_range_override_is_refused() -> None:
    with pytest.raises(ValidationError):
        resolve_training_parameters(None, {"learning_rate": 1.5})
    with pytest.raises(ValidationError):
        resolve_training_parameters(None, {"number_of_epochs": 2.0})


def test_a_validated_job_resolves() -> None:
    job = validate_file(JOBS / "single_trial.yml").job
    resolved = resolve_training_parameters(job.training_parameters)
    assert (resolved.model_name, resolved.optimizer, resolved.learning_rate, resolved.training_batch_size) == (
        "vitb16r224", "adamw", 0.01, 48,
    )


def test_parse_search_space_gives_typed_subspaces() -> None:
    job = validate_file(JOBS / "sweep.yml").job
    first, second = parse_search_space(job.search_space)
    assert first == {
        "model_name": Choice(type="choice", values=["vitb16r224"]),
        "learning_rate": Uniform(type="uniform", min_value=0.005, max_value=0.05),
        "number_of_epochs": Choice(type="choice", values=[15, 30]),
    }
    assert second["validation_resize_size"].values == [288, 320]
    assert parse_search_space(None) == []


def test_fixed_values_and_the_single_mapping_form() -> None:
    text = validate_file(JOBS / "sweep.yml").document.text
    start = text.index("search_space:")
    text = text[:start] + (
        "search_space:\n"
        "  model_name: resnet50\n"
        "  layers_to_freeze: {type: randint, upper: 3}\n"
        "  training_batch_size: {type: quniform, min_value: 8, max_value: 64, q: 8}\n"
        "\n" + text[text.index("outputs:"):]
    )
    job = validate_text(text).job
    [subspace] = parse_search_space(job.search_space)
    assert subspace == {
        "model_name": Fixed("resnet50"),
        "layers_to_freeze": RandInt(type="randint", upper=3),
        "training_batch_size": QUniform(type="quniform", min_value=8, max_value=64, q=8),
    }
    assert subspace["layers_to_freeze"].bounds() == (0, 2)


def test_randint_for_a_positive_key_is_out_of_range() -> None:
    """randint(upper) draws from [0, upper): 0 epochs is possible, so it is refused."""
    text = validate_file(JOBS / "sweep.yml").document.text.replace(
        "      type: choice\n      values: [15, 30]", "      type: randint\n      upper: 20"
    )
    [error] = validate_text(text).errors
    assert (error.code, error.line + 1, error.column + 1) == ("out-of-range", 55, 14)
    assert error.message == "number_of_epochs must be >= 1: this expression reaches 0"
