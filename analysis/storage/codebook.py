"""The reviewers' codebook: themes, and the tags that apply them to answers' free text.

Reviewers' text follows the respondents' text rule (``analysis.models.text_problem``): a theme's
name, label, description and keywords are refused with the same messages as a survey answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from analysis.models import now_utc, text_problem
from analysis.storage.store_base import StoreBase
from analysis.storage.tables import ThemeRow, ThemeTagRow

if TYPE_CHECKING:
    import pandas as pd


class Codebook(StoreBase):
    """Themes and tags (a part of :class:`~analysis.storage.store.ResponseStore`)."""

    def themes(self) -> list[dict[str, Any]]:
        with self._read() as s:
            rows = s.scalars(select(ThemeRow).order_by(ThemeRow.name)).all()
            return [
                {"name": r.name, "label": r.label, "description": r.description, "keywords": json.loads(r.keywords)}
                for r in rows
            ]

    def upsert_theme(self, name: str, label: str, description: str = "", keywords: Iterable[str] = ()) -> None:
        name, keywords = name.strip(), list(keywords)
        if not name or len(name) > 80:
            raise ValueError("A theme needs a name of 1 to 80 characters.")
        # Reviewers' text follows the respondents' rule (a NUL must never reach PostgreSQL).
        for what, value, single in (("name", name, True), ("label", label, True), ("description", description, False)):
            problem = text_problem(value, single_line=single)
            if problem:
                raise ValueError(f"The theme {what} {problem}.")
        for keyword in keywords:
            problem = text_problem(keyword, single_line=True)
            if problem:
                raise ValueError(f"A keyword {problem}.")
        with self._write() as s:
            row = s.get(ThemeRow, name)
            kw = json.dumps(sorted({k.strip().lower() for k in keywords if k.strip()}))
            if row is None:
                s.add(
                    ThemeRow(
                        name=name,
                        label=label.strip() or name,
                        description=description,
                        keywords=kw,
                        created_at=now_utc(),
                    )
                )
            else:
                row.label, row.description, row.keywords = label.strip() or name, description, kw

    def set_tags(self, response_id: str, field_name: str, themes: Iterable[str], tagged_by: str = "") -> None:
        """Replace the reviewer tags of one free-text field of one response."""
        wanted = set(themes)
        with self._write() as s:
            s.execute(
                delete(ThemeTagRow).where(ThemeTagRow.response_id == response_id, ThemeTagRow.field == field_name)
            )
            now = now_utc()
            for theme in sorted(wanted):
                s.add(
                    ThemeTagRow(
                        response_id=response_id, field=field_name, theme=theme, tagged_by=tagged_by, tagged_at=now
                    )
                )

    def tags_frame(self) -> pd.DataFrame:
        import pandas as pd

        with self.engine.connect() as conn:
            result = conn.execute(select(ThemeTagRow.response_id, ThemeTagRow.field, ThemeTagRow.theme))
            return pd.DataFrame(result.fetchall(), columns=["response_id", "field", "theme"])
