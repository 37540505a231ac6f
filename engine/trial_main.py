"""One trial in its own process: `python -m engine trial RUN_DIR TRIAL_ID [--resume]`.

The scheduler starts it. Events go to stdout as JSON lines (the original stdout; Python's
`sys.stdout` is pointed at stderr so that no library's print can corrupt the stream), the
log to stderr. Exit codes: 0 finished (its `trial_ended` says how), 130 stopped at a
checkpoint, 3 CUDA out of memory (the scheduler retries with a smaller batch), 1 failed.

Signals: SIGUSR1 = the early-termination policy stopped the trial; SIGTERM / SIGINT =
stop at a checkpoint (interruption), `--resume` continues from `last.pt`.

`distributed: true` with several visible GPUs: this process starts one process per GPU
(`engine.train.distributed.launch`, DistributedDataParallel) and waits for them. Rank 0
writes the events to this process's event stream (its file descriptor is handed to the
rank) and `result.json`; the other ranks emit nothing. The stop signals still come to
this process, which passes them on to the ranks through shared flags; the training loop
broadcasts rank 0's decisions. A rank's failure fails the trial with that rank's error.
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

WORLD_SIZE_VARIABLE = "AUTOML_STUDIO_WORLD_SIZE"
"""Testing aid: with `distributed: true`, start this many DDP processes instead of one per
visible GPU (gloo on a CPU), so the multi-process path runs on any machine (never set it
otherwise)."""


class _StopFlags:
    """What the signal handlers set: threading events, or process-shared ones once the
    trial runs in several processes (set from here, read by rank 0)."""

    def __init__(self) -> None:
        self.early, self.interrupted = threading.Event(), threading.Event()

    def share(self, context) -> None:
        self._switch(context.Event(), context.Event())

    def unshare(self) -> None:
        """Back to threading events, so the shared ones are released (and their
        semaphores with them: the process ends with `os._exit`, skipping finalizers)."""
        self._switch(threading.Event(), threading.Event())

    def _switch(self, early, interrupted) -> None:
        old = (self.early, self.interrupted)
        self.early, self.interrupted = early, interrupted
        for before, after in zip(old, (early, interrupted)):
            if before.is_set():  # a signal that came before the switch
                after.set()


class _InheritedFd:
    """A file descriptor that a spawned process receives as the same open file (the
    spawn machinery passes it on, as it does for pipes and sockets)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __reduce__(self):
        from multiprocessing.reduction import DupFd

        return (_InheritedFd._rebuild, (DupFd(self.fd),))

    @staticmethod
    def _rebuild(duplicate) -> _InheritedFd:
        return _InheritedFd(duplicate.detach())


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
    flags = _StopFlags()
    signal.signal(signal.SIGUSR1, lambda *_: flags.early.set())
    signal.signal(signal.SIGTERM, lambda *_: flags.interrupted.set())
    signal.signal(signal.SIGINT, lambda *_: flags.interrupted.set())
    folder = RunFolder(run_dir)
    emitter = Emitter(_StreamSink(events_out), run=folder.name, trial=trial_id)
    try:
        return _run(folder, trial_id, resume=resume, emitter=emitter, events_out=events_out, flags=flags)
    except Exception as error:  # noqa: BLE001 - every failure must reach the scheduler as a reason
        if _is_out_of_memory(error):
            print(f"CUDA out of memory: {error}", file=sys.stderr)
            return EXIT_OUT_OF_MEMORY
        traceback.print_exc(file=sys.stderr)
        print(_reason(error), file=sys.stderr)
        return 1


def _reason(error: BaseException) -> str:
    """One line for the scheduler (the log's last line): a rank's own error, not the
    multiprocessing wrapper around its traceback."""
    text = f"{type(error).__name__}: {error}"
    if type(error).__name__ == "ProcessRaisedException":
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        text = lines[-1] if lines else text
    lines = text.splitlines()
    return lines[0] if lines else type(error).__name__


def _is_out_of_memory(error: BaseException) -> bool:
    import torch

    return isinstance(error, torch.OutOfMemoryError) or "CUDA out of memory" in str(error)


def _run(folder: RunFolder, trial_id: str, *, resume: bool, emitter: Emitter, events_out: IO[str], flags: _StopFlags) -> int:
    from engine.sweep.state import SweepState
    from engine.trial_setup import trial_job_and_params

    record = SweepState.load(folder.sweep_file).record(trial_id)
    _inject_fault(trial_id, retried=bool(record.overrides), interrupted=flags.interrupted)
    _, params = trial_job_and_params(folder, record)
    world_size = _world_size(bool(params.distributed))
    if world_size == 1:
        return _train(folder, record, resume=resume, emitter=emitter, early=flags.early, interrupted=flags.interrupted)
    return _run_distributed(folder, trial_id, world_size, resume=resume, events_out=events_out, flags=flags)


def _world_size(distributed: bool) -> int:
    from engine.train.distributed import world_size_for

    forced = os.environ.get(WORLD_SIZE_VARIABLE, "").strip()
    if distributed and forced:
        return max(1, int(forced))
    return world_size_for(distributed)


def _run_distributed(folder: RunFolder, trial_id: str, world_size: int, *, resume: bool, events_out: IO[str], flags: _StopFlags) -> int:
    import torch.multiprocessing as mp

    from engine.train.distributed import launch

    context = mp.get_context("spawn")
    flags.share(context)
    exit_code = context.Value("i", 1)
    events_out.flush()
    try:
        launch(
            _rank_main, world_size, str(folder.path), trial_id, resume, _InheritedFd(events_out.fileno()),
            flags.early, flags.interrupted, exit_code,
        )
        return exit_code.value
    finally:
        flags.unshare()
        del exit_code


def _rank_main(rank: int, world_size: int, run_dir: str, trial_id: str, resume: bool, events: _InheritedFd,
               early, interrupted, exit_code) -> None:
    """One DDP rank (a spawned process, inside an initialised process group)."""
    import torch

    from engine.sweep.state import SweepState

    sys.stdout = sys.stderr  # stdout is the trial's log already; keep prints there
    # Stop requests reach the trial process, which sets `early` / `interrupted`; a rank
    # stopped by a signal of its own (Ctrl-C reaches the whole process group) would leave
    # the others waiting in a collective. A rank still dies with the trial process.
    for number in (signal.SIGUSR1, signal.SIGTERM, signal.SIGINT):
        signal.signal(number, signal.SIG_IGN)
    _die_with_parent()
    if not torch.cuda.is_available():  # ranks share the CPU cores
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // world_size))
    folder = RunFolder(Path(run_dir))
    if rank == 0:
        sink = _StreamSink(os.fdopen(events.fd, "w", encoding="utf-8", buffering=1))
    else:
        os.close(events.fd)
        sink = None  # only rank 0 speaks
    emitter = Emitter(sink, run=folder.name, trial=trial_id)
    if rank == 0:
        emitter.log("info", f"distributed: {world_size} processes ({torch.distributed.get_backend()})")
    record = SweepState.load(folder.sweep_file).record(trial_id)
    code = _train(folder, record, resume=resume, emitter=emitter, early=early, interrupted=interrupted, main=rank == 0)
    if rank == 0:
        exit_code.value = code
        sink.close()


def _die_with_parent() -> None:
    """SIGKILL when the trial process dies (torch's spawn asks for SIGINT, ignored here)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _train(folder: RunFolder, record, *, resume: bool, emitter: Emitter, early, interrupted, main: bool = True) -> int:
    """Build and run the trial; `main` (rank 0, or the only process) writes result.json."""
    from engine.trial_setup import prepare_trial

    trial_id = record.id
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
    if main:
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
