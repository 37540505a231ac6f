"""The run folders under `runs/`, newest first, each with its status.

The status is summary.json's when the run ended, `running` while its runner is alive,
and `stopped` otherwise (killed or crashed before writing a summary: `--resume` it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from engine.runfolder import RUNS_FOLDER, RunFolder


@dataclass(frozen=True)
class RecentRun:
    folder: RunFolder
    status: str
    modified: datetime


def run_status(folder: RunFolder) -> str:
    if folder.runner_pid() is not None:
        return "running"
    summary = folder.summary()
    return str(summary.get("status", "unknown")) if isinstance(summary, dict) else "stopped"


def recent_runs(parent: Path = RUNS_FOLDER, limit: int = 50) -> list[RecentRun]:
    if not parent.is_dir():
        return []
    folders = [RunFolder(path) for path in parent.iterdir() if path.is_dir() and RunFolder(path).exists()]
    runs = [RecentRun(folder, run_status(folder), _modified(folder)) for folder in folders]
    return sorted(runs, key=lambda run: run.modified, reverse=True)[:limit]


def _modified(folder: RunFolder) -> datetime:
    """When the run last wrote an event (or was created)."""
    newest = folder.events_file if folder.events_file.exists() else folder.job_file
    return datetime.fromtimestamp(newest.stat().st_mtime)
