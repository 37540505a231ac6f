"""Mutated job files give diagnostics, never exceptions (DESIGN.md section 11)."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.spec import Diagnostic, ValidationResult, validate_text
from spec_fixtures import ALL_JOBS, JOBS

SEEDS = [path.read_text(encoding="utf-8") for path in ALL_JOBS]
CONSOLE_SCRIPT = Path(sys.executable).parent / "automl-studio"
_VALUE = re.compile(r"(:\s+)(\S[^#\n]*)")

scalars = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["true", "False", "~", "null", "''", '"', "[", "{", "}", "- x", "&a", "*a", "!!str", "|", ">-", "%", "@"]),
    st.text(max_size=12),
)


def _insert(text: str, data: st.DataObject) -> str:
    at = data.draw(st.integers(0, len(text)))
    return text[:at] + data.draw(st.text(min_size=1, max_size=3)) + text[at:]


def _delete(text: str, data: st.DataObject) -> str:
    if not text:
        return text
    at = data.draw(st.integers(0, len(text) - 1))
    return text[:at] + text[at + data.draw(st.integers(1, 4)) :]


def _replace(text: str, data: st.DataObject) -> str:
    if not text:
        return text
    at = data.draw(st.integers(0, len(text) - 1))
    return text[:at] + data.draw(st.sampled_from("\t :-[]{}#'\"\n\\,&*!|>%@`0x")) + text[at + 1 :]


def _lines(text: str, data: st.DataObject) -> str:
    lines = text.splitlines(keepends=True)
    if len(lines) < 2:
        return text
    i, j = data.draw(st.integers(0, len(lines) - 1)), data.draw(st.integers(0, len(lines) - 1))
    operation = data.draw(st.sampled_from(["delete", "duplicate", "swap"]))
    if operation == "delete":
        del lines[i]
    elif operation == "duplicate":
        lines.insert(j, lines[i])
    else:
        lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


def _value(text: str, data: st.DataObject) -> str:
    matches = list(_VALUE.finditer(text))
    if not matches:
        return text
    match = data.draw(st.sampled_from(matches))
    return text[: match.start(2)] + data.draw(scalars) + text[match.end(2) :]


def _indent(text: str, data: st.DataObject) -> str:
    lines = text.splitlines(keepends=True)
    if not lines:
        return text
    i = data.draw(st.integers(0, len(lines) - 1))
    change = data.draw(st.sampled_from([-2, -1, 1, 2, 4]))
    lines[i] = " " * change + lines[i] if change > 0 else lines[i][min(-change, len(lines[i]) - len(lines[i].lstrip(" "))) :]
    return "".join(lines)


MUTATIONS = [_insert, _delete, _replace, _lines, _value, _indent]


def _assert_diagnostics_only(result: object, text: str) -> None:
    assert isinstance(result, ValidationResult)
    assert all(isinstance(d, Diagnostic) for d in result.diagnostics)
    assert (result.job is None) == bool(result.errors)
    for diagnostic in result.diagnostics:
        assert 0 <= diagnostic.line <= text.count("\n") + 1
        assert diagnostic.column >= 0 and diagnostic.message


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEEDS), st.data())
def test_mutated_jobs_give_diagnostics(seed: str, data: st.DataObject) -> None:
    text = seed
    for mutate in data.draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3)):
        text = mutate(text, data)
    _assert_diagnostics_only(validate_text(text, base_dir=JOBS), text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_diagnostics(text: str) -> None:
    _assert_diagnostics_only(validate_text(text), text)


def _mutated_files(folder: Path, count: int) -> list[Path]:
    """Deterministic mutants for the console check (hypothesis drives the in-process test)."""
    rng = random.Random(20240611)
    paths = []
    for index in range(count):
        lines = rng.choice(SEEDS).splitlines(keepends=True)
        i = rng.randrange(len(lines))
        kind = index % 4
        if kind == 0:
            lines[i] = "\t" + lines[i]
        elif kind == 1:
            lines.insert(rng.randrange(len(lines)), lines[i])
        elif kind == 2:
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)] + rng.choice(["[", "{", '"', ": :", "- "]) + "\n"
        else:
            lines[i] = "   " + lines[i]
        path = folder / f"mutant_{index}.yml"
        path.write_text("".join(lines), encoding="utf-8")
        paths.append(path)
    return paths


def test_check_of_mutated_files_prints_no_traceback(tmp_path: Path) -> None:
    paths = _mutated_files(tmp_path, 12)
    run = subprocess.run(
        [str(CONSOLE_SCRIPT), *map(str, paths), "--check"], capture_output=True, text=True, timeout=120
    )
    assert run.returncode in (0, 2)
    assert "Traceback" not in run.stdout + run.stderr
    assert "internal error" not in run.stderr
    assert run.stdout  # most mutants are wrong; a silent run would mean nothing was checked
