"""``python -m analysis schedule``: the release schedule's status, and refreshing it from upstream.

``schedule update FILE`` reads python/peps' ``release_management/python-releases.toml`` (or
peps.python.org's ``api/python-releases.json`` / ``api/release-cycle.json``) and updates
``release_schedule.csv``, ``release_schedule_revisions.csv`` and ``support_windows.csv`` in the
data directory (default: the one the app reads, ``data/`` or ``$SURVEY_REFERENCE_DIR``). It prints
every change; ``--dry-run`` only prints. ``schedule status`` prints the as-of line and warns about
planned dates already past.

Exit codes: 0 done (also when nothing changed); 1 ``status`` found planned dates already past;
2 unreadable, unknown or malformed input (the message names the line), nothing written.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

EXIT_OK = 0
EXIT_STALE = 1
EXIT_USAGE = 2


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "schedule",
        help="show how current the release schedule is, or refresh it from python/peps",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    actions = p.add_subparsers(dest="schedule_command", required=True)
    up = actions.add_parser(
        "update",
        help="update data/release_schedule*.csv and support_windows.csv from python-releases.toml or its JSON",
        description="Update the release schedule from python/peps' python-releases.toml, python-releases.json "
        "or release-cycle.json. Prints what changed; nothing is written with --dry-run or on an error.",
    )
    up.add_argument(
        "file", type=Path, metavar="FILE", help="python-releases.toml, python-releases.json or release-cycle.json"
    )
    up.add_argument("--dry-run", action="store_true", help="print the changes, write nothing")
    up.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="directory holding the CSV files (default: the app's reference data, $SURVEY_REFERENCE_DIR or data/)",
    )
    up.add_argument(
        "--source",
        default=None,
        metavar="TEXT",
        help="how the source is named in the data and the as-of line (default: the file name), "
        "e.g. 'python/peps@ba4deeb release_management/python-releases.toml'",
    )
    up.add_argument(
        "--read-on", type=_date, default=None, metavar="DATE", help="the date the file was read (default: today)"
    )
    up.set_defaults(func=run_update)
    st = actions.add_parser("status", help="print 'release schedule as of DATE (source)' and stale planned dates")
    st.add_argument("--today", type=_date, default=None, metavar="DATE", help="compare planned dates with DATE")
    st.set_defaults(func=run_status)


def run_update(args: argparse.Namespace) -> int:
    from analysis import reference_data
    from analysis.schedule import clear_caches
    from analysis.schedule_sources import SourceError, read_source
    from analysis.schedule_update import update

    data_dir: Path = args.data_dir or reference_data.data_dir()
    try:
        source = read_source(args.file)
        plan = update(source, data_dir, args.read_on or date.today(), args.source, write=not args.dry_run)
    except SourceError as exc:
        print(f"schedule update: {args.file}: {exc}. Nothing written.", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"schedule update: cannot write to {data_dir}: {exc.strerror or exc}. Nothing written.", file=sys.stderr)
        return EXIT_USAGE
    clear_caches()
    print(f"{source.kind} {source.file_name} (SHA-256 {source.sha256}) read on {plan.read_on.isoformat()}")
    for change in plan.changes:
        print(f"  {change}")
    for note in plan.notes:
        print(f"  note: {note}")
    if not plan.changes:
        print("  no changes: the schedule already matches the file")
    if args.dry_run:
        print(f"dry run: nothing written ({len(plan.changes)} change(s) would be made in {data_dir})")
    else:
        print(f"wrote {data_dir}: release_schedule.csv, release_schedule_revisions.csv, support_windows.csv")
    return EXIT_OK


def run_status(args: argparse.Namespace) -> int:
    from analysis.schedule import schedule_status

    status = schedule_status(args.today or date.today())
    for line in status.lines:
        print(line)
    return EXIT_STALE if status.warning else EXIT_OK
