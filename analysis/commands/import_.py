"""``python -m analysis import FILE``: load responses, all or nothing, in bounded memory.

The file is parsed and validated as a stream, in a child process (``analysis.parse_process``),
while the store writes it in one transaction; a bad item anywhere rolls the whole import back (see
``analysis.importer``). The first batch is checked before the store is opened, so a file that is
bad from the start touches no store at all.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import itertools
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from analysis.importer import ImportRejected, ParseOutcome, open_import_file
from analysis.parse_process import ParserStopped, parsed_columns
from analysis.storage import open_store
from analysis.storage.db import resolve_database_url
from analysis.storage.rows import AnswerColumns


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("import", help="import responses from a JSON list or JSON Lines file (all or nothing)")
    p.add_argument("file", type=Path, help="JSON list or JSON Lines of survey responses")
    p.set_defaults(func=run)


def _report(path: Path, outcome: ParseOutcome) -> int:
    print(f"error: {path}: nothing imported, {outcome.error_count} problem(s):", file=sys.stderr)
    for line in outcome.errors:
        print(f"  {line}", file=sys.stderr)
    if outcome.error_count > len(outcome.errors):
        print(f"  ... and {outcome.error_count - len(outcome.errors)} more", file=sys.stderr)
    return 2


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Let the cyclic garbage collector run less often while a large file streams through.

    An import allocates a few hundred thousand short-lived, acyclic objects per batch (decoded
    lines, models, rows); with the default thresholds the collector walks them about every 700
    allocations, a quarter of the parse time. Everything already alive (modules, the engine) is
    frozen out of the walks, and the threshold is raised; memory stays bounded, since nothing
    freed depends on the collector (no cycles), and the settings are restored afterwards.
    """
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


@contextlib.contextmanager
def _interrupt_between_batches() -> Iterator[Callable[[], None]]:
    """Ctrl-C stops the import at the next batch, never somewhere inside a library.

    Python raises ``KeyboardInterrupt`` wherever the main thread happens to be; inside a garbage
    collection callback (SQLAlchemy registers some) it is printed as "Exception ignored" and
    swallowed, and the import carried on to the end. So SIGINT only sets a flag here, and the
    yielded check, called between batches, raises it: the transaction rolls back and the command
    exits 130. Pressed while the final commit runs, the import completes (the commit is atomic).
    """
    if threading.current_thread() is not threading.main_thread():  # signals only reach the main thread
        yield lambda: None
        return
    pressed: list[int] = []

    def check() -> None:
        if pressed:
            raise KeyboardInterrupt

    before = signal.signal(signal.SIGINT, lambda signum, _frame: pressed.append(signum))
    try:
        yield check
    finally:
        signal.signal(signal.SIGINT, before)


def _checked(batches: Iterator[AnswerColumns], check: Callable[[], None]) -> Iterator[AnswerColumns]:
    for batch in batches:
        check()
        yield batch
    check()  # after the last batch, before the commit


def run(args: argparse.Namespace) -> int:
    path: Path = args.file
    opened = open_import_file(path)
    if isinstance(opened, str):
        print(f"error: {opened}", file=sys.stderr)
        return 2
    outcome = ParseOutcome()
    with opened, _fewer_collections(), _interrupt_between_batches() as check:
        try:
            batches = _checked(parsed_columns(opened, outcome), check)
            first = list(itertools.islice(batches, 1))
            if not outcome.ok:
                raise ImportRejected(outcome)
            store = open_store(resolve_database_url(args.database_url))
            # The importer refuses a file that repeats an id: the store may skip looking ids up.
            result = store.import_columns(itertools.chain(first, batches), keep_ids=False, ids_unique=True)
        except ImportRejected:
            return _report(path, outcome)
        except ParserStopped as exc:
            print(f"error: {path}: nothing imported: {exc}", file=sys.stderr)
            return 2
        except UnicodeDecodeError:
            print(f"error: {path}: nothing imported: not UTF-8 text", file=sys.stderr)
            return 2
        except OSError as exc:
            print(f"error: {path}: nothing imported: cannot read: {exc.strerror or exc}", file=sys.stderr)
            return 2
    total = result.created + result.revised + result.unchanged
    print(
        f"imported {total} response(s) from {path}: "
        f"{result.created} new, {result.revised} revised, {result.unchanged} unchanged"
    )
    return 0
