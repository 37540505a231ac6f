"""Starting a run outside the studio, and stopping it politely. No UI here.

The runner is `python -m engine run JOB --run-dir DIR` in its own session
(`start_new_session`): quitting the studio or an SSH hang-up does not reach it. Its own
output goes to `runner.log` in the run folder; what the studio shows comes from
`events.jsonl`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from engine.runfolder import RunFolder

RUNNER_LOG = "runner.log"


@dataclass
class LaunchedRun:
    folder: RunFolder
    process: subprocess.Popen

    def exit_code(self) -> Optional[int]:
        """The runner's exit code once it ended (this also reaps it), else None."""
        return self.process.poll()


def launch_run(job_path: Path, folder: RunFolder) -> LaunchedRun:
    folder.path.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "engine", "run", str(job_path), "--run-dir", str(folder.path)]
    with open(folder.path / RUNNER_LOG, "ab") as log:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    return LaunchedRun(folder, process)


def last_runner_line(folder: RunFolder) -> str:
    """The runner's last words (why it stopped before writing any event, usually)."""
    try:
        lines = (folder.path / RUNNER_LOG).read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1] if lines else ""


def cancel_run(folder: RunFolder, fallback_pid: Optional[int] = None) -> Optional[int]:
    """SIGTERM to the runner (it checkpoints its trials and writes the summary). Returns the
    pid signalled, or None when no runner is alive."""
    pid = folder.runner_pid() or fallback_pid
    if pid is None:
        return None
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return None
    return pid
