"""`automl-studio JOB.yml --check`: diagnostics, compiler style, on stdout."""

from __future__ import annotations

import sys
from typing import Iterable

from engine.spec import validate_file

EXIT_OK, EXIT_INVALID = 0, 2


def check_files(paths: Iterable[str]) -> int:
    """Validate each file; exit 2 when any has an error (warnings alone pass)."""
    # A key or value the terminal's encoding cannot show must not turn a message into a crash.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    failed = False
    for path in paths:
        result = validate_file(path)
        for diagnostic in result.diagnostics:
            print(diagnostic.format(path))
        failed = failed or not result.ok
        if result.ok:
            summary = f"{path}: ok" + (f" ({len(result.warnings)} warning{'s' if len(result.warnings) != 1 else ''})" if result.warnings else "")
            print(summary, file=sys.stderr)
    return EXIT_INVALID if failed else EXIT_OK
