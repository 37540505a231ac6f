"""Editor latency: keystroke to updated diagnostics in the studio, on a 300-line job.

The real app runs headless (`App.run_test`). Each sample presses one key on a value
(alternately breaking it with `x` and fixing it with Backspace) and stops the clock when
the editor takes the diagnostics of the new text: the key's dispatch, the validation in its
worker thread (GIL shared with the UI redrawing the edit) and the hand-over to the UI are
inside the figure; painting them is the next frame (Textual draws at most 60 per second).
Target (DESIGN.md section 10): median < 100 ms.

    .venv/bin/python bench/editor_latency.py            # print the figures
    .venv/bin/python bench/editor_latency.py --record   # and write them to bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from results import replace_section  # bench/results.py: run as a script, bench/ is on the path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from check_latency import generate_job  # noqa: E402  (the same 300-line job as the --check bench)

from studio.app import StudioApp  # noqa: E402
from studio.widgets.job_editor import VALIDATION_DELAY  # noqa: E402

TARGET_MS = 100.0
SECTION = "## Editor latency"
COMMAND = ".venv/bin/python bench/editor_latency.py --record"


async def measure(text: str, keystrokes: int) -> list[float]:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["AUTOML_STUDIO_CONFIG_DIR"] = folder  # never touch the user's config
        job = Path(folder) / "job.yml"
        job.write_text(text, encoding="utf-8")
        app = StudioApp(job, theme="studio-dark", remember_theme=False)
        async with app.run_test(size=(120, 40)) as pilot:
            editor = app.editor_screen.editor
            await _until_shown(editor)
            line = next(i for i, t in enumerate(text.split("\n")) if t.strip().startswith("number_of_epochs: 1"))
            editor.move_cursor((line, len(editor.document.get_line(line))))
            shown_at = _stamp_diagnostics(editor)
            samples = []
            for index in range(keystrokes):
                breaking = index % 2 == 0
                start = time.perf_counter()
                await pilot.press("x" if breaking else "backspace")
                await _until_shown(editor)
                samples.append((shown_at[-1] - start) * 1000)
                has_error = any(d.is_error and d.span.line == line for d in editor.diagnostics)
                assert has_error == breaking, "the diagnostics shown are not those of the text"
            return samples


def _stamp_diagnostics(editor) -> list[float]:
    """Record when the editor takes new diagnostics (the next frame paints them).

    `pilot.press` returns only once the app is idle, after that frame; timing its return
    would add the test harness's own wait to the figure.
    """
    stamps: list[float] = []
    show = editor.show_diagnostics

    def show_and_stamp(*args, **kwargs):
        show(*args, **kwargs)
        stamps.append(time.perf_counter())

    editor.show_diagnostics = show_and_stamp
    return stamps


async def _until_shown(editor) -> None:
    # Polled at 1 ms: the clock's resolution, not a synchronisation guess.
    while editor.diagnostics_version != editor.text_version:
        await asyncio.sleep(0.001)


def record(lines: int, median: float, p90: float, keystrokes: int) -> None:
    verdict = "met" if median < TARGET_MS else "**not met**"
    section = (
        f"Keystroke to updated diagnostics in the studio editor (headless `App.run_test`, 120x40),\n"
        f"on the generated {lines}-line job of `bench/check_latency.py`; {keystrokes} keystrokes\n"
        f"alternately breaking and fixing a value, one key after a pause (a burst is debounced by\n"
        f"{VALIDATION_DELAY * 1000:.0f} ms). Measured to the moment the editor takes the new diagnostics: key dispatch,\n"
        f"validation in a worker thread and the hand-over to the UI; the next frame paints them.\n"
        f"{platform.machine()}, {os.cpu_count()} cores "
        f"(shared VM), Python {platform.python_version()}.\n\n"
        "| command | median | p90 |\n"
        "| --- | ---: | ---: |\n"
        f"| `{COMMAND}` | {median:.1f} ms | {p90:.1f} ms |\n\n"
        f"Target (DESIGN.md section 10): < {TARGET_MS:.0f} ms: {verdict}. Validation itself is most of\n"
        "it (see \"Job file validation\"), slowed when the UI thread redraws the edit at the same time\n"
        "(they share the GIL). On this shared 2-core machine the median was 74-88 ms (p90 106-132 ms)\n"
        "while other jobs ran; re-run on an idle machine before quoting it.\n"
    )
    replace_section(SECTION, section)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=300)
    parser.add_argument("--keystrokes", type=int, default=60)
    parser.add_argument("--record", action="store_true", help="write the figures to bench/RESULTS.md")
    args = parser.parse_args()
    text = generate_job(args.lines)
    samples = asyncio.run(measure(text, args.keystrokes))
    median = statistics.median(samples)
    p90 = statistics.quantiles(samples, n=10)[-1]
    lines = text.count("\n")
    print(f"editor latency, {lines}-line job, {len(samples)} keystrokes: median {median:.1f} ms, p90 {p90:.1f} ms "
          f"(target < {TARGET_MS:.0f} ms: {'met' if median < TARGET_MS else 'NOT met'})")
    if args.record:
        record(lines, median, p90, len(samples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
