"""The run folder of DESIGN.md section 8, and small helpers to read and write it safely.

```
job.yml          the job exactly as submitted
events.jsonl     every event, one JSON object a line
summary.json     written at the end (and on interruption)
sweep.json       the sweep's state: proposals, so --resume continues where it was
data/            the data split and the decoded-image cache, shared by every trial
trials/<id>/     params.json, log.txt, checkpoints (best.pt, last.pt), metrics.jsonl, result.json
best_model/      the export (or outputs.best_model.path)
```
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

RUNS_FOLDER = Path("runs")


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON through a temporary file and a rename, so readers never see half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, default=str)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_json(path: Path, default: Any = None) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return default


def update_json(path: Path, values: dict) -> dict:
    """Merge `values` into the JSON object at `path` (several writers share run.json)."""
    merged = {**(read_json(path, {}) or {}), **values}
    write_json_atomic(path, merged)
    return merged


class RunFolder:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def job_file(self) -> Path:
        return self.path / "job.yml"

    @property
    def events_file(self) -> Path:
        return self.path / "events.jsonl"

    @property
    def summary_file(self) -> Path:
        return self.path / "summary.json"

    @property
    def sweep_file(self) -> Path:
        return self.path / "sweep.json"

    @property
    def data_folder(self) -> Path:
        return self.path / "data"

    @property
    def best_model_folder(self) -> Path:
        return self.path / "best_model"

    def trial_folder(self, trial_id: str) -> Path:
        return self.path / "trials" / trial_id

    def trial_ids(self) -> list[str]:
        trials = self.path / "trials"
        return sorted(p.name for p in trials.iterdir() if p.is_dir()) if trials.is_dir() else []

    def exists(self) -> bool:
        return self.job_file.exists()

    def create(self, job_text: str) -> None:
        """Start a new run: the folder must not hold another run."""
        if self.exists():
            raise FileExistsError(f"{self.path} already holds a run: use --resume to continue it, or another --run-dir")
        (self.path / "trials").mkdir(parents=True, exist_ok=True)
        with open(self.job_file, "w", encoding="utf-8", newline="") as handle:
            handle.write(job_text)

    def summary(self) -> Optional[dict]:
        return read_json(self.summary_file)

    # Requests from the studio to a running runner: one empty file per request, so any
    # process that can write the folder can ask, and a request survives a runner restart.
    @property
    def control_folder(self) -> Path:
        return self.path / "control"

    def request_cancel(self, trial_id: str) -> None:
        self.control_folder.mkdir(parents=True, exist_ok=True)
        (self.control_folder / f"cancel-{trial_id}").touch()

    def take_cancel_requests(self) -> list[str]:
        """Trials the studio asked to cancel since the last call (the requests are consumed)."""
        if not self.control_folder.is_dir():
            return []
        taken = []
        for request in self.control_folder.glob("cancel-*"):
            taken.append(request.name.removeprefix("cancel-"))
            request.unlink(missing_ok=True)
        return sorted(taken)

    def runner_pid(self) -> Optional[int]:
        """The pid of the process running this folder's sweep, if it is still alive."""
        pid = (read_json(self.path / "run.json", {}) or {}).get("runner_pid")
        if not isinstance(pid, int):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid
        return pid


def run_name_for(job_name: Optional[str], now: Optional[datetime] = None) -> str:
    """The job's `name`, or a generated one (`job-20261204-213000`)."""
    if job_name:
        return re.sub(r"[^A-Za-z0-9._-]+", "-", job_name).strip("-") or "job"
    return f"job-{(now or datetime.now()).strftime('%Y%m%d-%H%M%S')}"


def default_run_folder(job_name: Optional[str], parent: Path = RUNS_FOLDER) -> RunFolder:
    """`runs/<name>`; when that holds a run already, the first free `runs/<name>-N`."""
    base = run_name_for(job_name)
    candidate = parent / base
    number = 2
    while RunFolder(candidate).exists():
        candidate = parent / f"{base}-{number}"
        number += 1
    return RunFolder(candidate)
