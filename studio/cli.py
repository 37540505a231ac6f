"""`automl-studio`: the command line of DESIGN.md section 3.

Heavy modules (textual, torch) are imported only by the commands that need them, so
`--check` and `--schema` start fast. No input prints a traceback: bad input is a message
and exit code 2; an unexpected failure is one line saying so and exit 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_INTERRUPTED = 0, 1, 2, 130

_DESCRIPTION = """\
Run Azure ML AutoML image multi-label classification jobs on this machine.

  automl-studio JOB.yml                 open the studio on JOB.yml (a missing file starts from a template)
  automl-studio JOB.yml --check         validate only (exit 0 no errors, 2 errors)
  automl-studio JOB.yml --run           run headless (exit 0 ok, 1 run failed, 2 invalid job, 130 interrupted)
  automl-studio --attach RUN_DIR        open the studio on a run folder (live or finished)
  automl-studio --schema                print the job file's JSON Schema
  automl-studio --init-demo DIR         write the demo dataset and a demo job into DIR
  automl-studio --export RUN_DIR        export the best (or --trial ID) trial of a run
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="automl-studio", description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("jobs", nargs="*", metavar="JOB.yml", help="job file(s); several only with --check")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="validate the job file(s) and exit")
    mode.add_argument("--run", action="store_true", help="run the job headless")
    mode.add_argument("--schema", action="store_true", help="print the JSON Schema of the job file")
    mode.add_argument("--init-demo", metavar="DIR", type=Path, help="write the demo dataset and job into DIR")
    mode.add_argument("--attach", metavar="RUN_DIR", type=Path, help="open the studio on a run folder")
    mode.add_argument("--export", metavar="RUN_DIR", type=Path, help="export a run's best (or chosen) trial")
    parser.add_argument("--run-dir", type=Path, help="run folder for --run (default runs/<job name>)")
    parser.add_argument("--resume", action="store_true", help="with --run: continue the run folder")
    parser.add_argument("--trial", metavar="ID", help="with --export: the trial to export")
    parser.add_argument("--theme", metavar="NAME", help="studio theme (remembered in the user config)")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as error:  # the promise: never a traceback for the user
        print(f"automl-studio: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        print("please report it with the command you ran", file=sys.stderr)
        return EXIT_FAILED


def _main(argv: Optional[Sequence[str]]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.schema:
        from engine.spec.schema import json_schema_text

        sys.stdout.write(json_schema_text())
        return EXIT_OK
    if args.check:
        if not args.jobs:
            parser.error("--check needs at least one JOB.yml")
        from .check import check_files

        return check_files(args.jobs)
    if len(args.jobs) > 1:
        parser.error("give one JOB.yml (several are accepted only with --check)")
    if args.resume and not args.run:
        parser.error("--resume goes with --run")
    if args.trial and not args.export:
        parser.error("--trial goes with --export")
    if args.run:
        if not args.jobs and not (args.resume and args.run_dir):
            parser.error("--run needs a JOB.yml (or --resume --run-dir DIR)")
        from .headless import run_headless

        return run_headless(args.jobs[0] if args.jobs else None, run_dir=args.run_dir, resume=args.resume)
    if args.export:
        from .export import export_command

        return export_command(args.export, args.trial)
    if args.init_demo:
        from .demo import init_demo

        return init_demo(args.init_demo)
    if args.attach:
        if args.jobs:
            parser.error("--attach takes a run folder, not a job file")
        return _attach(args.attach, args.theme)
    if args.jobs and not (args.run or args.attach or args.export):
        return _open_studio(Path(args.jobs[0]), args.theme)
    parser.error("give a JOB.yml to open (a new name starts from a template), or --attach, --schema, --init-demo")
    return EXIT_INVALID


def _open_studio(job: Path, theme: Optional[str]) -> int:
    if job.is_dir():
        print(f"automl-studio: {job} is a folder: give a job file (a new name starts from a template)", file=sys.stderr)
        return EXIT_INVALID
    return _run_app(job, None, theme)


def _attach(run_dir: Path, theme: Optional[str]) -> int:
    from engine.runfolder import RunFolder

    if not RunFolder(run_dir).exists():
        print(f"automl-studio: {run_dir} is not a run folder (it has no job.yml)", file=sys.stderr)
        return EXIT_INVALID
    return _run_app(None, run_dir, theme)


def _run_app(job: Optional[Path], run_dir: Optional[Path], theme: Optional[str]) -> int:
    from .app import StudioApp, UnknownTheme  # textual loads only for the studio itself

    try:
        app = StudioApp(job, run_dir=run_dir, theme=theme)
    except UnknownTheme as error:
        print(f"automl-studio: {error}", file=sys.stderr)
        return EXIT_INVALID
    app.run()
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
