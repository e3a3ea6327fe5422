"""AppTest of the review pages: seed-like data, an empty store, sign-in and contacts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.access import PASSPHRASE_HASH_ENV, hash_passphrase
from analysis.coding import seed_codebook
from analysis.models import SurveyResponse
from analysis.storage import ResponseStore
from tests.conftest import ROOT, make_response

APP = str(ROOT / "app.py")
PAGES = ["pages/overview.py", "pages/crosstab.py", "pages/distributors.py", "pages/coding.py"]
PASSPHRASE = "steering council review"
CONTACT = "alice@example.org"


def _app(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(page).run()
    return at


def _all_text(at: AppTest) -> str:
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error"):
        parts.extend(str(el.value) for el in getattr(at, kind))
    parts.extend(str(m.label) + " " + str(m.value) for m in at.metric)
    parts.extend(df.value.to_string() for df in at.dataframe)
    return "\n".join(parts)


@pytest.fixture
def seeded(store: ResponseStore, seed_path: Path) -> ResponseStore:
    """The illustrative seed answers plus duplicates ("RHEL" / "Red Hat Enterprise Linux") and a contact."""
    if seed_path.exists():
        store.import_responses([SurveyResponse.model_validate(r) for r in json.loads(seed_path.read_text())])
    store.import_responses(
        [
            make_response(distributor="RHEL", contact=CONTACT, submitted_at="2026-01-01T00:00:00Z"),
            make_response(
                distributor="Red Hat Enterprise Linux",
                sigstore_status="in-production",
                blockers=[],
                submitted_at="2026-02-01T00:00:00Z",
            ),
        ]
    )
    seed_codebook(store)
    return store


@pytest.mark.parametrize("page", PAGES)
def test_page_with_data(seeded: ResponseStore, page: str) -> None:
    at = _app(page)
    assert not at.exception, at.exception
    text = _all_text(at)
    assert "open for local use" in text.lower()
    assert "No answers yet" not in text


@pytest.mark.parametrize("page", PAGES)
def test_page_empty_store(store: ResponseStore, page: str) -> None:
    at = _app(page)
    assert not at.exception, at.exception
    assert "No answers yet" in _all_text(at)


def test_overview_counts_and_illustrative_note(seeded: ResponseStore) -> None:
    at = _app("pages/overview.py")
    metrics = {m.label: m.value for m in at.metric}
    frame = seeded.latest_frame()
    assert metrics["Distributors"] == f"{frame['distributor_key'].nunique():,}"
    assert metrics["Responses"] == f"{len(frame):,}"
    if frame["illustrative"].any():
        assert any("illustrative" in str(i.value) for i in at.info)
    at.toggle(key="overview_by_kind").set_value(True).run()
    assert not at.exception
    at.radio(key="overview_unit").set_value("response").run()
    assert not at.exception


def test_crosstab_explorer_interactions(seeded: ResponseStore) -> None:
    at = _app("pages/crosstab.py")
    table = at.dataframe[0].value
    assert "Kind of distributor" in str(table.index.name)
    at.selectbox(key="ct_row").set_value("blockers").run()
    at.selectbox(key="ct_col").set_value("themes").run()
    at.radio(key="ct_normalize").set_value("row").run()
    at.radio(key="ct_view").set_value("Stacked bars").run()
    assert not at.exception
    at.selectbox(key="ct_row").set_value("distributor").run()
    at.selectbox(key="ct_col").set_value("sigstore_status").run()
    at.radio(key="ct_normalize").set_value("none").run()
    at.selectbox(key="ct_cell_row").set_value("Red Hat Enterprise Linux").run()
    at.selectbox(key="ct_cell_col").set_value("in-production").run()
    assert not at.exception
    members = at.dataframe[-1].value
    assert list(members["Distributor"]) == ["Red Hat Enterprise Linux"]
    at.multiselect(key="ct_f_kinds").set_value(["bsd"]).run()
    assert not at.exception


def test_distributors_flags_duplicates_and_hides_contacts_when_open(seeded: ResponseStore) -> None:
    at = _app("pages/distributors.py")
    at.text_input(key="dist_query").input("rhel").run()
    assert not at.exception
    text = _all_text(at)
    assert "Red Hat Enterprise Linux" in text
    assert "Claimed by 2 responses" in text and "Sigstore status" in text
    assert CONTACT not in text
    assert "Contacts are hidden" in text


def test_coding_saves_confirmed_tags_only(seeded: ResponseStore) -> None:
    at = _app("pages/coding.py")
    assert not at.exception
    assert seeded.tags_frame().empty  # suggestions are shown, never applied
    assert at.multiselect[0].options
    theme = next(t["name"] for t in seeded.themes())
    at.multiselect[0].select(theme).run()
    next(b for b in at.button if b.label == "Save tags").click().run()
    assert not at.exception
    tags = seeded.tags_frame()
    assert list(tags["theme"]) == [theme]


def test_coding_offers_default_codebook(store: ResponseStore) -> None:
    store.import_responses([make_response()])
    at = _app("pages/coding.py")
    next(b for b in at.button if b.label == "Load the default codebook").click().run()
    assert not at.exception
    assert len(store.themes()) > 5


# -- access control ------------------------------------------------------------------------------


@pytest.fixture
def reviewers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSPHRASE_HASH_ENV, hash_passphrase(PASSPHRASE, n=2**4, r=1, p=1))


@pytest.mark.parametrize("page", [*PAGES, "pages/simulator.py", "pages/reports.py"])
def test_review_page_without_sign_in_shows_no_data(seeded: ResponseStore, reviewers: None, page: str) -> None:
    at = _app(page)
    assert not at.exception
    text = _all_text(at)
    assert "Reviewers only" in text
    assert not at.dataframe and not at.metric
    assert "Debian" not in text and "Red Hat" not in text


def test_wrong_passphrase_refused(seeded: ResponseStore, reviewers: None) -> None:
    at = _app("pages/overview.py")
    at.text_input[0].input("not the passphrase")
    at.button[0].click().run()
    assert "That passphrase is not right." in [e.value for e in at.error]
    assert not at.metric


def test_sign_in_then_contacts_visible(seeded: ResponseStore, reviewers: None) -> None:
    at = _app("pages/distributors.py")
    at.text_input[0].input(PASSPHRASE)
    at.button[0].click().run()
    assert not at.exception
    at.text_input(key="dist_query").input("rhel").run()
    text = _all_text(at)
    assert CONTACT in text
    assert "Contacts are shown" in text


def test_public_pages_stay_public(reviewers: None) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "Reviewers only" not in _all_text(at)


def test_oidc_allow_list_without_provider_stays_closed(seeded: ResponseStore) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["reviewers"] = {"allowed_emails": ["reviewer@example.org"]}
    at.run()
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    text = _all_text(at)
    assert "Reviewers only" in text and not at.metric
    assert any("[auth]" in str(w.value) for w in at.warning)


def test_passphrase_from_secrets(seeded: ResponseStore) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["reviewers"] = {"passphrase_hash": hash_passphrase(PASSPHRASE, n=2**4, r=1, p=1)}
    at.run()
    at.switch_page("pages/crosstab.py").run()
    assert "Reviewers only" in _all_text(at)
    at.text_input[0].input(PASSPHRASE)
    at.button[0].click().run()
    assert not at.exception
    assert at.dataframe


AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret",
    "client_id": "id",
    "client_secret": "secret",
    "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration",
}


def _oidc_app(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["reviewers"] = {"allowed_emails": ["Reviewer@Example.org"]}
    at.secrets["auth"] = AUTH
    at.run()
    at.switch_page(page).run()
    return at


def test_oidc_not_logged_in_offers_sign_in(seeded: ResponseStore) -> None:
    at = _oidc_app("pages/overview.py")
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in with your identity provider"]
    assert not at.metric


def test_oidc_allowed_email_sees_data_and_contacts(seeded: ResponseStore, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.auth

    monkeypatch.setattr(ui.auth, "_user", lambda: {"is_logged_in": True, "email": "reviewer@example.org"})
    at = _oidc_app("pages/distributors.py")
    assert not at.exception
    at.text_input(key="dist_query").input("rhel").run()
    assert CONTACT in _all_text(at)


def test_oidc_other_email_refused(seeded: ResponseStore, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.auth

    monkeypatch.setattr(ui.auth, "_user", lambda: {"is_logged_in": True, "email": "mallory@example.org"})
    at = _oidc_app("pages/crosstab.py")
    assert not at.exception
    assert any("not on the reviewers' list" in str(e.value) for e in at.error)
    assert not at.dataframe


def test_malformed_secrets_do_not_crash(tmp_path: Path) -> None:
    import streamlit as st
    from streamlit import config

    import ui.auth

    bad = tmp_path / "secrets.toml"
    bad.write_text('[reviewers\npassphrase_hash = "scrypt$', encoding="utf-8")
    old = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(bad)])
    st.secrets._reset()
    try:
        assert ui.auth._secrets() == {}
        assert not ui.auth.current_config().configured
    finally:
        config.set_option("secrets.files", old)
        st.secrets._reset()
