"""``python -m analysis changes --since DATE``: who answered, changed (field: old -> new), or went silent."""

from __future__ import annotations

import argparse
import json
import sys

from analysis.cli_args import add_as_of, parse_date


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("changes", help="which distributors answered, changed or went silent since a date")
    p.add_argument("--since", type=parse_date, required=True, metavar="YYYY-MM-DD", help="on or after this day (UTC)")
    p.add_argument("--format", choices=["json", "md"], default="md")
    add_as_of(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from analysis.progress.changes import changes_markdown, load_changes
    from analysis.storage import open_store
    from analysis.storage.db import resolve_database_url

    try:
        changes = load_changes(open_store(resolve_database_url(args.database_url)), args.since, args.as_of)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(changes.as_json(), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(changes_markdown(changes))
    return 0
