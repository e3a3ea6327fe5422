"""AppTest of the survey: fill, submit, come back with the link, edit, history, drafts."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from analysis.storage import open_store
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


def test_fill_submit_reload_edit_and_history() -> None:
    at = open_survey()
    fill_required(at)
    at.multiselect(key="f_blockers").set_value(["offline-verification", "packaging-dependencies"])
    at.text_area(key="f_blockers_text").input("We build offline.")
    at.date_input(key="f_ready_likely").set_value(date(2025, 6, 1))
    submit(at)
    assert "your answers for Gentoo are saved" in at.success[0].value
    token = token_from(at)
    latest = open_store().latest()
    assert len(latest) == 1 and latest[0].response.blockers_text == "We build offline."

    again = open_survey(token)
    assert "editing the answers for **Gentoo**" in again.info[0].value
    assert again.selectbox(key="f_distributor").value == "Gentoo"
    assert again.multiselect(key="f_blockers").value == ["offline-verification", "packaging-dependencies"]
    assert again.date_input(key="f_ready_likely").value == date(2025, 6, 1)
    again.number_input(key="f_prerelease_lag_days").set_value(14)
    submit(again)
    assert "Saved revision 2" in again.success[0].value
    assert not again.code  # the link is shown only once, at creation

    history = open_store().history(latest[0].response.response_id)  # type: ignore[arg-type]
    assert [h.response.prerelease_lag_days for h in history] == [0, 14]
    third = open_survey(token)
    expander_text = " ".join(m.value for m in third.expander[-1].markdown)
    assert "Revision 1" in expander_text and "Revision 2" in expander_text
    assert "Days after that release appears" in expander_text


def test_validation_failure_keeps_what_was_typed_and_stores_nothing() -> None:
    at = open_survey()
    fill_required(at)
    at.text_area(key="f_comments").input("Long thoughts")
    at.date_input(key="f_ready_earliest").set_value(date(2026, 1, 1))
    at.date_input(key="f_ready_likely").set_value(date(2025, 1, 1))
    submit(at)
    assert "not saved yet" in at.error[0].value and "earliest date" in at.error[0].value
    assert at.text_area(key="f_comments").value == "Long thoughts"
    assert at.selectbox(key="f_distributor").value == "Gentoo"
    assert open_store().stats()["responses"] == 0


def test_missing_required_fields_are_listed() -> None:
    at = submit(open_survey())
    message = at.error[0].value
    for key in ("distributor", "distributor_kind", "prerelease_start", "sigstore_status"):
        assert f"- {key}:" in message
    assert open_store().stats()["revisions"] == 0


def test_draft_is_saved_and_resumed_from_the_same_link() -> None:
    at = open_survey()
    at.selectbox(key="f_distributor").set_value("NetBSD")
    at.text_area(key="f_worst_case_text").input("half-written thoughts")
    at.button(key="FormSubmitter:survey-Save draft").click().run()
    assert "Draft saved" in at.success[0].value
    token = token_from(at)
    assert open_store().stats()["responses"] == 0

    resumed = open_survey(token)
    assert any("Resumed your draft" in i.value for i in resumed.info)
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
