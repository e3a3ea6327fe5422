"""``python -m analysis crosstab ROW COL``: the cross-tab explorer's table on the command line.

Same engine and counting rules as the page (``analysis.crosstab``). CSV has the ROW field's values
as the first column and one column per COL value in a stable order (enum order, else
alphabetical), codes rather than words so scripts can rely on them (``--labels`` for words).
"""

from __future__ import annotations

import argparse
import json
import sys

from analysis.cli_args import add_as_of
from analysis.crosstab import (
    ANALYSIS_COLUMNS,
    FIELDS,
    NORMALIZE_CHOICES,
    THEME_FIELDS,
    UNIT_CHOICES,
    crosstab,
    label_for_field,
    table_to_csv,
    table_to_records,
    with_labels,
)
from analysis.storage import open_store
from analysis.storage.db import resolve_database_url
from analysis.storage.history import frame_as_of

EXIT_USAGE = 2


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "crosstab",
        help="cross-tabulate two answer fields (the explorer page's table)",
        description="Cross-tabulate two answer fields. Fields: " + ", ".join(FIELDS),
    )
    p.add_argument("row", metavar="ROW", help="field for the rows")
    p.add_argument("col", metavar="COL", help="field for the columns")
    p.add_argument("--normalize", choices=NORMALIZE_CHOICES, default="none", help="percentages of row/col/all")
    p.add_argument("--margins", action="store_true", help="add Total row and column")
    p.add_argument(
        "--unit", choices=UNIT_CHOICES, default="distributor", help="what one count is (default: distributor)"
    )
    p.add_argument("--format", choices=["csv", "json", "table"], default="table")
    add_as_of(p)
    p.add_argument("--labels", action="store_true", help="words instead of answer codes")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    unknown = [f for f in (args.row, args.col) if f not in FIELDS]
    if unknown:
        print(f"error: unknown field {', '.join(map(repr, unknown))}. Fields:", file=sys.stderr)
        for field in FIELDS:
            print(f"  {field:<24} {label_for_field(field)}", file=sys.stderr)
        return EXIT_USAGE
    store = open_store(resolve_database_url(args.database_url))
    frame = frame_as_of(store, args.as_of, columns=ANALYSIS_COLUMNS)
    tags = store.tags_frame() if {args.row, args.col} & set(THEME_FIELDS) else None
    table = crosstab(
        frame, args.row, args.col, normalize=args.normalize, margins=args.margins, unit=args.unit, tags=tags
    )
    if args.labels:
        labels = {t["name"]: t["label"] for t in store.themes()} if tags is not None else None
        table = with_labels(table, labels)
    if args.format == "csv":
        sys.stdout.write(table_to_csv(table))
    elif args.format == "json":
        record = table_to_records(table)
        record.update(normalize=args.normalize, unit=args.unit, margins=args.margins)
        print(json.dumps(record, indent=2, ensure_ascii=False))
    else:
        shown = table.round(1) if args.normalize != "none" else table
        print(shown.to_string())
        what = "distributors (latest answer each)" if args.unit == "distributor" else "responses"
        pct = "" if args.normalize == "none" else f", percent of {args.normalize}"
        print(f"\n(counting {what}{pct}; a multi-select counts once per selected value)")
    return 0
