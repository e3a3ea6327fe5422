"""``python -m analysis coverage``: the roster against the answers (who answered, invited, never invited)."""

from __future__ import annotations

import argparse
import json

from analysis.cli_args import add_as_of
from analysis.storage import open_store
from analysis.storage.db import resolve_database_url


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("coverage", help="who on the roster answered, was invited and has not, or was never invited")
    p.add_argument("--format", choices=["table", "json"], default="table")
    add_as_of(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from analysis.outreach.coverage import COVERAGE_HEADERS, coverage_table, load_coverage

    cov = load_coverage(open_store(resolve_database_url(args.database_url)), args.as_of)
    if args.format == "json":
        print(json.dumps(cov.as_json(), indent=2, ensure_ascii=False))
        return 0
    data = cov.as_json()
    print(
        f"roster {data['roster']}: {data['answered']} answered, {data['invited']} invited (no answer yet), "
        f"{data['not_invited']} never invited; {data['off_roster']} answer(s) from distributors not on the roster"
        + (f" (as of {cov.as_of})" if cov.as_of else "")
    )
    rows = [list(COVERAGE_HEADERS), *coverage_table(cov)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COVERAGE_HEADERS))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0
