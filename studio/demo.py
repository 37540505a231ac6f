"""`automl-studio --init-demo DIR`: the demo dataset and a job that runs it."""

from __future__ import annotations

import sys
from pathlib import Path

EXIT_OK, EXIT_INVALID = 0, 2


def init_demo(directory: Path) -> int:
    from engine.data.demo import write_demo

    if directory.exists() and any(directory.iterdir()):
        if (directory / "job.yml").exists():
            print(f"{directory} already holds a demo: {directory / 'job.yml'}", file=sys.stderr)
            return EXIT_OK
        print(f"automl-studio: {directory} is not empty: give a new or empty folder", file=sys.stderr)
        return EXIT_INVALID
    job = write_demo(directory)
    print(f"demo dataset and job written: {job}")
    print(f"run it with: automl-studio {job} --run")
    return EXIT_OK
