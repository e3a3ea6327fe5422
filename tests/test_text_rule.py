"""The text rule (analysis.models): what the form, the importer and the store accept, on both stores.

Control characters, bidi controls and (in names) invisible characters are refused with a message
naming the field and the character; an older store's text still loads, with U+FFFD marks; names
that differ only by invisible characters count as one distributor.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from analysis.cli import main
from analysis.importer import parse_responses
from analysis.models import (
    STORED,
    SurveyResponse,
    format_validation_error,
    normalise_distributor,
    text_problem,
    visible_text,
)
from analysis.storage import ResponseStore
from tests.conftest import APP_PATH, make_evidence, make_response
from tests.hostile_support import INVISIBLE_NAMES

C0_REFUSED = [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"]
TEXT_KEYS = ("verification_tooling", "blockers_text", "worst_case_text", "comments", "source")
ONE_LINE_KEYS = ("distributor", "respondent_role", "contact")
BIDI = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]


def errors_of(**overrides: object) -> list[str]:
    with pytest.raises(ValidationError) as info:
        make_response(**overrides)
    return format_validation_error(info.value)


@pytest.mark.parametrize("key", TEXT_KEYS + ONE_LINE_KEYS)
@pytest.mark.parametrize("ch", [*C0_REFUSED, "\x7f", "\x80", "\x9f"])
def test_every_control_character_is_refused_in_every_text_field(key: str, ch: str) -> None:
    value = f"ab{ch}cd" if key != "contact" else f"a{ch}@example.org"
    lines = errors_of(**{key: value})
    assert len(lines) == 1
    assert lines[0].startswith(f"{key}: contains a control character, U+{ord(ch):04X}")
    assert "remove it and try again" in lines[0]


def test_nested_evidence_text_follows_the_same_rule() -> None:
    evidence = make_evidence(identity="hugo@python.org\x00")
    lines = errors_of(verification_evidence=[evidence])
    assert lines == [
        "verification_evidence.0.identity: contains a control character, U+0000, at character 16; remove it and try again"
    ]


def test_tab_newline_cr_are_prose_but_not_names() -> None:
    resp = make_response(comments="one\ttwo\r\nthree", blockers_text="a\nb")
    assert resp.comments == "one\ttwo\r\nthree"
    assert errors_of(distributor="Deb\nian") == [
        (
            "distributor: contains a line break or tab (this field is one line), U+000A, at character 4; "
            "remove it and try again"
        )
    ]


@pytest.mark.parametrize("ch", BIDI)
def test_bidi_controls_are_refused_everywhere(ch: str) -> None:
    assert "bidirectional text control" in errors_of(distributor=f"{ch}Debian")[0]
    assert "bidirectional text control" in errors_of(comments=f"see {ch}here")[0]


@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_invisible_characters_are_refused_in_names(name: str) -> None:
    (line,) = errors_of(distributor=name)
    assert line.startswith("distributor: contains ")
    assert "U+" in line


def test_prose_keeps_zero_width_joiners_and_right_to_left_text() -> None:
    emoji = "\U0001f469\u200d\U0001f4bb works on it; \u05e9\u05dc\u05d5\u05dd"
    assert make_response(comments=emoji).comments == emoji


@pytest.mark.parametrize("name", [*INVISIBLE_NAMES, "  DEBIAN ", "debian\u00ad", "Debian\u2060"])
def test_invisible_variants_count_as_one_distributor(name: str) -> None:
    assert normalise_distributor(name) == normalise_distributor("Debian") == "debian"


def test_message_never_echoes_the_refused_text() -> None:
    (line,) = errors_of(comments="secret\x1b[2J")
    assert "secret" not in line and "\x1b" not in line


def test_text_read_back_from_an_older_store_gets_visible_marks() -> None:
    data = make_response().model_dump(mode="json") | {"comments": "a\x00b\x1bc", "distributor": "\u202eDebian\u200b"}
    resp = SurveyResponse.model_validate(data, context=STORED)
    assert resp.comments == "a\ufffdb\ufffdc"
    assert resp.distributor == "\ufffdDebian\ufffd"
    assert visible_text("tab\tok\x07") == "tab\tok\ufffd"
    assert text_problem("fine\ttext\n") is None


def test_importer_reports_the_same_message_by_line_and_key() -> None:
    good = make_response().canonical_json()
    lines = [json.dumps(good | {"distributor": "Ubuntu"}), json.dumps(good | {"comments": "x\x00y"})]
    outcome = parse_responses("\n".join(lines))
    assert outcome.errors == [
        "line 2: comments: contains a control character, U+0000, at character 2; remove it and try again"
    ]


def test_unknown_key_with_escape_sequence_is_quoted(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "evil.jsonl"
    path.write_text(json.dumps(make_response().canonical_json() | {"\x1b[2JOK": 1}) + "\n", encoding="utf-8")
    assert main(["import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "'\\x1b[2JOK': unknown key" in err


# -- on both stores -------------------------------------------------------------------------------


def test_import_with_nul_stores_nothing_on_both_stores(
    store: ResponseStore, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "nul.jsonl"
    good = make_response().canonical_json()
    path.write_text(json.dumps(good) + "\n" + json.dumps(good | {"contact": "bob\x00@example.org"}) + "\n")
    assert main(["import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "line 2: contact: contains a control character, U+0000" in err
    assert "Traceback" not in err and "INSERT" not in err
    assert store.stats()["responses"] == 0


def test_form_refuses_nul_by_field_and_keeps_what_was_typed(store: ResponseStore) -> None:
    """On PostgreSQL a NUL used to reach the driver: a traceback with the SQL and the contact."""
    at = AppTest.from_file(APP_PATH, default_timeout=60).run()
    at.switch_page("pages/survey.py").run()
    at.selectbox(key="f_distributor").set_value("Gentoo")
    at.selectbox(key="f_distributor_kind").set_value("linux-distribution")
    at.radio(key="f_prerelease_start").set_value("alpha")
    at.selectbox(key="f_sigstore_status").set_value("evaluating")
    at.text_input(key="f_contact").input("carol@example.org")
    typed = "we verify\x00 with gpgv"
    at.text_area(key="f_comments").input(typed)
    at.button(key="FormSubmitter:survey-Submit answers").click().run()
    assert not at.exception
    message = "Anything else: contains a control character, U+0000, at character 10; remove it and try again"
    errors = [e.value for e in at.error]
    assert message in errors  # under the field
    assert any(e.startswith("Your answers were not saved yet") and message in e for e in errors)  # the summary
    assert not any("carol" in e or "INSERT" in e for e in errors)
    assert at.text_area(key="f_comments").value == typed
    assert at.text_input(key="f_contact").value == "carol@example.org"
    assert store.stats()["responses"] == 0


def test_invisible_names_cannot_be_submitted_and_old_ones_still_load(store: ResponseStore) -> None:
    for name in INVISIBLE_NAMES:
        with pytest.raises(ValidationError):
            make_response(distributor=name)
    rid = store.submit(make_response(distributor="Debian", comments="ok")).response_id
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE response_revisions SET distributor = :d, comments = :c WHERE response_id = :r"),
            {"d": "\u202eDebian\u200b", "c": "old\x01text", "r": rid},
        )
    (latest,) = store.latest()
    assert latest.response.distributor == "\ufffdDebian\ufffd"
    assert latest.response.comments == "old\ufffdtext"


def test_theme_text_with_nul_is_refused_before_the_database(store: ResponseStore) -> None:
    with pytest.raises(ValueError, match="U\\+0000"):
        store.upsert_theme("t", "Label\x00", "description")
    assert store.themes() == []


def test_evidence_file_name_is_marked_not_refused() -> None:
    """The artifact name comes from the uploaded file, not from typing: it is kept, marked."""
    from analysis.models import VerificationEvidence

    evidence = VerificationEvidence(
        python_version="3.14",
        artifact="Python-3.14.0\x1b[2J\u200b.tgz",
        sha256="0" * 64,
        identity="hugo@python.org",
        issuer="https://github.com/login/oauth",
        verified_at="2025-10-07T00:00:00Z",  # type: ignore[arg-type]
        tool="sigstore-python",
    )
    assert evidence.artifact == "Python-3.14.0\ufffd[2J\ufffd.tgz"


def test_fast_path_agrees_with_the_rule_for_every_code_point() -> None:
    """``text_problem`` skips the per-character scan for most text; it must never skip a refusal."""
    from analysis.models import _refused

    for code in range(0x110000):
        ch = chr(code)
        for single_line in (False, True):
            expected = _refused(ch, single_line=single_line) is not None
            assert (text_problem(f"a{ch}b", single_line=single_line) is not None) == expected, hex(code)


def test_prose_fields_are_exactly_the_fields_that_accept_a_line_break() -> None:
    """``PROSE_FIELDS`` (used by the streamed export) says what the annotations enforce."""
    from pydantic import ValidationError

    from analysis.models import PROSE_FIELDS
    from tests.conftest import make_response

    base = make_response().model_dump(mode="json")
    accepting = set()
    for key, value in base.items():
        if key == "distributor" or isinstance(value, str) or key in ("respondent_role", "contact"):
            try:
                make_response(**{key: "first line\nsecond line"})
            except ValidationError:
                continue
            accepting.add(key)
    assert accepting == set(PROSE_FIELDS)


def test_printable_text_is_never_refused() -> None:
    """The text validator accepts ``str.isprintable()`` text before anything else (the import's
    fast path): no printable character may be one the rule refuses, in any field."""
    from analysis.models import _refused

    for code in range(0x110000):
        ch = chr(code)
        if ch.isprintable():
            assert _refused(ch, single_line=True) is None and _refused(ch, single_line=False) is None, hex(code)
