"""One trial in its own process: `python -m engine trial RUN_DIR TRIAL_ID [--resume]`.

The scheduler starts it. Events go to stdout as JSON lines (the original stdout; Python's
`sys.stdout` is pointed at stderr so that no library's print can corrupt the stream), the
log to stderr. Exit codes: 0 finished (its `trial_ended` says how), 130 stopped at a
checkpoint, 3 CUDA out of memory (the scheduler retries with a smaller batch), 1 failed.

Signals: SIGUSR1 = the early-termination policy stopped the trial; SIGTERM / SIGINT =
stop at a checkpoint (interruption), `--resume` continues from `last.pt`.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import traceback
from pathlib import Path
from typing import IO

from engine.events import Emitter, TrialEnded, TrialStarted, encode
from engine.runfolder import RunFolder, write_json_atomic
from engine.sweep.trial_process import EXIT_INTERRUPTED, EXIT_OUT_OF_MEMORY

FAULT_INJECTION_VARIABLE = "AUTOML_STUDIO_FAULT_INJECTION"
"""Testing aid: `t002:raise,t003:hang` makes those trials fail that way (see `_inject_fault`)."""


class _StreamSink:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.lock = threading.Lock()

    def emit(self, event) -> None:
        with self.lock:
            self.stream.write(encode(event) + "\n")
            self.stream.flush()

    def close(self) -> None:
        self.stream.flush()


def main(run_dir: Path, trial_id: str, *, resume: bool = False) -> int:
    events_out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # anything printed from here on lands in the log, not in the event stream
    sys.stdout = sys.stderr
    early, interrupted = threading.Event(), threading.Event()
    signal.signal(signal.SIGUSR1, lambda *_: early.set())
    signal.signal(signal.SIGTERM, lambda *_: interrupted.set())
    signal.signal(signal.SIGINT, lambda *_: interrupted.set())
    folder = RunFolder(run_dir)
    emitter = Emitter(_StreamSink(events_out), run=folder.name, trial=trial_id)
    try:
        return _run(folder, trial_id, resume=resume, emitter=emitter, early=early, interrupted=interrupted)
    except Exception as error:  # noqa: BLE001 - every failure must reach the scheduler as a reason
        if _is_out_of_memory(error):
            print(f"CUDA out of memory: {error}", file=sys.stderr)
            return EXIT_OUT_OF_MEMORY
        traceback.print_exc(file=sys.stderr)
        print(f"{type(error).__name__}: {error}".splitlines()[0], file=sys.stderr)
        return 1


def _is_out_of_memory(error: BaseException) -> bool:
    import torch

    return isinstance(error, torch.OutOfMemoryError) or "CUDA out of memory" in str(error)


def _run(folder: RunFolder, trial_id: str, *, resume: bool, emitter: Emitter, early, interrupted) -> int:
    from engine.sweep.state import SweepState
    from engine.trial_setup import prepare_trial

    record = SweepState.load(folder.sweep_file).record(trial_id)
    _inject_fault(trial_id, retried=bool(record.overrides), interrupted=interrupted)
    setup = prepare_trial(folder, record, emitter=emitter)
    emitter.emit(
        TrialStarted,
        params=setup.params_summary,
        pretrained=setup.parts.weights.pretrained,
        weights=setup.parts.weights.source,
    )
    result = setup.run(resume=resume, should_stop=lambda *_: early.is_set(), stop=lambda: early.is_set() or interrupted.is_set())
    status, reason = result.status, result.reason
    if status == "interrupted" and early.is_set() and not interrupted.is_set():
        status, reason = "early_terminated", "stopped by the early termination policy"
    write_json_atomic(
        folder.trial_folder(trial_id) / "result.json",
        {"status": status, "reason": reason, "metrics": result.metrics, "per_label": result.per_label,
         "best_epoch": result.best_epoch, "epochs": result.epochs},
    )
    emitter.emit(TrialEnded, status=status, reason=reason, metrics=result.metrics, best_epoch=result.best_epoch, epochs=result.epochs)
    return EXIT_INTERRUPTED if status == "interrupted" else 0


def _inject_fault(trial_id: str, *, retried: bool, interrupted: threading.Event) -> None:
    """Make a trial fail on purpose, for the scheduler's fault tests (never set it otherwise).

    `raise`: an exception; `hang`: never returns; `kill`: SIGKILL itself; `oom`: CUDA
    out-of-memory on the first attempt only, so the scheduler's retry succeeds; `slow`:
    a long first attempt that stops at a checkpoint when asked (exit 130).
    """
    spec = os.environ.get(FAULT_INJECTION_VARIABLE, "")
    kind = dict(item.split(":", 1) for item in spec.split(",") if ":" in item).get(trial_id)
    if kind == "raise":
        raise RuntimeError("injected failure")
    if kind == "hang":
        threading.Event().wait()
    if kind == "oom" and not retried:
        raise RuntimeError("CUDA out of memory (injected)")
    if kind == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if kind == "slow" and not retried and interrupted.wait():
        sys.exit(EXIT_INTERRUPTED)
