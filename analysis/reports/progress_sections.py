"""Report sections about outreach and progress: coverage of the roster, changes since a date.

Built from the same functions as ``python -m analysis coverage`` and ``changes``, so a report says
what the CLI and the overview say. The snapshot calls :func:`extra_sections` through its
``attempt`` wrapper: a failure here becomes a note in the report, never a lost report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from analysis.reports.model import Cell, ExtraSection, ReportOptions, Table

if TYPE_CHECKING:
    import pandas as pd

    from analysis.storage.store import ResponseStore


def coverage_section(store: ResponseStore, options: ReportOptions, frame: pd.DataFrame | None = None) -> ExtraSection:
    from analysis.outreach.coverage import COVERAGE_HEADERS, coverage_table, load_coverage

    cov = load_coverage(store, options.as_of, frame)
    data = cov.as_json()
    via = [r.answered_via for r in cov.rows if r.status == "answered"]
    summary = (
        f"Roster of {data['roster']} distributors: {data['answered']} answered, {data['invited']} invited and "
        f"not answered yet, {data['not_invited']} never invited. {data['off_roster']} answer(s) came from "
        f"distributors not on the roster. Of all {len(via)} answering distributors, "
        f"{via.count('invitation')} answered through an invitation, {via.count('self-declared')} self-declared and "
        f"{via.count('illustrative')} are illustrative (transcribed from public statements)."
    )
    rows: tuple[tuple[Cell, ...], ...] = tuple(tuple(r) for r in coverage_table(cov))
    table = Table("coverage", "Roster coverage", COVERAGE_HEADERS, rows)
    return ExtraSection("coverage", "Coverage", (summary,), (table,))


def changes_section(store: ResponseStore, options: ReportOptions) -> ExtraSection:
    from analysis.progress.changes import change_lines, load_changes

    assert options.changes_since is not None
    changes = load_changes(store, options.changes_since, options.as_of)
    rows: list[tuple[Cell, ...]] = []
    for c in changes.answered:
        rows.append((c.distributor, "answered", f"latest answer {(c.submitted_at or '')[:10]}"))
    for c in changes.changed:
        rows.extend((c.distributor, "changed", line) for line in change_lines(c))
    for c in changes.confirmed:
        rows.append((c.distributor, "confirmed", "submitted again, same answers"))
    for c in changes.silent:
        rows.append((c.distributor, "silent", f"nothing since; last answer {(c.last_answer or '')[:10]}"))
    until = f" until the end of {changes.until.isoformat()}" if changes.until else ""
    summary = (
        f"From {changes.since.isoformat()} (UTC){until}: {len(changes.answered)} distributor(s) answered for the "
        f"first time, {len(changes.changed)} changed their answers, {len(changes.confirmed)} confirmed them "
        f"unchanged, {len(changes.silent)} went silent (answered before, nothing since)."
    )
    table = Table("changes", "What changed", ("Distributor", "Change", "Details"), tuple(rows))
    return ExtraSection("changes", f"Changes since {changes.since.isoformat()}", (summary,), (table,))


def section_builders(
    store: ResponseStore, options: ReportOptions, frame: pd.DataFrame | None = None
) -> list[tuple[str, Callable[[], ExtraSection]]]:
    """The outreach and progress sections of every report, in order, each built on its own (one
    failing leaves the others in the report). ``frame``: the report's analysis frame, or the rows of it
    that count (one per distributor), if read."""
    builders: list[tuple[str, Callable[[], ExtraSection]]] = [
        ("Coverage", lambda: coverage_section(store, options, frame))
    ]
    if options.changes_since is not None:
        builders.append((f"Changes since {options.changes_since}", lambda: changes_section(store, options)))
    return builders


def extra_sections(store: ResponseStore, options: ReportOptions) -> tuple[ExtraSection, ...]:
    return tuple(build() for _, build in section_builders(store, options))
