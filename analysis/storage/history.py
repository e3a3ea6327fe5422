"""Reading answers through time: every revision, and the answers as they stood at a date.

Kept out of ``store.py`` (which holds writes and the current-state reads): the as-of views read the
revisions table, and the rule for which revision counts lives in ``analysis.crosstab.asof``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, or_, select

from analysis.storage.raw_rows import fetch_frame, fetch_rows
from analysis.storage.tables import FRAME_KEYS, JSON_COLUMNS, ResponseRow, RevisionRow

if TYPE_CHECKING:
    import pandas as pd

    from analysis.storage.store import ResponseStore, StoredResponse


def revisions_frame(store: ResponseStore, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Every submitted revision, one row each, with the columns of ``latest_frame``.

    ``distributor_key`` is normalised from each revision's own ``distributor`` (a response may
    have been renamed between revisions, and the name at the time is what counted then).
    """
    from analysis.models import normalise_distributor

    table = RevisionRow.__table__
    wanted = [
        c.name
        for c in table.columns
        if c.name != "id" and (columns is None or c.name in columns or c.name in FRAME_KEYS)
    ]
    frame = fetch_frame(store.engine, select(*(table.c[n] for n in wanted)), json_columns=JSON_COLUMNS)
    keys = {name: normalise_distributor(name) for name in frame["distributor"].unique()}
    frame["distributor_key"] = frame["distributor"].map(keys).astype(object)
    return frame


def frame_as_of(store: ResponseStore, as_of: date | None, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The analysis frame at the end of ``as_of`` (UTC); ``None`` is now (``latest_frame``)."""
    if as_of is None:
        return store.latest_frame(columns=columns)
    from analysis.crosstab.asof import state_as_of

    return state_as_of(revisions_frame(store, columns), as_of)


def counted_revisions(store: ResponseStore, as_of: date) -> list[tuple[str, int]]:
    """(response_id, revision) of each response's revision that counts at the end of ``as_of``."""
    from analysis.crosstab.asof import state_as_of

    frame = state_as_of(revisions_frame(store, columns=("distributor",)), as_of)
    return list(zip(frame["response_id"].astype(str), frame["revision"].astype(int), strict=True))


def export_json_as_of(store: ResponseStore, as_of: date, *, include_contacts: bool = True) -> str:
    """The canonical JSON export of the answers that counted at the end of ``as_of``.

    The same text ``export_json`` writes from ``stored_as_of``'s models, built from raw rows as
    the current export is (``export_rows``): validated on the way in, not on every way out.
    """
    from analysis.storage import export_rows

    pairs = set(counted_revisions(store, as_of))
    table = RevisionRow.__table__
    wanted = export_rows.stored_columns(include_contacts)
    stmt = select(
        table.c.response_id.label("counted_id"),
        table.c.revision.label("counted_revision"),
        *(table.c[n] for n in wanted),
    )
    names, rows = fetch_rows(store.engine, stmt)
    kept = [row[2:] for row in rows if (row[0], row[1]) in pairs]
    return export_rows.rows_text(names[2:], kept, include_contacts)


def stored_revisions(store: ResponseStore, pairs: Sequence[tuple[str, int]]) -> list[StoredResponse]:
    """The given (response_id, revision) revisions as models, in response_id order."""
    from analysis.storage.records import stored_response

    out: list[StoredResponse] = []
    with store._read() as s:
        for i in range(0, len(pairs), 500):
            chunk = pairs[i : i + 500]
            match = or_(*(and_(RevisionRow.response_id == rid, RevisionRow.revision == rev) for rid, rev in chunk))
            out.extend(stored_response(r) for r in s.scalars(select(RevisionRow).where(match)).all())
    return sorted(out, key=lambda item: str(item.response.response_id))


def stored_as_of(store: ResponseStore, as_of: date | None) -> list[StoredResponse]:
    """Like ``ResponseStore.latest()`` (full answers, response_id order), at the end of ``as_of``."""
    if as_of is None:
        return store.latest()
    return stored_revisions(store, counted_revisions(store, as_of))


def stats_as_of(store: ResponseStore, as_of: date | None) -> dict[str, Any]:
    """``ResponseStore.stats()`` at the end of ``as_of``: what had been submitted by then.

    ``drafts_only`` is today's count (drafts have no history); everything else is as of the date.
    """
    stats = store.stats()
    if as_of is None:
        return stats
    from analysis.crosstab.asof import end_of_day

    cutoff = end_of_day(as_of)
    frame = frame_as_of(store, as_of, columns=("illustrative",))
    with store._read() as s:
        revisions = s.scalar(select(func.count()).select_from(RevisionRow).where(RevisionRow.submitted_at < cutoff))
        last = s.scalar(select(func.max(RevisionRow.submitted_at)).where(RevisionRow.submitted_at < cutoff))
        drafts = s.scalar(select(func.count()).select_from(ResponseRow).where(ResponseRow.latest_revision == 0))
    from analysis.storage.records import aware

    return {
        "responses": len(frame),
        "distributors": int(frame["distributor_key"].nunique()) if len(frame) else 0,
        "revisions": int(revisions or 0),
        "drafts_only": int(drafts or 0),
        "illustrative": int(frame["illustrative"].sum()) if len(frame) else 0,
        "last_update": aware(last).isoformat() if last else None,
        "as_of": as_of.isoformat(),
    }
