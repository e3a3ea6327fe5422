"""The report snapshot: what is counted, provenance, duplicates, themes, empty store."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pandas as pd
import pytest

import analysis
from analysis import crosstab
from analysis.figure_json import to_json
from analysis.importer import export_json
from analysis.reports import FORMATS, ReportOptions, render
from analysis.storage import ResponseStore
from tests.conftest import make_response
from tests.reports_support import FROZEN, GENERATED, freeze_store_clock, load_payloads, load_seed, snapshot


@pytest.fixture
def seeded(store: ResponseStore, monkeypatch: pytest.MonkeyPatch) -> ResponseStore:
    freeze_store_clock(monkeypatch)
    load_seed(store)
    return store


def test_empty_store_renders_every_format_but_pdf(store: ResponseStore) -> None:
    data = snapshot(store)
    assert data.is_empty and data.snapshot_at is None and data.distributors == 0
    assert data.simulation is None and data.crosstabs == ()
    for fmt in (f for f in FORMATS if f != "pdf"):
        assert render(data, fmt)
    assert "No answers have been submitted yet." in str(render(data, "md"))


def test_counted_answers_are_the_crosstab_engines(seeded: ResponseStore) -> None:
    data = snapshot(seeded)
    frame = seeded.latest_frame()
    engine_ids = set(crosstab.select_unit(frame, "distributor")["response_id"])
    assert {r.response_id for r in data.answers} == engine_ids
    assert data.distributors == len(engine_ids) == len(data.distributor_table.rows)
    for summary in data.summaries:
        if summary.key == "readiness":
            continue
        table = crosstab.crosstab(frame, summary.key, "distributor_kind", margins=True)
        expected = {
            crosstab.label_for_value(summary.key, code): int(table.loc[code, crosstab.TOTAL]) for code in table.index
        }
        for label, count, _share in summary.table.rows:
            assert expected[str(label)] == count, (summary.key, label)


def test_provenance_is_reproducible(seeded: ResponseStore) -> None:
    data = snapshot(seeded)
    prov = dict(data.provenance)
    assert data.snapshot_at == FROZEN and data.generated_at == GENERATED
    assert prov["Data snapshot"] == FROZEN.isoformat()
    assert prov["App version"] == analysis.__version__
    assert "ba4deeb7969588d937da609008d05bb83a47b1ab" in prov["Reference data commits"]
    assert "PEP 745" in prov["Release schedule"]
    assert "seed 761, 300 draws" in prov["Simulation"]
    expected = hashlib.sha256(
        export_json([s.response for s in seeded.latest()], include_contacts=False).encode()
    ).hexdigest()
    assert data.answers_sha256 == prov["Answers SHA-256"] == expected


def test_several_responses_for_one_distributor_count_once(
    store: ResponseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_store_clock(monkeypatch)
    store.import_responses(
        [
            make_response(distributor="RHEL", submitted_at="2025-01-01T00:00:00Z", sigstore_status="not-started"),
            make_response(distributor="Red Hat Enterprise Linux", submitted_at="2025-03-01T00:00:00Z"),
            make_response(distributor="Debian"),
        ]
    )
    data = snapshot(store)
    assert data.responses == 3 and data.distributors == 2
    names = [row[0] for row in data.distributor_table.rows]
    assert names == ["Debian", "Red Hat Enterprise Linux"]
    (dup,) = data.duplicates.rows
    assert dup[0] == "Red Hat Enterprise Linux" and dup[1] == 2 and "RHEL" in str(dup[2])
    assert "Sigstore" in str(dup[3])


def test_themes_count_distributors_and_quote_tagged_text(store: ResponseStore) -> None:
    load_payloads(store)
    data = snapshot(store)
    (theme,) = data.themes
    assert theme.distributors == 2 and theme.label == "Injection <i>theme</i>"
    assert 1 <= len(theme.quotes) <= 3
    assert all(q.text for q in theme.quotes)


def test_personal_data_only_when_asked(store: ResponseStore) -> None:
    load_payloads(store)
    without = snapshot(store)
    assert all(r.contact is None and r.respondent_role is None for r in without.answers)
    assert "excluded" in without.personal_data_note
    assert "Contact" not in without.distributor_table.columns
    with_contacts = snapshot(store, ReportOptions(include_contacts=True, draws=300))
    assert "INCLUDES personal data" in with_contacts.personal_data_note
    assert "Contact" in with_contacts.distributor_table.columns


def test_simulation_section_compares_the_chosen_policies(seeded: ResponseStore) -> None:
    data = snapshot(seeded, ReportOptions(policies=("3.14.0b1", "3.15.0b1"), draws=300))
    assert data.simulation is not None, data.unavailable
    assert [row[0] for row in data.simulation.comparison.rows] == ["3.14.0b1", "3.15.0b1"]
    assert data.simulation.recommendation
    assert len(data.simulation.exposures) == 2


def test_snapshot_reads_again_when_answers_arrive_meanwhile(
    store: ResponseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write between the snapshot's reads would mix two states of the data: it re-reads."""
    store.import_responses([make_response(distributor="Debian")])
    real_frame = store.latest_frame
    calls = {"n": 0}

    def frame_with_a_concurrent_write(columns: Sequence[str] | None = None) -> pd.DataFrame:
        calls["n"] += 1
        result = real_frame(columns)
        if calls["n"] == 1:
            store.import_responses([make_response(distributor="Fedora")])
        return result

    monkeypatch.setattr(store, "latest_frame", frame_with_a_concurrent_write)
    data = snapshot(store)
    assert calls["n"] >= 2  # read again (other sections read the frame too)
    assert data.distributors == 2 and data.responses == 2
    assert {row[0] for row in data.distributor_table.rows} == {"Debian", "Fedora"}


def test_charts_and_crosstabs_from_one_row_per_distributor_equal_those_from_every_answer(
    store: ResponseStore,
) -> None:
    """The report draws its charts and cross-tabs from each distributor's counted row only
    (issue 14). Superseded answers carry values no counted answer has (a kind, a status, a
    blocker, a start, a worst case): those must not show in either version."""
    from analysis.crosstab import ANALYSIS_COLUMNS
    from analysis.reports import sections

    store.import_responses(
        [
            make_response(
                distributor="Gentoo",
                distributor_kind="bsd",
                sigstore_status="not-started",
                blockers=["policy-requires-pgp", "air-gapped-builders"],
                prerelease_start="alpha",
                worst_case=["stop-updating"],
                submitted_at="2025-01-01T00:00:00Z",
            ),
            make_response(distributor="gentoo", submitted_at="2025-04-01T00:00:00Z"),
            make_response(distributor="Fedora", sigstore_status="verifying-in-ci", submitted_at="2025-02-01T00:00:00Z"),
            make_response(distributor="Fedora ", sigstore_status="evaluating", submitted_at="2025-02-01T00:00:00Z"),
            make_response(distributor="Debian", blockers=[], ready_by={}),
        ]
    )
    frame = store.latest_frame(columns=ANALYSIS_COLUMNS)
    one_each = crosstab.select_unit(frame, "distributor")
    assert len(frame) == 5 and len(one_each) == 3

    assert sections.crosstabs(one_each) == sections.crosstabs(frame)
    full, per_distributor = sections.figures(frame), sections.figures(one_each)
    assert full.keys() == per_distributor.keys()
    for key in full:
        assert to_json(per_distributor[key].to_plotly_dict()) == to_json(full[key].to_plotly_dict()), key
