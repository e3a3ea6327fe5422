"""``python -m analysis roster import FILE`` / ``roster list``: the distributors the council wants to hear from."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from analysis.storage import open_store
from analysis.storage.db import resolve_database_url
from analysis.storage.roster import MAX_ROSTER_BYTES, parse_roster_csv, roster_csv, roster_entries, save_roster


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("roster", help="import or list the roster of distributors to hear from")
    actions = p.add_subparsers(dest="roster_action", required=True)
    imp = actions.add_parser("import", help="add or update entries from a CSV (distributor,kind,contact,channel)")
    imp.add_argument("file", type=Path)
    imp.set_defaults(func=run_import)
    lst = actions.add_parser("list", help="print the roster")
    lst.add_argument("--format", choices=["table", "json", "csv"], default="table")
    lst.add_argument("--include-contacts", action="store_true", help="include contacts and channels (people's data)")
    lst.set_defaults(func=run_list)


def run_import(args: argparse.Namespace) -> int:
    try:
        with args.file.open("rb") as fh:
            data = fh.read(MAX_ROSTER_BYTES + 1)
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    parsed = parse_roster_csv(data)
    if not parsed.ok:
        print(f"error: {args.file}: nothing written, {len(parsed.errors)} bad row(s):", file=sys.stderr)
        for line in parsed.errors[:200]:
            print(f"  {line}", file=sys.stderr)
        return 2
    result = save_roster(open_store(resolve_database_url(args.database_url)), parsed.entries)
    print(
        f"roster: {len(parsed.entries)} row(s) from {args.file}: "
        f"{result.added} added, {result.updated} updated, {result.unchanged} unchanged"
    )
    return 0


def run_list(args: argparse.Namespace) -> int:
    records = roster_entries(open_store(resolve_database_url(args.database_url)))
    if args.format == "json":
        print(json.dumps([r.as_dict(args.include_contacts) for r in records], indent=2, ensure_ascii=False))
    elif args.format == "csv":
        sys.stdout.write(roster_csv(records, args.include_contacts))
    else:
        width = max([len(r.distributor) for r in records] + [11])
        print(f"{'distributor':<{width}}  kind")
        for r in records:
            print(f"{r.distributor:<{width}}  {r.kind or '-'}")
        print(f"{len(records)} distributor(s) on the roster")
    return 0
