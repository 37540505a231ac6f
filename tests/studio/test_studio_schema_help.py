"""Cursor context, completion and key help without the UI."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st
from studio_testing import JOB

from engine.spec import EXPRESSION_TYPES, MODEL_NAMES, validate_text
from studio.actions import ACTIONS
from studio.completions import completions_at
from studio.field_help import help_for
from studio.widgets.job_editor import next_line_indent
from studio.yaml_context import cursor_context, key_path_at

SEARCH = """\
sweep:
  sampling_algorithm: random
  early_termination:
    type: ba
search_space:
  - model_name:
      type: choice
      values: [resnet18]
    learning_rate:
      type: uniform
      min_value: 0.005

  - 
"""


def labels(text: str, line: int, column: int) -> list[str]:
    return [c.label for c in completions_at(text, line, column)[1]]


def test_key_paths_follow_indentation_and_list_items():
    assert key_path_at(JOB, 18, 0) == ("training_parameters", "learning_rate")
    assert key_path_at(SEARCH, 10, 8) == ("search_space", 0, "learning_rate", "min_value")
    assert key_path_at(SEARCH, 12, 4) == ("search_space", 1)


def test_key_completion_offers_the_missing_keys_of_the_mapping():
    text = JOB.replace("  learning_rate: 0.01\n", "  learning_rate: 0.01\n  \n")
    offered = labels(text, 19, 2)
    assert "optimizer" in offered and "momentum" in offered
    assert "model_name" not in offered and "learning_rate" not in offered  # already there
    top = labels(JOB + "\n", JOB.count("\n"), 0)
    assert "sweep" in top and "training_data" not in top


def test_a_mapping_key_inserts_a_block_at_the_next_indent():
    text = JOB + "lim\n"
    context, [limits] = completions_at(JOB.replace("limits:", "lim:"), 12, 3)
    assert limits.label == "limits" and limits.insert == "limits:\n  "
    _, found = completions_at(text, JOB.count("\n"), 3)
    assert found == []  # limits is already in the job


def test_value_completion_lists_enums_booleans_model_names_and_policies():
    assert labels(JOB, 5, len("primary_metric: io"))[0] == "iou"  # what starts with the typed text first
    assert len(labels(JOB, 5, len("primary_metric: "))) == 6
    assert labels(JOB.replace("model_name: resnet18", "model_name: "), 16, 14) == list(MODEL_NAMES)
    assert labels("training_parameters:\n  nesterov: ", 1, 12) == ["true", "false"]
    assert labels(SEARCH, 3, 12) == ["bandit"]
    assert set(labels(SEARCH.replace("type: ba", "type: "), 3, 10)) == {"bandit", "median_stopping", "truncation_selection"}


def test_search_space_completion_knows_parameters_and_expressions():
    assert labels(SEARCH, 6, len("      type: ")) == list(EXPRESSION_TYPES)
    new_item = labels(SEARCH, 12, 4)
    assert "learning_rate" in new_item and "advanced_settings" not in new_item
    text = SEARCH.replace("      min_value: 0.005\n", "      min_value: 0.005\n      \n")
    assert labels(text, 11, 6) == ["max_value"]


def test_completing_every_offered_top_level_key_keeps_the_yaml_readable():
    base = JOB + "\n"
    line = base.count("\n")
    for completion in completions_at(base, line, 0)[1]:
        text = base + completion.insert + ("x" if completion.insert.endswith(": ") else "")
        parsed = validate_text(text)
        assert not [d for d in parsed.diagnostics if d.code.startswith("yaml")], completion.label


def test_key_help_has_description_type_range_and_default():
    found = help_for(("training_parameters", "learning_rate"))
    assert found.type_name == "number" and found.range == "[0, 1]" and found.default == "0.035"
    assert found.description.startswith("Initial learning rate")
    metric = help_for(("primary_metric",))
    assert "iou" in metric.allowed and metric.default == "accuracy"
    assert help_for(("type",)).required
    assert help_for(("tags", "owner")) is None


def test_enter_indents_under_the_key_and_deeper_after_a_colon():
    assert next_line_indent("training_parameters:") == 2
    assert next_line_indent("  model_name: resnet18") == 2
    assert next_line_indent("  - model_name:") == 6
    assert next_line_indent("    ") == 4


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=" -:#abc\n[]{}'\"\t", max_size=80), st.integers(0, 10), st.integers(0, 40))
def test_context_and_completion_never_fail_on_any_text(text, line, column):
    cursor_context(text, line, column)
    completions_at(text, line, column)
    key_path_at(text, line, column)


def test_every_action_has_a_unique_id_and_an_implementation():
    from studio.app import StudioApp
    from studio.screens.editor import EditorScreen
    from studio.screens.run import RunScreen

    assert len({a.id for a in ACTIONS}) == len(ACTIONS)
    owners = {"app": StudioApp, "editor": EditorScreen, "run": RunScreen}
    for action in ACTIONS:
        assert hasattr(owners[action.scope], f"action_{action.action}"), action.id


def test_importing_the_cli_loads_no_textual():
    code = "import sys, studio.cli; assert 'textual' not in sys.modules, 'textual imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
