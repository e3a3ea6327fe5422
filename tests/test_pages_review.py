"""AppTest of the review pages with seed-like data and with an empty store."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.storage import ResponseStore
from tests.conftest import make_response
from tests.review_support import CONTACT, PAGES, all_text, open_page, seed_store


@pytest.fixture
def seeded(store: ResponseStore, seed_path: Path) -> ResponseStore:
    return seed_store(store, seed_path)


@pytest.mark.parametrize("page", PAGES)
def test_page_with_data(seeded: ResponseStore, page: str) -> None:
    at = open_page(page)
    assert not at.exception, at.exception
    text = all_text(at)
    assert "open for local use" in text.lower()
    assert "No answers yet" not in text


@pytest.mark.parametrize("page", PAGES)
def test_page_empty_store(store: ResponseStore, page: str) -> None:
    at = open_page(page)
    assert not at.exception, at.exception
    assert "No answers yet" in all_text(at)


def test_overview_counts_and_illustrative_note(seeded: ResponseStore) -> None:
    at = open_page("pages/overview.py")
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
    at = open_page("pages/crosstab.py")
    table = at.dataframe[0].value
    assert "Kind of distributor" in str(table.index.name)
    at.selectbox(key="ct_row").set_value("blockers").run()
    at.selectbox(key="ct_col").set_value("themes").run()
    at.radio(key="ct_normalize").set_value("row").run()
    at.radio(key="ct_view").set_value("bars").run()
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
    at = open_page("pages/distributors.py")
    at.text_input(key="dist_query").input("rhel").run()
    assert not at.exception
    text = all_text(at)
    assert "Red Hat Enterprise Linux" in text
    assert "Claimed by 2 responses" in text and "Sigstore status" in text
    assert CONTACT not in text
    assert "Contacts are hidden" in text


def test_coding_saves_confirmed_tags_only(seeded: ResponseStore) -> None:
    at = open_page("pages/coding.py")
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
    at = open_page("pages/coding.py")
    next(b for b in at.button if b.label == "Load the default codebook").click().run()
    assert not at.exception
    assert len(store.themes()) > 5
