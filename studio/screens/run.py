"""The run view: a run's trials, the chart of its primary metric, the selected trial's
details and the log, live while the run goes and the same for a finished one.

Events come from `follow_events` in a thread worker, which posts `EventsRead` batches
and waits until this screen took each one (back-pressure). The handler folds a batch
into the `RunModel` at once; widgets are redrawn from the model on a timer, so a fast
runner costs one redraw per tick, not one per event. Every action that touches the
run (cancel, export, promote) goes through the run folder; nothing here stops the
runner when the studio quits.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Optional

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer
from textual.worker import Worker, WorkerState

from engine.events import LOG_LEVELS
from engine.runfolder import RunFolder, read_json
from engine.spec import read_text, validate_file

from ..actions import bindings_for
from ..promote import PromoteError, default_promoted_path, promote_trial
from ..run_launcher import LaunchedRun, cancel_run, last_runner_line
from ..run_model import LogFilter, RunModel
from ..run_tail import follow_events
from ..trial_diff import differing_params, trial_params
from ..widgets.log_pane import LogPane
from ..widgets.metric_chart import MetricChart
from ..widgets.run_status import RunStatus, RunStatusInfo
from ..widgets.trial_details import TrialDetails
from ..widgets.trials_table import TrialsTable
from .confirm import Choice, ConfirmScreen
from .diff import DiffScreen
from .prompt import PromptScreen

REDRAW_SECONDS = 0.05
RUNNER_CHECK_SECONDS = 1.0
CANCEL_CHOICES = [Choice("yes", "Cancel it", "y", "error"), Choice("no", "Keep it running", "n", "primary")]
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class RunScreen(Screen):
    ACTION_SCOPE = "run"
    BINDINGS = bindings_for(ACTION_SCOPE)

    class EventsRead(Message):
        """A batch of new events from the follower thread."""

        def __init__(self, events: list[Any]) -> None:
            super().__init__()
            self.events = events

    class Redrawn(Message):
        """The widgets now show every event up to `newest`; `oldest` waited longest (benchmarks)."""

        def __init__(self, oldest: datetime, newest: datetime, shown_at: float) -> None:
            super().__init__()
            self.oldest, self.newest, self.shown_at = oldest, newest, shown_at

    class ExportFinished(Message):
        def __init__(self, trial_id: str, paths: dict[str, str]) -> None:
            super().__init__()
            self.trial_id, self.paths = trial_id, paths

    class ExportFailed(Message):
        def __init__(self, trial_id: str, reason: str) -> None:
            super().__init__()
            self.trial_id, self.reason = trial_id, reason

    def __init__(
        self,
        folder: RunFolder,
        *,
        launched: Optional[LaunchedRun] = None,
        origin_job: Optional[Path] = None,
        clock: Clock = utc_now,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.folder = folder
        self.launched = launched
        self.origin_job = origin_job
        """The job file the run was started from, when the studio started it."""
        self.clock = clock
        self.model = RunModel()
        self.log_filter = LogFilter()
        self.marked: Optional[str] = None
        self.runner_alive = launched is not None
        self._stop, self._taken = threading.Event(), threading.Event()
        self._unshown_since: Optional[datetime] = None
        self._reconciled = False
        self._exit_noted = False
        self._drawn: Optional[tuple] = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="run-top"):
            yield TrialsTable(id="trials-table")
            yield MetricChart(id="metric-chart")
        with Horizontal(id="run-bottom"):
            yield TrialDetails(id="trial-details")
            yield LogPane(id="log-pane")
        yield RunStatus(id="run-status")
        yield Footer()

    @property
    def table(self) -> TrialsTable:
        return self.query_one(TrialsTable)

    @property
    def selected_trial(self) -> Optional[str]:
        return self.table.selected_trial

    @property
    def shows_model(self) -> bool:
        """Whether every widget shows the model as it is now (tests and screenshots wait on it)."""
        drawn = self._drawn is not None and self._drawn[0] == self.model.version
        return drawn and self.query_one(MetricChart).up_to_date

    def on_mount(self) -> None:
        self._read_job_settings()
        self.check_runner()
        self.set_interval(REDRAW_SECONDS, self.redraw, name="redraw run view")
        self.set_interval(RUNNER_CHECK_SECONDS, self.check_runner, name="runner check")
        self.follow()
        self.table.focus()

    def on_unmount(self) -> None:
        self._stop.set()

    def _read_job_settings(self) -> None:
        job = validate_file(self.folder.job_file).job if self.folder.job_file.exists() else None
        self.model.name = self.folder.name
        if job is not None:
            self.model.primary_metric = job.primary_metric
            self.model.timeout_minutes = job.limits.timeout_minutes or None
            verbosity = job.log_verbosity.lower()
            self.log_filter = LogFilter(min_level=verbosity if verbosity in LOG_LEVELS else "debug")

    # -- events ----------------------------------------------------------------------------

    @work(thread=True, name="follow events", group="run-events", exclusive=True)
    def follow(self) -> None:
        follow_events(self.folder.events_file, self._deliver, stop=self._stop, taken=self._taken)

    def _deliver(self, events: list[Any]) -> None:
        self.post_message(self.EventsRead(events))

    @on(EventsRead)
    def _events_read(self, message: EventsRead) -> None:
        if self._unshown_since is None and message.events:
            self._unshown_since = message.events[0].time
        self.model.apply(message.events)
        self._taken.set()

    def redraw(self) -> None:
        """Called by the redraw timer: bring every widget up to the model."""
        model, selected = self.model, self.selected_trial
        self.query_one(RunStatus).show(self._status_info())
        if (model.version, selected, self.log_filter, self.app.theme) == self._drawn:
            return
        self.table.show(model)
        if selected is None and model.trials:
            selected = self.selected_trial
        if self.log_filter.trial is not None and selected is not None and self.log_filter.trial != selected:
            self.log_filter = LogFilter(self.log_filter.min_level, selected)  # the trial filter follows the cursor
        self.query_one(MetricChart).show(model, selected)
        self.query_one(TrialDetails).show(model, selected)
        self.query_one(LogPane).show(model.log, self.log_filter, model.started_at)
        self._drawn = (model.version, selected, self.log_filter, self.app.theme)
        if self._unshown_since is not None and model.last_event_at is not None:
            self.post_message(self.Redrawn(self._unshown_since, model.last_event_at, time.time()))
            self._unshown_since = None
        if model.end_status is not None and not self._reconciled:
            self._reconcile_with_summary()

    def _status_info(self) -> RunStatusInfo:
        model = self.model
        now = self.clock() if self.runner_alive else (model.last_event_at or self.clock())
        done, running, total = model.counts()
        if model.end_status is not None:
            state = model.end_status
        elif self.runner_alive:
            state = "running" if model.started_at else "starting"
        else:
            state = "not running"
        return RunStatusInfo(
            state=state,
            name=model.name,
            elapsed=model.elapsed_seconds(now),
            done=done,
            running=running,
            total=total,
            metric=model.primary_metric,
            best_trial=model.best_trial,
            best_value=model.best_value,
            time_left=model.time_left_seconds(now),
            marked=self.marked,
        )

    def _reconcile_with_summary(self) -> None:
        """The summary has the last word on statuses (a trial cancelled as the run ended)."""
        self._reconciled = True
        summary = self.folder.summary() or {}
        for trial in summary.get("trials", []):
            row = self.model.trials.get(trial.get("id"))
            if row is not None and trial.get("status") and trial["status"] != row.status:
                row.status, row.reason = trial["status"], trial.get("reason")
                self.model.version += 1

    def check_runner(self) -> None:
        """Called every second: is the runner still there? (A launched one is also reaped.)"""
        exit_code = self.launched.exit_code() if self.launched else None
        self.runner_alive = self.folder.runner_pid() is not None or (self.launched is not None and exit_code is None)
        if exit_code not in (None, 0) and self.model.end_status is None and not self._exit_noted:
            self._exit_noted = True
            last_words = last_runner_line(self.folder)
            self.model.add_note(self.clock(), "error", f"the runner exited with code {exit_code}: {last_words}")
            self.notify(f"The run stopped (exit code {exit_code}): {last_words}", severity="error", timeout=8)

    # -- selection ---------------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#trials-table")
    def _trial_highlighted(self) -> None:
        self.call_after_refresh(self.redraw)

    def action_select_best(self) -> None:
        if self.model.best_trial is None:
            self.notify("No best trial yet", timeout=2)
        else:
            self.table.select(self.model.best_trial)

    def _selected_or_warn(self) -> Optional[str]:
        selected = self.selected_trial
        if selected is None:
            self.notify("No trial yet", timeout=2)
        return selected

    # -- log filter --------------------------------------------------------------------------

    def action_log_level(self) -> None:
        index = (LOG_LEVELS.index(self.log_filter.min_level) + 1) % len(LOG_LEVELS)
        self.log_filter = LogFilter(LOG_LEVELS[index], self.log_filter.trial)
        self.redraw()

    def action_log_trial(self) -> None:
        trial = None if self.log_filter.trial is not None else self.selected_trial
        self.log_filter = LogFilter(self.log_filter.min_level, trial)
        self.redraw()

    # -- cancelling --------------------------------------------------------------------------

    def action_cancel_trial(self) -> None:
        trial_id = self._selected_or_warn()
        if trial_id is None:
            return
        row = self.model.trials[trial_id]
        if row.finished or not self.runner_alive:
            self.notify(f"Trial {trial_id} is not running", timeout=3)
            return

        def answered(choice: Optional[str]) -> None:
            if choice == "yes":
                self.folder.request_cancel(trial_id)
                self.model.mark_cancel_requested(trial_id)
                self.notify(f"Cancelling trial {trial_id}: it stops at its next checkpoint", timeout=4)

        self.app.push_screen(ConfirmScreen(f"Cancel trial {trial_id}? It stops at a checkpoint.", CANCEL_CHOICES), answered)

    def action_cancel_run(self) -> None:
        if not self.runner_alive:
            self.notify("The run is not running", timeout=3)
            return

        def answered(choice: Optional[str]) -> None:
            if choice != "yes":
                return
            fallback = self.launched.process.pid if self.launched else None
            pid = cancel_run(self.folder, fallback_pid=fallback)
            if pid is None:
                self.notify("The runner is not running any more", severity="warning")
            else:
                self.notify("Cancelling the run: trials checkpoint, then the summary is written", timeout=5)

        question = f"Cancel the run {self.folder.name}? Running trials stop at a checkpoint; --resume continues it."
        self.app.push_screen(ConfirmScreen(question, CANCEL_CHOICES), answered)

    # -- export ------------------------------------------------------------------------------

    def action_export_trial(self) -> None:
        trial_id = self._selected_or_warn()
        if trial_id is not None:
            self.notify(f"Exporting trial {trial_id}…", timeout=3)
            self.export(trial_id)

    @work(thread=True, name="export trial", group="export", exclusive=True, exit_on_error=False)
    def export(self, trial_id: str) -> None:
        from engine.data import DataError
        from engine.export import ExportError, export_run

        # The best trial goes where the run put its export; another one beside it, so a
        # look at a runner-up never overwrites the best model.
        destination = None if trial_id == self.model.best_trial else self.folder.path / "exports" / trial_id
        try:
            report = export_run(self.folder.path, trial_id=trial_id, destination=destination)
        except (ExportError, DataError, OSError) as error:
            self.post_message(self.ExportFailed(trial_id, str(error)))
            return
        self.post_message(self.ExportFinished(trial_id, dict(report.paths)))

    @on(ExportFinished)
    def _export_finished(self, message: ExportFinished) -> None:
        paths = "\n".join(f"{name}: {path}" for name, path in message.paths.items())
        self.model.add_note(self.clock(), "info", f"exported trial {message.trial_id}: {', '.join(message.paths.values())}")
        self.notify(f"Exported trial {message.trial_id}\n{paths}", timeout=10)

    @on(ExportFailed)
    def _export_failed(self, message: ExportFailed) -> None:
        self.notify(f"Export of trial {message.trial_id} failed: {message.reason}", severity="error", timeout=10)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name == "export trial" and event.state == WorkerState.ERROR:
            error = event.worker.error
            self.notify(f"Export failed: {type(error).__name__}: {error}", severity="error", timeout=10)

    # -- promote and diff --------------------------------------------------------------------

    def action_promote_trial(self) -> None:
        trial_id = self.selected_trial or self.model.best_trial
        if trial_id is None:
            self.notify("No trial to promote yet", timeout=2)
            return
        origin = self.origin_job or self._job_beside_data()
        default = default_promoted_path(origin, trial_id)

        def answered(answer: Optional[str]) -> None:
            if answer:
                self._promote(trial_id, Path(answer))

        self.app.push_screen(PromptScreen(f"Save trial {trial_id}'s parameters as a new job:", str(default)), answered)

    def _job_beside_data(self) -> Path:
        """For a run opened from its folder: a job named after the run, where its data paths start."""
        base_dir = (read_json(self.folder.path / "run.json", {}) or {}).get("base_dir")
        return Path(base_dir or ".") / f"{self.folder.name}.yml"

    def _promote(self, trial_id: str, destination: Path) -> None:
        params = self.model.trials[trial_id].params or trial_params(self.folder, trial_id)
        try:
            written = promote_trial(read_text(self.folder.job_file), params, destination, base_dir=destination.parent)
        except (PromoteError, OSError) as error:
            self.notify(f"Not promoted: {error}", severity="error", timeout=8)
            return
        self.notify(f"Wrote {written}", timeout=5)

    def action_mark_trial(self) -> None:
        trial_id = self._selected_or_warn()
        if trial_id is not None:
            self.marked = trial_id
            self.notify(f"Marked trial {trial_id}: select another one and press d to compare", timeout=4)
            self.redraw()

    def action_diff_trials(self) -> None:
        selected = self._selected_or_warn()
        if selected is None:
            return
        if self.marked is None or self.marked == selected:
            self.notify("Mark a trial with m, then select another one to compare", timeout=4)
            return
        first, second = trial_params(self.folder, self.marked), trial_params(self.folder, selected)
        self.app.push_screen(DiffScreen(self.marked, selected, differing_params(first, second)))
