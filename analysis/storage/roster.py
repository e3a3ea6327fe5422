"""The roster: the distributors the council wants to hear from, kept in the store.

Entries are keyed by ``normalise_distributor`` of their name, the key answers are counted under, so
"RHEL" on the roster and an answer from "Red Hat Enterprise Linux" are the same distributor. The
CSV importer validates every row with ``analysis.models.RosterEntry`` and writes nothing when any
row is bad; a good file is written in one transaction (add or update, never delete).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy import delete, select

from analysis.models import RosterEntry, format_validation_error, normalise_distributor, now_utc
from analysis.storage.roster_tables import RosterRow

if TYPE_CHECKING:
    from analysis.storage.store import ResponseStore

#: The columns of a roster CSV, exactly (the issue's interface).
ROSTER_COLUMNS: tuple[str, ...] = ("distributor", "kind", "contact", "channel")
#: Larger roster files are refused before parsing (a roster is a few hundred lines).
MAX_ROSTER_BYTES = 1024 * 1024
MAX_ROSTER_ROWS = 10_000


@dataclass(frozen=True)
class RosterRecord:
    """One stored roster entry."""

    key: str
    distributor: str
    kind: str | None
    contact: str | None
    channel: str | None
    added_at: datetime
    updated_at: datetime

    def as_dict(self, include_contacts: bool) -> dict[str, object]:
        """The JSON/CSV form; contacts and channels only when asked for (people's data)."""
        out: dict[str, object] = {"distributor": self.distributor, "kind": self.kind}
        if include_contacts:
            out.update(contact=self.contact, channel=self.channel)
        return out


@dataclass
class RosterParse:
    entries: list[RosterEntry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_roster_csv(data: bytes) -> RosterParse:
    """Validate a roster CSV (``distributor,kind,contact,channel``), listing every bad row by line."""
    out = RosterParse()
    if len(data) > MAX_ROSTER_BYTES:
        out.errors.append(f"file is larger than {MAX_ROSTER_BYTES // 1024} KiB; a roster is a few hundred lines")
        return out
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        out.errors.append(f"not UTF-8 text (byte {exc.start})")
        return out
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        out.errors.append(f"line 1: {exc}")
        return out
    if header is None:
        out.errors.append("empty file: expected the header distributor,kind,contact,channel")
        return out
    if tuple(h.strip().lower() for h in header) != ROSTER_COLUMNS:
        out.errors.append(f"line 1: header must be {','.join(ROSTER_COLUMNS)} (got {','.join(header)[:200]!r})")
        return out
    seen: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if len(out.entries) + len(out.errors) >= MAX_ROSTER_ROWS:
                out.errors.append(f"line {line}: more than {MAX_ROSTER_ROWS} rows")
                break
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(ROSTER_COLUMNS):
                out.errors.append(f"line {line}: expected {len(ROSTER_COLUMNS)} columns, got {len(row)}")
                continue
            try:
                entry = RosterEntry.model_validate(dict(zip(ROSTER_COLUMNS, row, strict=True)))
            except ValidationError as exc:
                out.errors.extend(format_validation_error(exc, prefix=f"line {line}: "))
                continue
            if entry.key in seen:
                out.errors.append(
                    f"line {line}: {entry.distributor!r} is the same distributor as line {seen[entry.key]}"
                )
                continue
            seen[entry.key] = line
            out.entries.append(entry)
    except csv.Error as exc:
        out.errors.append(f"line {reader.line_num}: {exc}")
    return out


def _record(row: RosterRow) -> RosterRecord:
    from analysis.storage.records import aware

    return RosterRecord(
        key=row.distributor_key,
        distributor=row.distributor,
        kind=row.distributor_kind,
        contact=row.contact,
        channel=row.channel,
        added_at=aware(row.added_at),
        updated_at=aware(row.updated_at),
    )


def roster_entries(store: ResponseStore) -> list[RosterRecord]:
    """Every roster entry, by name (case-insensitive)."""
    with store._read() as s:
        rows = s.scalars(select(RosterRow)).all()
        records = [_record(r) for r in rows]
    return sorted(records, key=lambda r: (r.distributor.casefold(), r.distributor))


@dataclass(frozen=True)
class RosterWrite:
    added: int
    updated: int
    unchanged: int


def save_roster(store: ResponseStore, entries: Sequence[RosterEntry]) -> RosterWrite:
    """Add or update entries (by normalised name) in one transaction. Empty fields keep nothing:
    an entry is written as given, so a reviewer can clear a contact."""
    now = now_utc()
    added = updated = unchanged = 0
    with store._write() as s:
        existing = {r.distributor_key: r for r in s.scalars(select(RosterRow)).all()}
        for entry in entries:
            values = {
                "distributor": entry.distributor,
                "distributor_kind": entry.kind.value if entry.kind else None,
                "contact": entry.contact,
                "channel": entry.channel,
            }
            row = existing.get(entry.key)
            if row is None:
                row = RosterRow(distributor_key=entry.key, added_at=now, updated_at=now, **values)
                s.add(row)
                existing[entry.key] = row
                added += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                row.updated_at = now
                updated += 1
            else:
                unchanged += 1
    return RosterWrite(added=added, updated=updated, unchanged=unchanged)


def remove_from_roster(store: ResponseStore, names: Iterable[str]) -> int:
    """Remove entries by name (normalised); returns how many were removed."""
    keys = sorted({normalise_distributor(n) for n in names})
    if not keys:
        return 0
    with store._write() as s:
        result = s.execute(delete(RosterRow).where(RosterRow.distributor_key.in_(keys)))
        return int(getattr(result, "rowcount", 0) or 0)


def roster_csv(records: Sequence[RosterRecord], include_contacts: bool) -> str:
    """The roster as CSV in the import's columns (re-importable); formula-looking cells neutralised.

    Without ``include_contacts`` the contact and channel columns are left empty: the file still
    has the importer's header, but carries no people's data.
    """
    from analysis.reports.tables import neutralise

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ROSTER_COLUMNS)
    for r in records:
        cells = [r.distributor, r.kind or "", r.contact or "", r.channel or ""]
        if not include_contacts:
            cells[2:] = ["", ""]
        writer.writerow([neutralise(c) for c in cells])
    return buffer.getvalue()
