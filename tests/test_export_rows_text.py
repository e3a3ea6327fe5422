"""The row writer of the JSON export, on rows as a store hands them back, whatever text they hold.

Rows are built as SQLite returns them (dates and times as text, booleans as 0/1) and as
PostgreSQL does (``date``/``datetime`` objects, booleans), with any text an older app may have
stored in them: the written line is valid JSON whose texts pass today's text rule, accepted text
comes out unchanged, and a row holding a refused character reads exactly as it does through the
model (each refused character marked with U+FFFD).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.models import PROSE_FIELDS, STORED, SurveyResponse, text_problem
from analysis.storage.export_rows import RowWriter, _encode_one, stored_columns
from analysis.storage.rows import revision_values
from tests.conftest import make_evidence, make_response

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
#: Characters an older store may hold: controls, line breaks, bidi and invisible format
#: characters, non-characters, quotes and backslashes, and ordinary letters around them.
ODD = '\x00\x01\x07\x08\t\n\x0b\x0c\r\x1b\x1f\x7f\x85\x9f\u00a0\u200b\u200d\u2028\u2029\u202e\u2066\ufeff\ufffe\uffff"\\/<>é漢🙂 '
TEXTS = st.text(alphabet=st.sampled_from(ODD) | st.characters(exclude_categories=("Cs",)), min_size=1, max_size=24)
TEXT_FIELDS = ("distributor", "respondent_role", "contact", "comments", "blockers_text", "source")


def stored_row(dialect: str, **text: str) -> tuple[Any, ...]:
    """A stored revision row of a valid answer, as ``dialect``'s driver returns it, with ``text``
    written into its columns afterwards (as raw SQL would)."""
    values = revision_values(make_response(contact="a@example.org", respondent_role="packager"), "ab" * 16, 1, NOW)
    values.update(text)
    if dialect == "sqlite":
        values["submitted_at"] = values["submitted_at"].strftime("%Y-%m-%d %H:%M:%S.%f")
        values["illustrative"] = int(values["illustrative"])
        for key in ("ready_earliest", "ready_likely", "ready_latest"):
            if isinstance(values[key], date):
                values[key] = values[key].isoformat()
    return tuple(values[c] for c in stored_columns(True))


def through_model(writer: RowWriter, row: tuple[Any, ...]) -> str:
    """The reference: the row read back through the model as the store reads it (``STORED``)."""
    item = writer._item(row)
    data = SurveyResponse.model_validate(item, context=STORED).model_dump(mode="json")
    return _encode_one({key: data[key] for key in writer.keys})


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
@given(field=st.sampled_from(TEXT_FIELDS), value=TEXTS)
def test_any_stored_text_is_written_as_the_model_reads_it(dialect: str, field: str, value: str) -> None:
    value = value.strip() or "x"
    writer = RowWriter(stored_columns(True), include_contacts=True)
    row = stored_row(dialect, **{field: value})
    (line,) = writer.lines([row])
    written = json.loads(line)[field]
    assert text_problem(written, single_line=field not in PROSE_FIELDS) is None
    if text_problem(value, single_line=field not in PROSE_FIELDS) is None:
        assert written == value
    assert line == through_model(writer, row)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_rows_of_both_drivers_write_the_same_line(dialect: str) -> None:
    writer = RowWriter(stored_columns(True), include_contacts=True)
    (line,) = writer.lines([stored_row(dialect)])
    (other,) = writer.lines([stored_row("postgresql" if dialect == "sqlite" else "sqlite")])
    assert line == other
    assert json.loads(line)["submitted_at"] == "2026-03-04T05:06:07Z"
    assert json.loads(line)["ready_by"] == {"earliest": "2025-03-01", "likely": "2025-06-01", "latest": "2025-12-01"}


def test_evidence_with_a_line_break_in_a_one_line_field_is_marked() -> None:
    """Evidence texts are one-line fields inside a JSON column: a newline there is refused."""
    evidence = make_evidence(identity="hugo@python.org\nspoofed")
    writer = RowWriter(stored_columns(True), include_contacts=True)
    row = stored_row("sqlite", verification_evidence=json.dumps([evidence]))
    (line,) = writer.lines([row])
    assert json.loads(line)["verification_evidence"][0]["identity"] == "hugo@python.org\ufffdspoofed"
    assert line == through_model(writer, row)


def test_rows_selected_in_another_order_are_refused() -> None:
    names = stored_columns(True)
    with pytest.raises(ValueError, match="stored_columns"):
        RowWriter([names[1], names[0], *names[2:]], include_contacts=True)
