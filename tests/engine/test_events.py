"""Event codec, log writer, tail reader and sinks."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from engine.events import (
    BestChanged,
    ConsoleSink,
    Emitter,
    EpochEnded,
    EventLog,
    EventSink,
    EventTail,
    ExportDone,
    FanOutSink,
    ListSink,
    Log,
    LogLevelFilter,
    RunEnded,
    RunStarted,
    TrialEnded,
    TrialStarted,
    decode,
    encode,
)

SAMPLES = [
    RunStarted(run="r1", name="job", primary_metric="iou", run_dir="runs/r1", max_trials=3),
    TrialStarted(run="r1", trial="1", params={"learning_rate": 0.01, "model_name": "resnet18"}, pretrained=False,
                 weights="random init"),
    Log(run="r1", level="warning", message="line one\nline two", trial="1"),
    EpochEnded(run="r1", trial="1", epoch=2, metrics={"iou": 0.5}, loss=0.3, lr=0.01, images_per_second=120.5,
               seconds=3.2),
    TrialEnded(run="r1", trial="1", status="early_terminated", reason="bandit", metrics={"iou": 0.5}, best_epoch=2,
               epochs=3),
    BestChanged(run="r1", trial="1", metric="iou", value=0.5, epoch=2),
    ExportDone(run="r1", trial="1", paths={"onnx": "best_model/model.onnx"}, max_abs_diff=1e-6),
    RunEnded(run="r1", status="completed", best_trial="1"),
]


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: e.type)
def test_every_event_round_trips_through_one_line(event):
    line = encode(event)
    assert "\n" not in line
    assert decode(line) == event


def test_readers_ignore_unknown_fields_and_skip_unknown_types():
    data = json.loads(encode(SAMPLES[3]))
    data["gpu_memory"] = 12.5
    assert decode(json.dumps(data)) == SAMPLES[3]
    assert decode(json.dumps({"type": "gpu_sampled", "time": data["time"], "run": "r1"})) is None


def test_a_damaged_line_is_an_error_not_a_silent_skip():
    with pytest.raises(ValueError):
        decode('{"type": "epoch_ended", "run": "r1"}')
    with pytest.raises(ValueError):
        decode("[1, 2]")


def test_the_log_is_readable_line_by_line_while_still_open(tmp_path):
    log = EventLog(tmp_path / "events.jsonl")
    tail = EventTail(tmp_path / "events.jsonl")
    log.emit(SAMPLES[0])
    assert tail.read() == [SAMPLES[0]]
    log.emit(SAMPLES[1])
    log.emit(SAMPLES[2])
    assert tail.read() == SAMPLES[1:3]
    assert tail.read() == []
    log.close()


def test_the_tail_waits_for_a_partial_last_line(tmp_path):
    path = tmp_path / "events.jsonl"
    line = encode(SAMPLES[3])
    path.write_text(encode(SAMPLES[0]) + "\n" + line[:20])
    tail = EventTail(path)
    assert tail.read() == [SAMPLES[0]]
    with open(path, "a") as f:
        f.write(line[20:] + "\n")
    assert tail.read() == [SAMPLES[3]]


def test_the_tail_skips_unknown_and_damaged_lines_and_counts_them(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text('{"type": "future_thing", "run": "r"}\nnot json\n' + encode(SAMPLES[7]) + "\n")
    tail = EventTail(path)
    assert tail.read() == [SAMPLES[7]]
    assert tail.skipped == 2


def test_the_tail_restarts_on_a_replaced_file_and_tolerates_a_missing_one(tmp_path):
    path = tmp_path / "events.jsonl"
    tail = EventTail(path)
    assert tail.read() == []
    path.write_text(encode(SAMPLES[0]) + "\n" + encode(SAMPLES[1]) + "\n")
    assert len(tail.read()) == 2
    path.write_text(encode(SAMPLES[7]) + "\n")
    assert tail.read() == [SAMPLES[7]]
    replacement = tmp_path / "new.jsonl"
    replacement.write_text("".join(encode(e) + "\n" for e in SAMPLES))
    replacement.replace(path)  # longer than before: only the inode tells
    assert tail.read() == SAMPLES


def test_log_verbosity_filters_log_events_only():
    sink = ListSink()
    filtered = LogLevelFilter(sink, "warning")
    for level in ("debug", "info", "warning", "error"):
        filtered.emit(Log(level=level, message=level))
    filtered.emit(SAMPLES[3])
    assert [getattr(e, "level", e.type) for e in sink.events] == ["warning", "error", "epoch_ended"]
    everything = ListSink()
    LogLevelFilter(everything, "not_set").emit(Log(level="debug", message="x"))
    assert len(everything.events) == 1
    with pytest.raises(ValueError):
        LogLevelFilter(sink, "verbose")


def test_fan_out_reaches_every_sink_and_closes_them(tmp_path):
    first, second = ListSink(), EventLog(tmp_path / "e.jsonl")
    fan = FanOutSink(first, second)
    assert isinstance(fan, EventSink)
    fan.emit(SAMPLES[0])
    fan.close()
    assert first.events == [SAMPLES[0]]
    assert EventTail(tmp_path / "e.jsonl").read() == [SAMPLES[0]]
    with pytest.raises(ValueError, match="closed"):
        second.emit(SAMPLES[0])


def test_console_prints_plain_lines_off_a_terminal():
    stream = io.StringIO()
    sink = ConsoleSink(stream)
    sink.emit(SAMPLES[1])
    sink.emit(SAMPLES[3])
    sink.emit(SAMPLES[4])
    lines = stream.getvalue().splitlines()
    assert lines[0] == "trial 1: started (RANDOM INIT: no pretrained weights)"
    assert lines[1].startswith("trial 1: epoch 2 loss 0.3000") and lines[1].endswith("iou 0.5000")
    assert lines[2] == "trial 1: early_terminated (bandit) after 3 epochs iou 0.5000"


def test_console_uses_rich_styling_when_asked():
    stream = io.StringIO()
    ConsoleSink(stream, rich=True).emit(Log(level="error", message="disk full"))
    assert "disk full" in stream.getvalue()


def test_emitter_fills_run_and_trial():
    sink = ListSink()
    Emitter(sink, run="r9", trial="4").log("info", "hello")
    Emitter(sink, run="r9", trial="4").emit(RunEnded, status="failed")
    assert (sink.events[0].run, sink.events[0].trial, sink.events[0].message) == ("r9", "4", "hello")
    assert sink.events[1].run == "r9"


def test_importing_events_loads_neither_torch_nor_textual():
    code = "import sys, engine.events; print('torch' in sys.modules, 'textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
