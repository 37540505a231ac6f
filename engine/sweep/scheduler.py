"""The trial scheduler: launches trial processes, applies the policy, survives failures.

One process per slot (`max_concurrent_trials`). GPUs are handed out round-robin through
`CUDA_VISIBLE_DEVICES` when several trials run at once; a single slot sees every GPU (so
`distributed` can use them all). A trial that raises, runs out of memory, hangs past
`trial_timeout_minutes` or is killed is recorded as failed with its reason and the sweep
goes on; CUDA out-of-memory is retried once with half the batch and twice the gradient
accumulation. `timeout_minutes` stops launching and stops the running trials at a
checkpoint, keeping what finished.
"""

from __future__ import annotations

import queue
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional

from engine.events import BestChanged, EpochEnded, Log, TrialEnded, TrialStarted, decode

from .policies import Policy
from .samplers import Proposal, Sampler
from .state import SUCCEEDED, SweepState, TrialRecord, trial_id_for
from .trial_process import EXIT_INTERRUPTED, EXIT_OUT_OF_MEMORY, TrialProcess, describe_exit, last_log_line


EXIT_WAIT_SECONDS = 60.0
REQUEST_POLL_SECONDS = 0.5
"""How often the studio's requests (cancel a trial) are looked for."""

Launcher = Callable[[TrialRecord, bool, Optional[str], "queue.Queue"], TrialProcess]
"""(record, resume, CUDA_VISIBLE_DEVICES or None, line queue) -> a started TrialProcess."""


@dataclass
class SchedulerSettings:
    max_trials: int
    max_concurrent_trials: int
    timeout_seconds: float
    trial_timeout_seconds: float
    primary_metric: str
    gpus: tuple[str, ...] = ()
    kill_grace_seconds: float = 30.0
    """How long a trial asked to stop (SIGTERM) gets to checkpoint before SIGKILL."""


@dataclass
class _Running:
    process: TrialProcess
    reported: Optional[TrialEnded] = None
    stop_reason: Optional[str] = None
    timed_out: bool = False
    cancelled: bool = False
    kill_at: Optional[float] = None


class Scheduler:
    def __init__(
        self,
        *,
        settings: SchedulerSettings,
        state: SweepState,
        sampler: Sampler,
        policy: Policy,
        launch: Launcher,
        emit: Callable[[object], None],
        save_state: Callable[[SweepState], None],
        resolve: Callable[[dict], Any],
        poll_requests: Optional[Callable[[], list[str]]] = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`resolve(overrides)` gives a trial's effective training parameters (batch size,
        accumulation), which the out-of-memory retry halves and doubles.
        `poll_requests()` returns trials the user asked to cancel (the studio's requests)."""
        self.settings = settings
        self.state = state
        self.sampler = sampler
        self.policy = policy
        self.launch = launch
        self.emit = emit
        self.save_state = save_state
        self.resolve = resolve
        self.poll_requests = poll_requests
        self.clock = clock
        self.lines: "queue.Queue[tuple[str, Optional[str]]]" = queue.Queue()
        self.running: dict[str, _Running] = {}
        self.interrupt_requested = False
        self.timed_out = False
        self._launch_count = 0
        self._next_poll = 0.0
        self._best_value: Optional[float] = None

    # -- public -------------------------------------------------------------------------

    def request_interrupt(self) -> None:
        """Ctrl-C / SIGTERM: stop every trial at a checkpoint. Safe from a signal handler."""
        self.interrupt_requested = True

    def run(self) -> str:
        """Run the sweep to its end; returns completed, interrupted or timed_out."""
        started = self.clock()
        deadline = started + self.settings.timeout_seconds - self.state.elapsed_seconds
        best = self.state.best(self.settings.primary_metric)
        self._best_value = best.metrics[self.settings.primary_metric] if best else None
        try:
            while True:
                if self.interrupt_requested:
                    self._stop_all()
                if not self.timed_out and self.clock() > deadline:
                    self.timed_out = True
                    self._stop_all()
                if not (self.interrupt_requested or self.timed_out):
                    self._fill_slots()
                if not self.running:
                    break
                self._pump()
        finally:
            self.state.elapsed_seconds += self.clock() - started
            self.save_state(self.state)
        if self.interrupt_requested:
            return "interrupted"
        return "timed_out" if self.timed_out else "completed"

    # -- launching ----------------------------------------------------------------------

    def _fill_slots(self) -> None:
        while len(self.running) < self.settings.max_concurrent_trials:
            record, resume = self._next_trial()
            if record is None:
                return
            self._start(record, resume)

    def _next_trial(self) -> tuple[Optional[TrialRecord], bool]:
        for record in self.state.trials:
            if record.status in ("pending", "running", "interrupted") and record.id not in self.running:
                # Restart from the last checkpoint; a pending retry starts afresh.
                return record, record.status != "pending"
        if len(self.state.trials) >= self.settings.max_trials:
            return None, False
        index = len(self.state.trials)
        proposal = self.sampler.propose(index)
        if proposal is None:  # a grid smaller than max_trials
            return None, False
        record = TrialRecord(
            id=trial_id_for(index),
            index=index,
            params=proposal.params,
            subspace=proposal.subspace,
            sampler_state=proposal.sampler_state,
        )
        self.state.trials.append(record)
        return record, False

    def _start(self, record: TrialRecord, resume: bool) -> None:
        gpus = self.settings.gpus
        visible = None
        if gpus and self.settings.max_concurrent_trials > 1:
            visible = gpus[self._launch_count % len(gpus)]
        self._launch_count += 1
        record.status = "running"
        record.attempts += 1
        self.save_state(self.state)
        process = self.launch(record, resume, visible, self.lines)
        self.running[record.id] = _Running(process)
        where = f" on GPU {visible}" if visible is not None else ""
        self.emit(Log(level="debug", message=f"{record.id} launched{where} (attempt {record.attempts})", trial=record.id))

    # -- watching -----------------------------------------------------------------------

    def cancel_trial(self, trial_id: str) -> None:
        """Stop one running trial at a checkpoint; it ends `cancelled` and is not resumed."""
        running = self.running.get(trial_id)
        if running is not None and not running.cancelled:
            running.cancelled = True
            self.emit(Log(level="info", message=f"{trial_id} cancelled by the user", trial=trial_id))
            self._stop(running)

    def _pump(self) -> None:
        now = self.clock()
        if self.poll_requests is not None and now >= self._next_poll:
            # A folder listing per request check, not per event line: trials can be chatty.
            self._next_poll = now + REQUEST_POLL_SECONDS
            for trial_id in self.poll_requests():
                self.cancel_trial(trial_id)
        try:
            trial_id, line = self.lines.get(timeout=0.2)
        except queue.Empty:
            self._check_trial_timeouts()
            return
        if line is None:
            self._finish(trial_id)
        else:
            self._on_line(trial_id, line)
        self._check_trial_timeouts()

    def _on_line(self, trial_id: str, line: str) -> None:
        try:
            event = decode(line)
        except ValueError:
            event = Log(level="debug", message=line.rstrip()[:500], trial=trial_id)
        if event is None:
            return
        running = self.running.get(trial_id)
        if isinstance(event, TrialEnded):
            if running is not None:
                running.reported = event
            return  # the scheduler emits the one trial_ended, once it knows the exit code
        if isinstance(event, TrialStarted) and event.pretrained is not None:
            self.state.record(trial_id).pretrained = event.pretrained
        self.emit(event)
        if isinstance(event, EpochEnded):  # after the epoch is shown, the policy's verdict on it
            self._on_epoch(trial_id, event)

    def _on_epoch(self, trial_id: str, event: EpochEnded) -> None:
        record = self.state.record(trial_id)
        record.epochs = max(record.epochs, event.epoch)
        value = event.metrics.get(self.settings.primary_metric)
        if value is None:
            return
        record.primary_history.append(value)
        self.save_state(self.state)
        histories = {t.id: t.primary_history for t in self.state.trials if t.primary_history}
        finished = frozenset(t.id for t in self.state.trials if t.finished)
        decision = self.policy.decide(trial_id, histories, finished)
        running = self.running.get(trial_id)
        if decision.stop and running is not None and not running.process.stop_requested:
            running.stop_reason = decision.reason
            running.process.request_early_stop()
            self.emit(Log(level="info", message=f"early termination of {trial_id}: {decision.reason}", trial=trial_id))

    def _check_trial_timeouts(self) -> None:
        now = self.clock()
        for trial_id, running in self.running.items():
            process = running.process
            if not running.timed_out and process.seconds() > self.settings.trial_timeout_seconds:
                running.timed_out = True
                minutes = self.settings.trial_timeout_seconds / 60
                self.emit(Log(level="warning", message=f"{trial_id} exceeded trial_timeout_minutes ({minutes:g}): stopping it", trial=trial_id))
                self._stop(running, now)
            if running.kill_at is not None and now > running.kill_at:
                process.kill()
                running.kill_at = None

    def _stop(self, running: _Running, now: Optional[float] = None) -> None:
        running.process.interrupt()
        running.kill_at = (now if now is not None else self.clock()) + self.settings.kill_grace_seconds

    def _stop_all(self) -> None:
        for running in self.running.values():
            if not running.process.interrupt_requested:
                self._stop(running)

    # -- finishing ----------------------------------------------------------------------

    def _finish(self, trial_id: str) -> None:
        running = self.running.pop(trial_id)
        # Its output ended, so it is exiting; a process that lingers after that is stuck.
        code = running.process.wait(timeout=EXIT_WAIT_SECONDS)
        if code is None:
            running.process.kill()
            code = running.process.wait()
        record = self.state.record(trial_id)
        if code == EXIT_OUT_OF_MEMORY and record.attempts == 1 and not running.timed_out:
            self._retry_smaller(record)
            return
        self._record_outcome(record, running, code)
        self.save_state(self.state)
        self.emit(
            TrialEnded(
                trial=trial_id,
                status=record.status,
                reason=record.reason,
                metrics=record.metrics,
                best_epoch=record.best_epoch,
                epochs=record.epochs,
            )
        )
        if record.finished:
            value = record.metrics.get(self.settings.primary_metric) if record.status in SUCCEEDED else None
            self.sampler.observe(
                Proposal(record.params, record.subspace, record.sampler_state), value
            )
            self._update_best(record)

    def _record_outcome(self, record: TrialRecord, running: _Running, code: int) -> None:
        reported = running.reported
        if reported is not None:
            record.metrics = dict(reported.metrics)
            record.best_epoch = reported.best_epoch
            record.epochs = max(record.epochs, reported.epochs)
        if running.cancelled:
            record.status, record.reason = "cancelled", "cancelled by the user"
        elif running.timed_out:
            minutes = self.settings.trial_timeout_seconds / 60
            record.status, record.reason = "failed", f"exceeded trial_timeout_minutes ({minutes:g})"
        elif reported is not None and code in (0, EXIT_INTERRUPTED):
            record.status = reported.status
            record.reason = running.stop_reason if reported.status == "early_terminated" else reported.reason
        elif running.process.interrupt_requested:
            # Asked to stop: it continues from its last checkpoint on --resume, even if it
            # had to be killed for not stopping in time.
            record.status = "interrupted"
            record.reason = "stopped at a checkpoint" if code in (EXIT_INTERRUPTED, 0) else describe_exit(code)
        else:
            detail = last_log_line(running.process.log_path)
            record.status = "failed"
            record.reason = describe_exit(code) + (f": {detail}" if detail else "")
        if record.status == "interrupted" and self.timed_out:
            record.reason = "timeout_minutes reached"

    def _retry_smaller(self, record: TrialRecord) -> None:
        params = self.resolve(record.effective_params)
        batch, accumulation = params.training_batch_size, params.gradient_accumulation_step
        record.overrides.update(
            training_batch_size=max(1, batch // 2), gradient_accumulation_step=accumulation * 2
        )
        record.status = "pending"
        record.epochs = 0
        record.primary_history = []
        self.save_state(self.state)
        self.emit(
            Log(
                level="warning",
                message=f"{record.id} ran out of GPU memory: retrying once with batch {max(1, batch // 2)} "
                f"and gradient accumulation {accumulation * 2}",
                trial=record.id,
            )
        )

    def _update_best(self, record: TrialRecord) -> None:
        value = record.metrics.get(self.settings.primary_metric)
        if record.status not in SUCCEEDED or value is None:
            return
        if self._best_value is None or value > self._best_value:
            self._best_value = value
            self.emit(BestChanged(trial=record.id, metric=self.settings.primary_metric, value=value, epoch=record.best_epoch))
