"""An unanswered "Do you verify PGP signatures today?" stays unanswered (null) everywhere.

Form submit (the stored value), import, JSON and CSV export, cross-tabs and the simulator; every
store test runs on SQLite and PostgreSQL. A real "Unsure" stays "unsure".
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from analysis.cli import main
from analysis.crosstab import NO_ANSWER, crosstab
from analysis.models import SurveyResponse
from analysis.simulation import load_distributors, simulate_policy
from analysis.storage import ResponseStore
from tests.conftest import APP_PATH, make_response


def stored_column(store: ResponseStore) -> dict[str, str | None]:
    """distributor -> the raw ``verifies_pgp_today`` of both tables (they must agree)."""
    with store.engine.connect() as conn:
        revisions = dict(conn.execute(text("SELECT distributor, verifies_pgp_today FROM response_revisions")).all())
        latest = dict(conn.execute(text("SELECT distributor, verifies_pgp_today FROM response_latest")).all())
    assert revisions == latest
    return revisions


def test_model_default_is_none_not_unsure() -> None:
    data = make_response().model_dump(mode="json")
    del data["verifies_pgp_today"]
    response = SurveyResponse.model_validate(data)
    assert response.verifies_pgp_today is None
    assert response.canonical_json()["verifies_pgp_today"] is None
    assert SurveyResponse.model_validate({**data, "verifies_pgp_today": "unsure"}).verifies_pgp_today == "unsure"


def _submit_form(distributor: str, choice: str | None) -> AppTest:
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.run()
    at.switch_page("pages/survey.py").run()
    at.selectbox(key="f_distributor").set_value(distributor)
    at.selectbox(key="f_distributor_kind").set_value("linux-distribution")
    at.radio(key="f_prerelease_start").set_value("alpha")
    at.selectbox(key="f_sigstore_status").set_value("evaluating")
    radio = at.radio(key="f_verifies_pgp_today")
    if choice is not None:
        radio.set_value(choice)
    at.button(key="FormSubmitter:survey-Submit answers").click().run()
    assert not at.exception
    assert "are saved" in at.success[0].value
    return at


def test_form_stores_unanswered_as_null_and_unsure_as_unsure(store: ResponseStore) -> None:
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.run()
    at.switch_page("pages/survey.py").run()
    radio = at.radio(key="f_verifies_pgp_today")
    # What a person sees: the first choice says "not answered", and it is the one selected.
    assert radio.options[0] == "— not answered —" and radio.value == ""
    assert radio.options[1:] == ["Yes", "No", "Unsure"]

    _submit_form("Debian", None)
    _submit_form("Ubuntu", "unsure")
    _submit_form("Fedora", "")  # chose "— not answered —" explicitly
    assert stored_column(store) == {"Debian": None, "Ubuntu": "unsure", "Fedora": None}


def test_editing_keeps_not_answered_selected(store: ResponseStore) -> None:
    token = store.submit(make_response(distributor="Arch", verifies_pgp_today=None)).token
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.query_params["edit"] = token
    at.run()
    at.switch_page("pages/survey.py").run()
    assert not at.exception
    assert at.radio(key="f_verifies_pgp_today").value == ""  # "— not answered —", not "Unsure"


def test_import_export_and_crosstab_keep_null(
    store: ResponseStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        make_response(distributor="Arch", verifies_pgp_today=None).canonical_json(),
        make_response(distributor="Alpine", verifies_pgp_today="unsure").canonical_json(),
        make_response(distributor="Void", verifies_pgp_today="no").canonical_json(),
    ]
    del rows[0]["verifies_pgp_today"]  # absent from the file: not answered
    source = tmp_path / "in.json"
    source.write_text(json.dumps(rows), encoding="utf-8")
    assert main(["import", str(source)]) == 0
    assert stored_column(store) == {"Arch": None, "Alpine": "unsure", "Void": "no"}

    out = tmp_path / "out.json"
    assert main(["export", "--format", "json", "--out", str(out)]) == 0
    exported = {r["distributor"]: r["verifies_pgp_today"] for r in json.loads(out.read_text(encoding="utf-8"))}
    assert exported == {"Arch": None, "Alpine": "unsure", "Void": "no"}

    out_csv = tmp_path / "out.csv"
    assert main(["export", "--format", "csv", "--out", str(out_csv)]) == 0
    reader = csv.DictReader(io.StringIO(out_csv.read_text(encoding="utf-8-sig")))
    cells = {r["distributor"]: r["verifies_pgp_today"] for r in reader}
    assert cells == {"Arch": "", "Alpine": "unsure", "Void": "no"}

    frame = store.latest_frame()
    table = crosstab(frame, "verifies_pgp_today", "distributor_kind")
    counts = table["linux-distribution"].to_dict()
    assert counts == {"yes": 0, "no": 1, "unsure": 1, NO_ANSWER: 1}

    capsys.readouterr()
    assert main(["crosstab", "verifies_pgp_today", "distributor_kind", "--format", "json"]) == 0
    assert NO_ANSWER in capsys.readouterr().out


def test_simulator_reads_null_as_unknown(store: ResponseStore) -> None:
    store.import_responses(
        [
            make_response(distributor="Arch", verifies_pgp_today=None),
            make_response(distributor="Alpine", verifies_pgp_today="unsure"),
            make_response(distributor="Void", verifies_pgp_today="no"),
        ]
    )
    result = simulate_policy(load_distributors(store), "3.14.0b1")
    status = {r.distributor: r.status for r in result.distributors}
    assert status == {"Alpine": "exposed", "Arch": "unknown", "Void": "unverified today"}
    arch = next(r for r in result.distributors if r.distributor == "Arch")
    assert "did not say whether it verifies PGP today" in arch.explanation
    assert result.n_unknown == 1 and [r.distributor for r in result.unverified_today] == ["Void"]


def test_migration_0004_keeps_existing_unsure_rows(store: ResponseStore) -> None:
    from analysis.storage.db import head_revision, migrate, schema_revision
    from tests.test_migrations import downgrade

    downgrade(store.engine, "0002")  # the schema before: NOT NULL, unanswered was stored as "unsure"
    assert schema_revision(store.engine) == "0002"
    store.submit(make_response(distributor="Old", verifies_pgp_today="unsure"))
    with pytest.raises(Exception, match=r"(?i)null"):  # the old schema cannot store "not answered"
        store.submit(make_response(distributor="New", verifies_pgp_today=None))
    migrate(store.engine)
    assert schema_revision(store.engine) == head_revision()  # the head
    store.submit(make_response(distributor="New", verifies_pgp_today=None))
    assert stored_column(store) == {"Old": "unsure", "New": None}
