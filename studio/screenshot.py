"""Save an SVG picture of the studio on a job file, headless (for the README and docs).

    python -m studio.screenshot JOB.yml OUT.svg [--size 100x30] [--theme NAME]
                                [--line N] [--keys f2 ...]
    python -m studio.screenshot --run-dir RUN_DIR OUT.svg [--size 120x36] [--keys b ...]

Runs the real app with `App.run_test`, waits until the diagnostics of the file are
shown (or, with --run-dir, until the run view shows every event of the run folder),
puts the cursor on line N (1-based), presses the keys, and saves the screen with
`App.save_screenshot`. Inside the studio, F12 saves a screenshot of what you see.
`python -m studio.sample_run DIR` writes a scripted run folder to picture.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from .app import StudioApp


async def save_run_screenshot(run_dir: Path, out: Path, size: tuple[int, int], theme: str, keys: list[str]) -> None:
    app = StudioApp(None, run_dir=run_dir, theme=theme, remember_theme=False)
    events = sum(1 for _ in open(run_dir / "events.jsonl", encoding="utf-8"))
    async with app.run_test(size=size) as pilot:
        while app.run_screen is None or app.run_screen.model.events_applied < events:
            await pilot.pause(0.01)
        await pilot.press(*keys)
        screen = app.run_screen
        while not screen.shows_model:
            await pilot.pause(0.01)
        await pilot.pause()
        app.save_screenshot(filename=out.name, path=str(out.parent.resolve()))


async def save_screenshot(job: Path, out: Path, size: tuple[int, int], theme: str, line: int, keys: list[str]) -> None:
    app = StudioApp(job, theme=theme, remember_theme=False)
    async with app.run_test(size=size) as pilot:
        editor = app.editor_screen.editor
        editor.cursor_blink = False
        while editor.diagnostics_version != editor.text_version:
            await pilot.pause(0.01)
        editor.move_cursor((max(0, line - 1), 0), center=True)
        await pilot.press(*keys)
        await pilot.pause()
        app.save_screenshot(filename=out.name, path=str(out.parent.resolve()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m studio.screenshot", description=__doc__.split("\n\n")[0])
    parser.add_argument("job", type=Path, nargs="?", help="the job file (not with --run-dir)")
    parser.add_argument("out", type=Path)
    parser.add_argument("--run-dir", type=Path, help="picture the run view of this run folder instead")
    parser.add_argument("--size", default="100x30", help="COLUMNSxROWS")
    parser.add_argument("--theme", default="studio-dark")
    parser.add_argument("--line", type=int, default=1, help="cursor line, 1-based")
    parser.add_argument("--keys", nargs="*", default=[], help="keys to press first, e.g. f2")
    args = parser.parse_args(argv)
    columns, rows = (int(n) for n in args.size.split("x"))
    if args.run_dir is not None:
        asyncio.run(save_run_screenshot(args.run_dir, args.out.resolve(), (columns, rows), args.theme, args.keys))
    elif args.job is not None:
        asyncio.run(save_screenshot(args.job, args.out.resolve(), (columns, rows), args.theme, args.line, args.keys))
    else:
        parser.error("give a JOB.yml or --run-dir")
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
