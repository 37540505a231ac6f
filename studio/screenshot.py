"""Save an SVG picture of the studio on a job file, headless (for the README and docs).

    python -m studio.screenshot JOB.yml OUT.svg [--size 100x30] [--theme NAME]
                                [--line N] [--keys f2 ...]

Runs the real app with `App.run_test`, waits until the diagnostics of the file are
shown, puts the cursor on line N (1-based), presses the keys, and saves the screen with
`App.save_screenshot`. Inside the studio, F12 saves a screenshot of what you see.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from .app import StudioApp


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
    parser.add_argument("job", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", default="100x30", help="COLUMNSxROWS")
    parser.add_argument("--theme", default="studio-dark")
    parser.add_argument("--line", type=int, default=1, help="cursor line, 1-based")
    parser.add_argument("--keys", nargs="*", default=[], help="keys to press first, e.g. f2")
    args = parser.parse_args(argv)
    columns, rows = (int(n) for n in args.size.split("x"))
    asyncio.run(save_screenshot(args.job, args.out.resolve(), (columns, rows), args.theme, args.line, args.keys))
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
