"""`automl-studio --schema`: a Draft 2020-12 JSON Schema with descriptions, enums and
defaults, equal to the committed `engine/spec/job.schema.json` that editors point at."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from engine.spec import json_schema, parse_document, read_text
from spec_fixtures import BROKEN, REPO, VALID_JOBS
from studio.cli import main

COMMITTED = REPO / "engine" / "spec" / "job.schema.json"


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(COMMITTED.read_text(encoding="utf-8"))


def test_committed_schema_equals_the_generated_one(capsys) -> None:
    assert main(["--schema"]) == 0
    out, _ = capsys.readouterr()
    assert out == COMMITTED.read_text(encoding="utf-8"), "run `automl-studio --schema > engine/spec/job.schema.json`"
    assert json.loads(out) == json_schema()


def test_it_is_a_draft_2020_12_schema(schema: dict) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_descriptions_enums_defaults_and_ranges(schema: dict) -> None:
    top, definitions = schema["properties"], schema["$defs"]
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"type", "task", "target_column_name", "training_data"}
    assert top["primary_metric"]["enum"] == [
        "accuracy", "auc_weighted", "average_precision_score_weighted", "norm_macro_recall", "precision_score_weighted", "iou",
    ]
    assert top["primary_metric"]["default"] == "accuracy"
    assert "optimize for model selection" in top["primary_metric"]["description"]
    assert top["log_verbosity"]["default"] == "info"

    training = definitions["TrainingParameters"]
    assert training["additionalProperties"] is False
    properties = training["properties"]
    assert len(properties["model_name"]["enum"]) == 12 and properties["model_name"]["default"] == "seresnext"
    assert properties["optimizer"]["enum"] == ["sgd", "adam", "adamw"]
    assert properties["learning_rate"]["default"] == 0.035  # the documented default, though the field is per model
    assert properties["training_batch_size"]["default"] == 78
    assert {"minimum": 0.0, "maximum": 1.0, "type": "number"}.items() <= properties["momentum"].items()
    assert properties["weighted_loss"]["maximum"] == 2
    assert all(p.get("description") for p in properties.values())

    truncation = definitions["TruncationSelectionPolicy"]["properties"]["truncation_percentage"]
    assert (truncation["minimum"], truncation["maximum"]) == (1, 99)
    assert definitions["Limits"]["properties"]["max_trials"]["default"] == 1000
    assert set(definitions["ParameterExpression"]["discriminator"]["mapping"]) >= {"choice", "uniform", "qlognormal"}
    assert definitions["Choice"]["properties"]["values"]["minItems"] == 1
    assert top["search_space"]["items"] == {"$ref": "#/$defs/SearchSubspace"}
    assert "checkpoint_run_id" not in definitions["SearchSubspace"]["properties"]


@pytest.mark.parametrize("path", VALID_JOBS, ids=lambda p: p.name)
def test_valid_jobs_are_valid_under_the_schema(schema: dict, path) -> None:
    errors = list(Draft202012Validator(schema).iter_errors(parse_document(read_text(path)).data))
    assert errors == []


@pytest.mark.parametrize(
    "name", ["unknown_key_top", "unknown_key_expression", "bad_optimizer", "max_trials_zero", "string_for_flag", "empty_choice"]
)
def test_editors_see_the_same_mistakes(schema: dict, name: str) -> None:
    data = parse_document(read_text(BROKEN / f"{name}.yml")).data
    assert list(Draft202012Validator(schema).iter_errors(data))
