"""AppTests of the review session's flow: headline counts, coding of counted answers, labels."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.access import PASSPHRASE_HASH_ENV, hash_passphrase
from analysis.reference_data import field_label
from analysis.reports import ReportOptions
from analysis.storage import ResponseStore
from tests.conftest import make_response
from tests.reports_support import snapshot
from tests.review_support import APP, CONTACT, PASSPHRASE, all_text, open_page, seed_store


@pytest.fixture
def seeded(store: ResponseStore, seed_path: Path) -> ResponseStore:
    return seed_store(store, seed_path)


def metrics(at: object) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}  # type: ignore[attr-defined]


def test_overview_headline_follows_the_illustrative_filter_and_matches_the_report(seeded: ResponseStore) -> None:
    # seed: 9 illustrative distributors; plus RHEL claimed by two real (non-illustrative) responses
    at = open_page("pages/overview.py")
    shown = metrics(at)
    assert shown["Distributors"] == "10" and shown["Responses"] == "11"
    assert shown["Illustrative answers"] == "9 of 10"
    report = snapshot(seeded, ReportOptions(draws=200))
    assert (report.illustrative, report.distributors) == (9, 10)  # the same count in the report

    at.radio(key="overview_unit").set_value("response").run()
    assert metrics(at)["Illustrative answers"] == "9 of 11"

    at.checkbox(key="overview_illustrative").uncheck().run()
    assert not at.exception
    shown = metrics(at)
    assert shown["Distributors"] == "1" and shown["Responses"] == "2"
    assert shown["Illustrative answers left out"] == "9"
    assert not any("illustrative answer(s)" in str(i.value) for i in at.info)


def open_with(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def claim_ids(store: ResponseStore) -> tuple[str, str]:
    """(superseded, counted) response ids of the RHEL pair in ``seed_store``."""
    frame = store.latest_frame()
    rhel = frame[frame["distributor_key"] == "rhel"].sort_values("submitted_at")
    old, new = list(rhel["response_id"])
    return old, new


def test_coding_lists_counted_answers_and_marks_superseded_ones(seeded: ResponseStore) -> None:
    old, new = claim_ids(seeded)
    at = open_page("pages/coding.py")
    answers = at.selectbox(key="code_response")  # options as a person reads them
    assert "Red Hat Enterprise Linux — uscan has no Sigstore support" in answers.options
    assert not any(o.startswith(("RHEL", "(superseded)")) for o in answers.options)
    answers.set_value(new).run()
    assert any("Counted answer" in c.value for c in at.caption)

    at.toggle(key="code_superseded").set_value(True).run()
    answers = at.selectbox(key="code_response")
    assert "(superseded) RHEL — uscan has no Sigstore support" in answers.options
    answers.set_value(old).run()
    warning = " ".join(w.value for w in at.warning)
    assert "Superseded answer" in warning and "2026-02-01" in warning
    theme = next(t["name"] for t in seeded.themes())
    at.multiselect(key=f"tags_{old}_blockers_text").select(theme).run()
    next(b for b in at.button if b.label == "Save tags").click().run()
    assert not at.exception
    assert list(seeded.tags_frame()["response_id"]) == [old]
    assert any("count only when the cross-tab counts every response" in t.value for t in at.toast)


def test_a_link_opens_one_distributor(seeded: ResponseStore) -> None:
    at = open_with("pages/distributors.py", distributor="rhel")
    text = all_text(at)
    assert "Showing the one distributor named in the link." in text
    assert "Red Hat Enterprise Linux" in text and "Claimed by 2 responses" in text
    assert "Debian" not in text and "Gentoo" not in text
    next(b for b in at.button if b.label == "Show all distributors").click().run()
    assert "Debian" in all_text(at) and "distributor" not in at.query_params


@pytest.mark.parametrize("value", ["no-such-distributor", "x" * 5000, "<script>alert(1)</script>", "**bold**"])
def test_a_bad_distributor_link_is_ignored_with_a_note(seeded: ResponseStore, value: str) -> None:
    at = open_with("pages/distributors.py", distributor=value)
    assert any("has no answer here" in w.value for w in at.warning)
    text = all_text(at)
    assert "Debian" in text and value not in text


def test_contacts_have_labels_and_unknown_reads_unknown(seeded: ResponseStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSPHRASE_HASH_ENV, hash_passphrase(PASSPHRASE, n=2**4, r=1, p=1))
    at = open_with("pages/distributors.py", distributor="rhel")
    at.text_input[0].input(PASSPHRASE)
    at.button[0].click().run()
    assert not at.exception
    contacts = next(df.value for df in at.dataframe if "Contact" in df.value.columns)
    assert list(contacts.columns) == ["Name given", "Role", "Contact"]
    assert contacts.to_dict("records") == [{"Name given": "RHEL", "Role": "unknown", "Contact": CONTACT}]
    text = all_text(at)
    assert "None" not in text and "nan" not in text.split()


def test_crosstab_view_comes_from_and_goes_to_the_url(seeded: ResponseStore) -> None:
    at = open_with("pages/crosstab.py", row="blockers", col="worst_case", show="col", chart="bars", unit="response")
    assert at.selectbox(key="ct_row").value == "blockers" and at.selectbox(key="ct_col").value == "worst_case"
    assert at.radio(key="ct_normalize").value == "col" and at.radio(key="ct_view").value == "bars"
    assert str(at.dataframe[0].value.index.name) == field_label("blockers")
    assert not at.warning
    at.radio(key="ct_unit").set_value("distributor").run()
    at.checkbox(key="ct_f_illustrative").uncheck().run()
    assert dict(at.query_params) == {
        "row": "blockers",
        "col": "worst_case",
        "show": "col",
        "chart": "bars",
        "illustrative": "no",
    }


def test_crosstab_ignores_a_hostile_link_with_a_note(seeded: ResponseStore) -> None:
    at = open_with("pages/crosstab.py", row="__class__", show="**x**", kind="linux-distribution", to="not-a-date")
    notes = " ".join(w.value for w in at.warning)
    assert "“row”" in notes and "“show”" in notes and "“to”" in notes and "**x**" not in notes
    assert at.selectbox(key="ct_row").value == "distributor_kind"  # the default
    assert at.multiselect(key="ct_f_kinds").value == ["linux-distribution"]  # the good part is kept
    filters = next(e for e in at.expander if e.label == "Filters")
    assert filters.proto.expanded  # a link that filters shows its filters
    assert dict(at.query_params) == {"kind": "linux-distribution"}


def test_crosstab_links_each_distributor_of_a_cell(seeded: ResponseStore) -> None:
    at = open_with("pages/crosstab.py", row="distributor", col="sigstore_status")
    at.selectbox(key="ct_cell_row").set_value("Red Hat Enterprise Linux").run()
    at.selectbox(key="ct_cell_col").set_value("Total").run()
    links = [link.proto for link in at.get("page_link")]
    assert [(link.page, link.query_string, link.label) for link in links] == [
        ("distributors", "distributor=rhel", "Red Hat Enterprise Linux: answers and history")
    ]


def test_a_hostile_distributor_name_in_a_link_label_stays_literal(store: ResponseStore) -> None:
    from ui.people_text import md_escape

    name = "**Evil** ![x](http://198.51.100.1/p.png) :red[alarm] <b>"
    store.import_responses([make_response(distributor=name, sigstore_status="in-production")])
    at = open_with("pages/crosstab.py", row="distributor", col="sigstore_status")
    at.selectbox(key="ct_cell_row").set_value(name).run()
    at.selectbox(key="ct_cell_col").set_value("in-production").run()
    labels = [link.proto.label for link in at.get("page_link")]
    assert labels == [f"{md_escape(name)}: answers and history"]
    # Every Markdown and Streamlit directive character is escaped and the URL is no autolink (a
    # word joiner after the scheme): nothing is fetched or styled.
    assert "\\*\\*Evil\\*\\* \\!\\[x\\]\\(http\u2060\\:" in labels[0] and "\\:red\\[alarm\\]" in labels[0]
    assert "\\<b\\>" in labels[0]
