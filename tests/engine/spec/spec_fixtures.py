"""Where the job file fixtures are (tests/fixtures/jobs), shared by the spec tests."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
JOBS = REPO / "tests" / "fixtures" / "jobs"
BROKEN = JOBS / "broken"
AZURE_JOBS = sorted((JOBS / "azure").glob("*.yml"))
"""The two job files of Azure's public examples, copied byte for byte with their data folders."""
VALID_JOBS = sorted(JOBS.glob("*.yml")) + AZURE_JOBS
BROKEN_JOBS = sorted(BROKEN.glob("*.yml"))
ALL_JOBS = VALID_JOBS + BROKEN_JOBS
