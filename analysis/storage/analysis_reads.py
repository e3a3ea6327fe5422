"""Reading every answer for analysis and export: the narrow latest table, raw rows, no ORM on the way out.

Costs stay flat as answers grow (issue 14): the analysis frame comes from ``response_latest``
through Arrow (``raw_rows.fetch_frame``), the JSON export from DB-API rows (``export_rows``), and
models are built only for the few answers a caller names (``stored_responses``). Answers were
validated on the way in; they are not validated again on every way out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import DBAPIError

from analysis.storage.raw_rows import fetch_frame, fetch_rows, stream_rows
from analysis.storage.records import StoredResponse, aware, stored_response
from analysis.storage.rows import chunks
from analysis.storage.store_base import StoreBase
from analysis.storage.tables import (
    FRAME_KEYS,
    JSON_COLUMNS,
    LATEST_REVISION_COLUMNS,
    ExportDigestRow,
    LatestRow,
    ResponseRow,
    RevisionRow,
    StoreMetaRow,
)

if TYPE_CHECKING:
    import pandas as pd


class AnalysisReads(StoreBase):
    """The store's reads of all answers (a part of :class:`~analysis.storage.store.ResponseStore`)."""

    def latest(self) -> list[StoredResponse]:
        """The current revision of every submitted response, in a stable order."""
        with self._read() as s:
            rows = s.scalars(
                select(RevisionRow)
                .join(ResponseRow, ResponseRow.id == RevisionRow.response_id)
                .where(RevisionRow.revision == ResponseRow.latest_revision)
                .order_by(RevisionRow.response_id)
            ).all()
            return [stored_response(r) for r in rows]

    def _latest_stmt(self, include_contacts: bool) -> Any:
        from analysis.storage import export_rows

        table = RevisionRow.__table__
        wanted = export_rows.stored_columns(include_contacts)
        return (
            select(*(table.c[n] for n in wanted))
            .join(ResponseRow, ResponseRow.id == RevisionRow.response_id)
            .where(RevisionRow.revision == ResponseRow.latest_revision)
        )

    def export_latest_json(self, *, include_contacts: bool = True) -> str:
        """The canonical JSON export (``python -m analysis export --format json``).

        Straight from the rows, no model on the way out (answers were validated on the way in):
        see ``export_rows``.
        """
        from analysis.storage import export_rows

        names, rows = fetch_rows(self.engine, self._latest_stmt(include_contacts))
        return export_rows.rows_text(names, rows, include_contacts)

    def iter_latest_json(self, *, include_contacts: bool = True, chunk: int = 5000) -> Iterator[str]:
        """:meth:`export_latest_json` in pieces, reading ``chunk`` rows at a time: the CLI writes
        the export of 1,000,000 answers in the memory of one chunk. Same text, byte for byte."""
        from analysis.storage import export_rows

        stmt = self._latest_stmt(include_contacts).order_by(RevisionRow.response_id)
        writer: export_rows.RowWriter | None = None
        first = True
        for names, rows in stream_rows(self.engine, stmt, chunk):
            writer = writer or export_rows.RowWriter(names, include_contacts)
            for text in writer.lines(rows):
                yield ("[\n" if first else ",\n") + text
                first = False
        yield "[]\n" if first else "\n]\n"

    def answers_digest(self, *, include_contacts: bool = True) -> str:
        """SHA-256 of :meth:`export_latest_json`'s UTF-8 text, remembered per store generation.

        The first call after a change streams the export through the hash (memory of one chunk);
        later calls at the same generation read the remembered digest (``export_digests``).
        """
        generation = self.generation()
        with self._read() as s:
            known = s.scalar(
                select(ExportDigestRow.sha256).where(
                    ExportDigestRow.include_contacts == include_contacts, ExportDigestRow.generation == generation
                )
            )
        if known:
            return known
        from analysis.storage.export_rows import hashed_utf8

        digest = hashlib.sha256()
        for _ in hashed_utf8(self.iter_latest_json(include_contacts=include_contacts), digest):
            pass
        sha256 = digest.hexdigest()
        self.remember_digest(sha256, include_contacts=include_contacts, generation=generation)
        return sha256

    def remember_digest(self, sha256: str, *, include_contacts: bool, generation: int) -> bool:
        """Keep ``sha256`` as the export's digest at ``generation``, unless the answers changed since
        (then it describes a past state and is dropped). Does not count as a change itself.

        Only a cache: when the store cannot take the write (a read-only database role, SQLite
        locked by a long import beyond the busy timeout) nothing is kept and False is returned;
        the export or report that computed the digest goes on.
        """
        try:
            with self._write(bump=False) as s:
                current = s.scalar(select(StoreMetaRow.value).where(StoreMetaRow.key == "generation"))
                if int(current or 0) != generation:
                    return False
                s.execute(delete(ExportDigestRow).where(ExportDigestRow.include_contacts == include_contacts))
                s.add(ExportDigestRow(include_contacts=include_contacts, generation=generation, sha256=sha256))
        except DBAPIError:
            return False
        return True

    def stored_responses(self, response_ids: Iterable[str]) -> list[StoredResponse]:
        """The latest revision of the given responses, as models (for the few a report shows)."""
        found: list[StoredResponse] = []
        with self._read() as s:
            for chunk in chunks(sorted(set(response_ids)), 500):
                rows = s.scalars(
                    select(RevisionRow)
                    .join(ResponseRow, ResponseRow.id == RevisionRow.response_id)
                    .where(RevisionRow.response_id.in_(chunk), RevisionRow.revision == ResponseRow.latest_revision)
                ).all()
                found.extend(stored_response(r) for r in rows)
        return sorted(found, key=lambda item: item.response.response_id or "")

    def latest_frame(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Latest revision per response as a DataFrame (the analysis input; fast at 100k rows).

        Columns are the JSON keys, with ``ready_by`` flattened to ``ready_earliest``/``ready_likely``/
        ``ready_latest``, list fields as Python lists, plus ``response_id``, ``revision``,
        ``stored_at`` and ``distributor_key``. ``columns`` limits the answer columns read (the
        bookkeeping columns always come): counting charts need no free text, and skipping it is
        most of the cost at 100,000 responses.
        """
        table = RevisionRow.__table__
        wanted = [
            c.name
            for c in table.columns
            if c.name != "id" and (columns is None or c.name in columns or c.name in FRAME_KEYS)
        ]
        if set(wanted) <= set(LATEST_REVISION_COLUMNS):
            # Analysis columns only: one narrow table, no join, no free text to step over.
            latest = LatestRow.__table__
            stmt = select(*(latest.c[n] for n in wanted), latest.c.distributor_key)
        else:
            stmt = (
                select(*(table.c[n] for n in wanted), ResponseRow.distributor_key)
                .join(ResponseRow, ResponseRow.id == RevisionRow.response_id)
                .where(RevisionRow.revision == ResponseRow.latest_revision)
            )
        # No ORDER BY: SQLite then scans the table sequentially; rows are sorted below.
        return fetch_frame(self.engine, stmt, json_columns=JSON_COLUMNS)

    def stats(self) -> dict[str, Any]:
        with self._read() as s:
            responses = s.scalar(select(func.count()).select_from(ResponseRow).where(ResponseRow.latest_revision > 0))
            revisions = s.scalar(select(func.count()).select_from(RevisionRow))
            distributors = s.scalar(
                select(func.count(func.distinct(ResponseRow.distributor_key))).where(ResponseRow.latest_revision > 0)
            )
            drafts = s.scalar(select(func.count()).select_from(ResponseRow).where(ResponseRow.latest_revision == 0))
            last = s.scalar(select(func.max(ResponseRow.updated_at)).where(ResponseRow.latest_revision > 0))
            illustrative = s.scalar(
                select(func.count())
                .select_from(RevisionRow)
                .join(ResponseRow, ResponseRow.id == RevisionRow.response_id)
                .where(RevisionRow.revision == ResponseRow.latest_revision, RevisionRow.illustrative.is_(True))
            )
        return {
            "responses": int(responses or 0),
            "distributors": int(distributors or 0),
            "revisions": int(revisions or 0),
            "drafts_only": int(drafts or 0),
            "illustrative": int(illustrative or 0),
            "last_update": aware(last).isoformat() if last else None,
        }
