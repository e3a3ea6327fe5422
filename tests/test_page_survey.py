"""AppTest of the survey: fill, submit, come back with the link, edit, history, drafts."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from analysis.models import MAX_TEXT
from analysis.reference_data import field_label, known_python_versions
from analysis.storage import ResponseStore, open_store
from tests.conftest import APP_PATH, make_response


def open_survey(token: str | None = None) -> AppTest:
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    if token:
        at.query_params["edit"] = token
    at.run()
    at.switch_page("pages/survey.py").run()
    assert not at.exception
    return at


def fill_required(at: AppTest, distributor: str = "Gentoo") -> None:
    at.selectbox(key="f_distributor").set_value(distributor)
    at.selectbox(key="f_distributor_kind").set_value("linux-distribution")
    at.radio(key="f_prerelease_start").set_value("alpha")
    at.selectbox(key="f_sigstore_status").set_value("evaluating")


def submit(at: AppTest) -> AppTest:
    at.button(key="FormSubmitter:survey-Submit answers").click().run()
    assert not at.exception
    return at


def token_from(at: AppTest) -> str:
    link = at.code[0].value
    assert "?edit=" in link
    return link.split("?edit=", 1)[1]


def test_landing_page_counts_distributors_and_links_to_pep() -> None:
    open_store().import_responses([])
    at = AppTest.from_file(APP_PATH, default_timeout=60).run()
    assert not at.exception
    assert at.metric[0].label == "Distributors that answered" and at.metric[0].value == "0"
    text = " ".join(m.value for m in at.markdown)
    assert "peps.python.org/pep-0761" in text and "sigstore" in text.lower()


def history(at: AppTest) -> list[tuple[str, list[dict[str, object]]]]:
    """The revision history as a person reads it: each heading with its table of changes."""
    box = at.expander[-1]
    headings = [m.value for m in box.markdown if m.value.startswith("**Revision")]
    tables = [df.value.to_dict("records") for df in box.dataframe]
    tables = tables + [[]] * (len(headings) - len(tables))  # a first submission has no table
    return list(zip(headings, tables, strict=True))


def test_fill_submit_reload_edit_and_history(store: ResponseStore) -> None:
    at = open_survey()
    fill_required(at)
    at.multiselect(key="f_blockers").set_value(["offline-verification", "packaging-dependencies"])
    at.text_area(key="f_blockers_text").input("We build offline.")
    at.date_input(key="f_ready_likely").set_value(date(2025, 6, 1))
    submit(at)
    assert "your answers for Gentoo are saved" in at.success[0].value
    token = token_from(at)
    # The banner above the form already reads what is stored now.
    assert "editing the answers for **Gentoo**" in at.info[0].value and "revision 1" in at.info[0].value
    latest = store.latest()
    assert len(latest) == 1 and latest[0].response.blockers_text == "We build offline."

    again = open_survey(token)
    assert "editing the answers for **Gentoo**" in again.info[0].value
    assert again.selectbox(key="f_distributor").value == "Gentoo"
    assert again.multiselect(key="f_blockers").value == ["offline-verification", "packaging-dependencies"]
    assert again.date_input(key="f_ready_likely").value == date(2025, 6, 1)
    again.number_input(key="f_prerelease_lag_days").set_value(14)
    again.multiselect(key="f_blockers").set_value(["offline-verification"])
    submit(again)
    assert "Saved revision 2" in again.success[0].value
    assert "revision 2" in again.info[0].value  # the banner followed the save
    assert not again.code  # the link is shown only once, at creation

    stored = store.history(latest[0].response.response_id)  # type: ignore[arg-type]
    assert [h.response.prerelease_lag_days for h in stored] == [0, 14]
    third = open_survey(token)
    when = [f"{h.response.submitted_at:%Y-%m-%d %H:%M} UTC" for h in stored]
    assert history(third) == [
        (
            f"**Revision 2** · {when[1]} · 2 answer(s) changed",
            [
                {"Answer": field_label("prerelease_lag_days"), "Before": "0", "After": "14"},
                {
                    "Answer": field_label("blockers"),
                    "Before": "Offline verification, Packaging the client's dependencies",
                    "After": "Offline verification",
                },
            ],
        ),
        (f"**Revision 1** · {when[0]} · first submission", []),
    ]


def test_resubmitting_unchanged_answers_adds_no_revision_and_says_so(store: ResponseStore) -> None:
    at = open_survey()
    fill_required(at)
    submit(at)
    token = token_from(at)
    again = open_survey(token)
    submit(again)
    assert any("Nothing changed since revision 1" in i.value for i in again.info)
    assert not again.success
    rid = store.latest()[0].response.response_id
    assert [h.revision for h in store.history(rid)] == [1]  # type: ignore[arg-type]
    assert [heading.endswith("first submission") for heading, _ in history(again)] == [True]


def test_validation_lists_every_problem_in_the_forms_words_and_marks_fields(store: ResponseStore) -> None:
    at = open_survey()
    fill_required(at)
    at.text_area(key="f_comments").input("Long thoughts")
    at.date_input(key="f_ready_earliest").set_value(date(2027, 1, 1))
    at.date_input(key="f_ready_likely").set_value(date(2026, 1, 1))
    at.date_input(key="f_ready_latest").set_value(date(2025, 1, 1))
    submit(at)
    summary = at.error[-1].value
    assert "not saved yet" in summary
    assert "Most likely (2026-01-01) is before " in summary and "Earliest (2027-01-01)" in summary
    assert "Latest (2025-01-01) is before " in summary and "Most likely (2026-01-01)" in summary
    assert "ready_by" not in summary and "likely date" not in summary  # no JSON keys
    # Each field with a problem carries its own message, right under it (the page scrolls there).
    marked = {e.value for e in at.error[:-1]}
    assert len(marked) == 2 and all("is before" in m for m in marked)
    assert at.text_area(key="f_comments").value == "Long thoughts"
    assert at.selectbox(key="f_distributor").value == "Gentoo"
    assert store.stats()["responses"] == 0 and store.stats()["revisions"] == 0


def test_missing_required_fields_are_listed_by_their_labels(store: ResponseStore) -> None:
    at = submit(open_survey())
    message = at.error[-1].value
    for key in ("distributor", "distributor_kind", "prerelease_start", "sigstore_status"):
        assert f"- {field_label(key)}: this answer is required." in message
        assert f"- {key}:" not in message
    assert store.stats()["revisions"] == 0


def test_a_text_over_the_limit_is_kept_and_the_limit_explained(store: ResponseStore) -> None:
    pasted = "A long paste. " * 800  # 11,200 characters
    at = open_survey()
    fill_required(at)
    assert not at.text_area(key="f_worst_case_text").max_chars  # the browser must not cut a paste
    at.text_area(key="f_worst_case_text").input(pasted)
    submit(at)
    assert at.text_area(key="f_worst_case_text").value == pasted
    expected = f"{field_label('worst_case_text')}: {len(pasted.strip()):,} characters, at most {MAX_TEXT:,}"
    assert expected in at.error[-1].value
    assert store.stats()["revisions"] == 0
    at.text_area(key="f_worst_case_text").input(pasted[:MAX_TEXT])
    submit(at)
    assert not at.error
    assert len(store.latest()[0].response.worst_case_text) == len(pasted[:MAX_TEXT].strip())


def test_dual_signing_offers_sigstore_only_lines_and_one_empty_choice(store: ResponseStore) -> None:
    at = open_survey()
    box = at.selectbox(key="f_dual_signing_until")
    lines = [v for v in known_python_versions() if tuple(map(int, v.split("."))) >= (3, 14)]
    assert box.options == ["No need for dual signing", *lines]
    assert box.format_func(box.value) == "No need for dual signing"  # the closed box reads the same
    fill_required(at)
    submit(at)
    assert store.latest()[0].response.dual_signing_until is None
    token = token_from(at)
    again = open_survey(token)
    again.selectbox(key="f_dual_signing_until").set_value("3.15")
    submit(again)
    assert store.latest()[0].response.dual_signing_until == "3.15"
    assert open_survey(token).selectbox(key="f_dual_signing_until").value == "3.15"


def test_draft_is_saved_and_resumed_from_the_same_link() -> None:
    at = open_survey()
    at.selectbox(key="f_distributor").set_value("NetBSD")
    at.text_area(key="f_worst_case_text").input("half-written thoughts")
    at.button(key="FormSubmitter:survey-Save draft").click().run()
    assert "Draft saved" in at.success[0].value
    token = token_from(at)
    assert open_store().stats()["responses"] == 0

    resumed = open_survey(token)
    assert any("Your draft saved" in i.value and "not counted" in i.value for i in resumed.info)
    assert resumed.selectbox(key="f_distributor").value == "NetBSD"
    assert resumed.text_area(key="f_worst_case_text").value == "half-written thoughts"
    resumed.selectbox(key="f_distributor_kind").set_value("bsd")
    resumed.radio(key="f_prerelease_start").set_value("final")
    resumed.selectbox(key="f_sigstore_status").set_value("not-started")
    submit(resumed)
    assert "saved" in resumed.success[0].value
    assert open_store().stats()["responses"] == 1


@pytest.mark.parametrize("token", ["not-a-real-token", "x" * 300])
def test_wrong_token_shows_a_clear_message_and_no_data(token: str) -> None:
    store = open_store()
    store.submit(make_response(contact="secret@example.org"))
    at = open_survey(token)
    assert "not valid" in at.error[0].value
    assert not at.text_input and not at.selectbox
    assert "secret@example.org" not in str(at)


def test_evaluating_respondent_is_sent_to_the_verification_page_with_their_link() -> None:
    at = open_survey()
    fill_required(at)  # sigstore_status = evaluating
    submit(at)
    token = token_from(at)
    links = at.get("page_link")
    assert links, "expected a link to the verification page"
    proto = links[0].proto
    assert proto.page == "verify"
    assert proto.query_string == f"edit={token}"


def test_an_older_stored_dual_signing_line_is_kept_when_editing(store: ResponseStore) -> None:
    created = store.submit(make_response(dual_signing_until="3.12"))
    at = open_survey(created.token)
    assert at.selectbox(key="f_dual_signing_until").value == "3.12"
    at.number_input(key="f_prerelease_lag_days").set_value(3)
    submit(at)
    assert store.latest()[0].response.dual_signing_until == "3.12"
