"""The editor validates on every keystroke: `engine.spec` stays light (DESIGN.md section 2)."""

from __future__ import annotations

import json
import subprocess
import sys

from spec_fixtures import REPO


def _modules_after(statement: str) -> set[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60, check=True)
    return set(json.loads(run.stdout))


def _roots(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_engine_spec_imports_neither_torch_nor_textual() -> None:
    roots = _roots(_modules_after("import engine.spec"))
    assert "engine" in roots
    assert not roots & {"torch", "textual", "studio", "numpy", "timm", "mlflow"}


def test_engine_imports_no_textual() -> None:
    roots = _roots(_modules_after("import engine"))
    assert "engine" in roots
    assert not roots & {"textual", "studio"}


def test_check_imports_no_torch() -> None:
    roots = _roots(_modules_after("import studio.check"))
    assert not roots & {"torch", "textual"}
