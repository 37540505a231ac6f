"""The corpus of broken job files: one mistake each, each found at the right place.

The expected code, line and column (1-based, as printed) of every fixture are written
here by hand from reading the fixture: an unknown key is reported at the key, a bad
scalar at the value, a bad mapping or list at its key, a missing key at its parent key
(or the first key of the file for a top-level key), a YAML error where the mistake
starts. `tests/fixtures/jobs/broken/*.yml` and this table must list the same files.
"""

from __future__ import annotations

import pytest

from engine.spec import validate_file
from spec_fixtures import BROKEN, BROKEN_JOBS
from studio.cli import main

EXIT_INVALID = 2

# (fixture name, diagnostic code, line, column)
EXPECTED = [
    # unknown keys, at every depth: at the key
    ("unknown_key_top", "unknown-key", 11, 1),
    ("unknown_key_limits", "unknown-key", 24, 3),
    ("unknown_key_training_data", "unknown-key", 18, 3),
    ("unknown_key_validation_data", "unknown-key", 19, 3),
    ("unknown_key_training_parameters", "unknown-key", 30, 3),
    ("unknown_key_sweep", "unknown-key", 39, 3),
    ("unknown_key_early_termination", "unknown-key", 44, 5),
    ("unknown_key_outputs", "unknown-key", 65, 3),
    ("unknown_key_best_model", "unknown-key", 67, 5),
    ("unknown_key_search_space", "unknown-key", 49, 5),
    ("unknown_key_expression", "unknown-key", 53, 7),
    # wrong types: at the value (a mapping or list: at its key)
    ("string_for_int", "wrong-type", 24, 15),
    ("float_for_int", "wrong-type", 32, 21),
    ("quoted_number_int", "quoted-number", 33, 24),
    ("quoted_number_float", "quoted-number", 22, 18),
    ("list_for_mapping", "wrong-type", 22, 1),
    ("mapping_for_scalar", "wrong-type", 13, 1),
    ("bool_for_string", "wrong-type", 13, 21),
    ("int_for_string", "wrong-type", 7, 18),
    ("string_for_flag", "wrong-type", 28, 19),
    ("flag_not_binary", "wrong-type", 20, 17),
    ("string_for_float", "wrong-type", 42, 19),
    ("list_for_enum", "wrong-type", 18, 3),
    ("scalar_for_tags", "wrong-type", 10, 7),
    ("scalar_for_search_space", "wrong-type", 32, 15),
    ("scalar_for_choice_values", "wrong-type", 55, 15),
    ("empty_value", "wrong-type", 13, 1),
    # bad enum values: at the value
    ("bad_primary_metric", "bad-enum", 11, 17),
    ("bad_model_name", "bad-enum", 18, 15),
    ("bad_optimizer", "bad-enum", 30, 14),
    ("bad_scheduler", "bad-enum", 31, 28),
    ("bad_log_verbosity", "bad-enum", 10, 16),
    ("bad_sampling_algorithm", "bad-enum", 38, 23),
    ("bad_policy_type", "bad-enum", 40, 11),
    ("bad_expression_type", "bad-enum", 50, 13),
    ("bad_model_name_in_choice", "bad-enum", 48, 28),
    ("bad_data_type", "bad-enum", 20, 9),
    ("bad_task", "bad-enum", 4, 7),
    ("bad_job_type", "bad-enum", 3, 7),
    ("bad_best_model_type", "bad-enum", 66, 11),
    ("bad_input_mode", "bad-enum", 12, 9),
    # ranges of DESIGN.md section 4: at the value
    ("learning_rate_above_1", "out-of-range", 22, 18),
    ("learning_rate_negative", "out-of-range", 22, 18),
    ("momentum_above_1", "out-of-range", 31, 13),
    ("beta1_negative", "out-of-range", 20, 10),
    ("beta2_above_1", "out-of-range", 21, 10),
    ("weight_decay_above_1", "out-of-range", 31, 17),
    ("step_lr_gamma_above_1", "out-of-range", 24, 18),
    ("warmup_cosine_lr_cycles_above_1", "out-of-range", 32, 28),
    ("warmup_cosine_lr_cycles_negative", "out-of-range", 32, 28),
    ("epochs_zero", "out-of-range", 32, 21),
    ("training_batch_size_zero", "out-of-range", 33, 24),
    ("validation_batch_size_zero", "out-of-range", 34, 26),
    ("evaluation_frequency_zero", "out-of-range", 29, 25),
    ("checkpoint_frequency_zero", "out-of-range", 30, 25),
    ("step_lr_step_size_zero", "out-of-range", 25, 22),
    ("gradient_accumulation_step_zero", "out-of-range", 33, 31),
    ("early_stopping_patience_zero", "out-of-range", 29, 28),
    ("weighted_loss_3", "out-of-range", 35, 18),
    ("validation_data_size_0", "out-of-range", 12, 23),
    ("validation_data_size_1", "out-of-range", 12, 23),
    ("truncation_percentage_0", "out-of-range", 42, 28),
    ("truncation_percentage_100", "out-of-range", 42, 28),
    ("max_trials_zero", "out-of-range", 24, 15),
    ("max_concurrent_trials_zero", "out-of-range", 25, 26),
    ("timeout_minutes_zero", "out-of-range", 23, 20),
    ("evaluation_interval_zero", "out-of-range", 41, 26),
    ("slack_factor_zero", "out-of-range", 42, 19),
    ("layers_to_freeze_too_large", "out-of-range", 29, 21),
    ("layers_to_freeze_too_large_in_sweep", "out-of-range", 36, 21),
    ("layers_to_freeze_choice_too_large", "out-of-range", 63, 5),
    ("search_learning_rate_above_1", "out-of-range", 52, 18),
    ("search_weighted_loss_3", "out-of-range", 65, 19),
    ("search_float_in_integer_choice", "wrong-type", 55, 20),
    ("search_quoted_number_in_choice", "quoted-number", 62, 21),
    ("legacy_expression_bad_arguments", "wrong-type", 19, 20),
    ("randint_upper_zero", "out-of-range", 55, 14),
    # cross-field rules and missing keys
    ("vit_crop_mismatch", "vit-crop-size", 28, 25),
    ("vit_crop_mismatch_in_subspace", "vit-crop-size", 56, 27),
    ("bandit_both_slacks", "bandit-slack", 43, 5),
    ("bandit_no_slack", "bandit-slack", 39, 3),
    ("grid_with_uniform", "grid-needs-choice", 50, 13),
    ("min_not_below_max", "min-max-order", 51, 18),
    ("empty_choice", "empty-choice", 55, 7),
    ("empty_search_space", "empty-choice", 45, 1),
    ("search_space_without_sweep", "search-space-needs-sweep", 37, 1),
    ("integer_key_with_uniform", "integer-expression", 54, 13),
    ("categorical_key_with_uniform", "choice-only", 64, 13),
    ("not_searchable_key", "not-searchable", 63, 5),
    ("missing_target_column_name", "missing-key", 2, 1),
    ("missing_task", "missing-key", 2, 1),
    ("missing_training_data_path", "missing-key", 14, 1),
    ("missing_sampling_algorithm", "missing-key", 37, 1),
    ("missing_policy_type", "missing-key", 39, 3),
    ("missing_truncation_percentage", "missing-key", 39, 3),
    ("missing_expression_type", "missing-key", 49, 5),
    # YAML syntax: where the mistake starts
    ("yaml_tab_indent", "yaml-tab", 24, 1),
    ("yaml_bad_indent", "yaml-indentation", 24, 14),
    ("yaml_unclosed_bracket", "yaml-unclosed-bracket", 55, 15),
    ("yaml_unclosed_brace", "yaml-unclosed-bracket", 14, 9),
    ("yaml_duplicate_key", "duplicate-key", 26, 3),
    ("yaml_duplicate_top_key", "duplicate-key", 11, 1),
    ("yaml_unclosed_quote", "yaml-unclosed-quote", 8, 14),
    ("yaml_missing_colon_space", "yaml-indentation", 24, 3),
    ("yaml_python_tag", "yaml-tag", 24, 15),
]


def test_the_corpus_is_large_and_listed_here() -> None:
    assert len(EXPECTED) >= 60
    names = [name for name, *_ in EXPECTED]
    assert len(names) == len(set(names))
    assert sorted(names) == sorted(path.stem for path in BROKEN_JOBS)


@pytest.mark.parametrize(("name", "code", "line", "column"), EXPECTED, ids=[row[0] for row in EXPECTED])
def test_broken_job_gives_one_error_at_the_mistake(name: str, code: str, line: int, column: int, capsys) -> None:
    path = BROKEN / f"{name}.yml"
    errors = validate_file(path).errors
    assert [(d.code, d.line + 1, d.column + 1) for d in errors] == [(code, line, column)], [d.format(name) for d in errors]

    assert main([str(path), "--check"]) == EXIT_INVALID
    out, err = capsys.readouterr()
    assert f"{path}:{line}:{column}: error: {errors[0].message}" in out.splitlines()
    assert "Traceback" not in out + err


def test_several_files_are_checked_in_one_call(capsys) -> None:
    paths = [str(BROKEN / "unknown_key_top.yml"), str(BROKEN / "epochs_zero.yml")]
    assert main([*paths, "--check"]) == EXIT_INVALID
    out, _ = capsys.readouterr()
    assert [line.split(":")[0] for line in out.splitlines()] == paths


def test_did_you_mean_for_a_misspelt_key_and_value() -> None:
    [key] = validate_file(BROKEN / "unknown_key_limits.yml").errors
    assert key.message == "unknown key 'max_trial' in limits (did you mean 'max_trials'?)"
    [value] = validate_file(BROKEN / "bad_scheduler.yml").errors
    assert value.message.endswith("(did you mean 'warmup_cosine'?)")
    [choice] = validate_file(BROKEN / "bad_model_name_in_choice.yml").errors
    assert choice.message.endswith("(did you mean 'resnet50'?)")


MESSAGES = {
    "unknown_key_expression": "unknown key 'step' in search_space[0].learning_rate",
    "quoted_number_int": "training_batch_size must be an integer, got the quoted text '32': remove the quotes",
    "float_for_int": "number_of_epochs must be an integer, got 15.0",
    "empty_value": "target_column_name must be a string, got nothing (an empty value)",
    "validation_data_size_1": "validation_data_size must be in (0, 1), got 1.0",
    "layers_to_freeze_choice_too_large": "layers_to_freeze must be in [0, 5] for seresnext, got 6",
    "missing_truncation_percentage": "missing required key 'truncation_percentage' in sweep.early_termination",
    "bandit_both_slacks": "give the bandit policy slack_factor or slack_amount, not both",
    "yaml_unclosed_bracket": "unclosed bracket (opened at line 55, column 15): expected ',' or ']', but got ':'",
    "yaml_duplicate_key": "duplicate key 'max_trials': it is already set above",
}


@pytest.mark.parametrize(("name", "message"), MESSAGES.items(), ids=list(MESSAGES))
def test_messages_say_what_is_wrong_and_what_would_be_right(name: str, message: str) -> None:
    [error] = validate_file(BROKEN / f"{name}.yml").errors
    assert error.message == message
