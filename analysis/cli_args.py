"""Arguments shared by several sub-commands (no heavy imports: every command's parser uses this)."""

from __future__ import annotations

import argparse
import re
from datetime import date

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(text: str) -> date:
    """A calendar date written ``YYYY-MM-DD`` (argparse type: a bad one exits 2 with a message)."""
    if not _DATE_RE.match(text or ""):
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text[:40]!r}")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a calendar date: {text!r} ({exc})") from None


def add_as_of(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of",
        type=parse_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="the answers as they stood at the end of that day (UTC); default: now",
    )
