"""A trial running in its own process, seen from the scheduler.

The child (`python -m engine trial RUN_DIR TRIAL_ID`) writes one JSON event per line on
its stdout and its log on stderr (into `trials/<id>/log.txt`). A reader thread moves the
lines into the scheduler's queue, so one slow trial never blocks the others.

Signals: SIGUSR1 asks the trial to stop early (the policy decided), SIGTERM to stop at a
checkpoint (interruption), SIGKILL ends it. On Linux the child also gets SIGKILL when the
scheduler dies, so a killed runner leaves no orphan trials behind to race a `--resume`.
"""

from __future__ import annotations

import ctypes
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Optional, Sequence

EXIT_OUT_OF_MEMORY = 3
"""The child's exit code for CUDA out-of-memory: the scheduler retries with a smaller batch."""
EXIT_INTERRUPTED = 130


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class TrialProcess:
    def __init__(
        self,
        trial_id: str,
        command: Sequence[str],
        *,
        log_path: Path,
        lines: "queue.Queue[tuple[str, Optional[str]]]",
        env: Optional[dict[str, str]] = None,
    ) -> None:
        self.trial_id = trial_id
        self.started = time.monotonic()
        self.stop_requested = False
        self.interrupt_requested = False
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(log_path, "ab")
        self.process = subprocess.Popen(
            list(command),
            stdout=subprocess.PIPE,
            stderr=self._log,
            stdin=subprocess.DEVNULL,
            env=env,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        self._reader = threading.Thread(target=self._read, args=(lines,), name=f"trial-{trial_id}-stdout", daemon=True)
        self._reader.start()

    def _read(self, lines: "queue.Queue[tuple[str, Optional[str]]]") -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            lines.put((self.trial_id, raw.decode("utf-8", errors="replace")))
        lines.put((self.trial_id, None))  # end of output: the process is exiting

    @property
    def pid(self) -> int:
        return self.process.pid

    def seconds(self) -> float:
        return time.monotonic() - self.started

    def request_early_stop(self) -> None:
        if not self.stop_requested:
            self.stop_requested = True
            self._signal(signal.SIGUSR1)

    def interrupt(self) -> None:
        if not self.interrupt_requested:
            self.interrupt_requested = True
            self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def _signal(self, number: int) -> None:
        if self.process.poll() is None:
            try:
                self.process.send_signal(number)
            except ProcessLookupError:
                pass

    def wait(self, timeout: Optional[float] = None) -> Optional[int]:
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        self._reader.join(timeout=5)
        self._log.close()
        return code


def describe_exit(code: int) -> str:
    """Why a trial process ended, in words, from its exit code."""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"killed by {name}"
    if code == EXIT_OUT_OF_MEMORY:
        return "ran out of GPU memory"
    return f"exited with code {code}"


def last_log_line(log_path: Path, limit: int = 300) -> str:
    """The last non-empty line of a trial's log: usually the error that ended it."""
    try:
        with open(log_path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 8192))
            tail = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    lines = [line.strip() for line in tail.splitlines() if line.strip()]
    return lines[-1][:limit] if lines else ""
