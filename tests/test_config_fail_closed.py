"""A malformed ``.streamlit/secrets.toml`` fails closed: review pages shut, no silent store switch, CLI exit 2.

Each test writes a real file where Streamlit (and the CLI) look for it for this test (see the
``secrets_file`` fixture), so the same reader runs as in production.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.access import hash_passphrase
from analysis.cli import main
from analysis.storage import ResponseStore, open_store
from tests.conftest import make_response
from tests.review_support import APP, PAGES, all_text, open_page, seed_store

BROKEN = '[database]\nurl = "postgresql+psycopg://survey@db/survey"\n\n[reviewers\npassphrase_hash = "scrypt$"\n'
REVIEW_PAGES = [*PAGES, "pages/simulator.py", "pages/reports.py"]


def _url(store: ResponseStore) -> str:
    return store.engine.url.render_as_string(hide_password=False)


@pytest.fixture
def seeded(store: ResponseStore, seed_path: Path) -> ResponseStore:
    return seed_store(store, seed_path)


@pytest.mark.parametrize("page", REVIEW_PAGES)
def test_malformed_secrets_close_every_review_page_and_name_file_and_line(
    seeded: ResponseStore, secrets_file: Path, page: str
) -> None:
    secrets_file.write_text(BROKEN, encoding="utf-8")
    at = open_page(page)
    assert not at.exception
    assert [t.value for t in at.title] == ["Reviewer configuration could not be read"]
    (message,) = [e.value for e in at.error]
    assert str(secrets_file) in message and "line 4" in message and "not valid TOML" in message
    text = all_text(at)
    assert not at.dataframe and not at.metric and not at.text_input
    assert "Debian" not in text and "Open for local use" not in text


def test_a_wrong_value_in_reviewers_closes_the_pages_too(seeded: ResponseStore, secrets_file: Path) -> None:
    secrets_file.write_text("[reviewers]\npassphrase_hash = 42\n", encoding="utf-8")
    at = open_page("pages/overview.py")
    assert not at.exception
    assert "passphrase_hash is not a hash" in at.error[0].value
    assert not at.metric and "Debian" not in all_text(at)


def test_survey_page_refuses_rather_than_write_to_another_store(secrets_file: Path, _isolated_dirs: Path) -> None:
    """Without $DATABASE_URL the store comes from the broken file: nothing may fall back to SQLite."""
    secrets_file.write_text(BROKEN, encoding="utf-8")
    for page in ("pages/survey.py", "pages/home.py"):
        at = AppTest.from_file(APP, default_timeout=60).run()
        if page != "pages/home.py":
            at.switch_page(page).run()
        assert not at.exception
        (message,) = [e.value for e in at.error]
        assert message.startswith("The store configuration could not be read")
        assert str(secrets_file) in message and "line 4" in message
        assert not at.text_input and not at.metric  # no form to type into, no counts of another store
    assert not (_isolated_dirs / "survey.sqlite3").exists()


def test_survey_keeps_working_when_the_store_is_known(store: ResponseStore, secrets_file: Path) -> None:
    """$DATABASE_URL (set for the PostgreSQL run) names the store, so the public survey stays up
    while the review pages stay shut; on SQLite the broken file leaves the store unknown."""
    store.submit(make_response(distributor="Gentoo"))
    secrets_file.write_text('[reviewers]\nallowed_emails = "x@example.org"\n[[oops', encoding="utf-8")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    if store.engine.dialect.name == "postgresql":
        assert not at.error
        assert {m.label: m.value for m in at.metric}["Responses"] == "1"
    else:
        assert at.error[0].value.startswith("The store configuration could not be read")


def test_database_url_of_the_wrong_type_is_refused(secrets_file: Path, _isolated_dirs: Path) -> None:
    secrets_file.write_text("[database]\nurl = 5432\n", encoding="utf-8")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "[database] url must be a non-empty string" in at.error[0].value
    assert not (_isolated_dirs / "survey.sqlite3").exists()


# -- the command line reads the same files -------------------------------------------------------


def test_cli_exits_2_naming_the_file_and_line(
    secrets_file: Path, capsys: pytest.CaptureFixture[str], _isolated_dirs: Path
) -> None:
    secrets_file.write_text(BROKEN, encoding="utf-8")
    for argv in (["stats"], ["export", "--format", "json", "--out", str(_isolated_dirs / "x.json")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert f"{secrets_file}, line 4: not valid TOML" in err
        assert "Traceback" not in err
    assert not (_isolated_dirs / "survey.sqlite3").exists()


def test_cli_does_not_need_secrets_when_the_store_is_given(
    secrets_file: Path, capsys: pytest.CaptureFixture[str], _isolated_dirs: Path
) -> None:
    secrets_file.write_text(BROKEN, encoding="utf-8")
    url = f"sqlite:///{_isolated_dirs / 'explicit.sqlite3'}"
    assert main(["--database-url", url, "stats", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["responses"] == 0


def test_cli_uses_the_store_named_in_secrets(
    store: ResponseStore, secrets_file: Path, seed_path: Path, monkeypatch: pytest.MonkeyPatch, _isolated_dirs: Path
) -> None:
    """Same resolution as the app: --database-url, $DATABASE_URL, [database] url, then SQLite."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    if store.engine.dialect.name == "sqlite":  # a file elsewhere than the default, to tell them apart
        named = open_store(f"sqlite:///{_isolated_dirs / 'named.sqlite3'}")
    else:
        named = store
    secrets_file.write_text(f'[database]\nurl = "{_url(named)}"\n', encoding="utf-8")
    assert main(["import", str(seed_path)]) == 0
    assert named.stats()["responses"] == len(json.loads(seed_path.read_text()))
    if named is not store:
        assert store.stats()["responses"] == 0  # the default SQLite file got nothing
    # The app reads the same store from the same file.
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert {m.label: m.value for m in at.metric}["Responses"] == str(named.stats()["responses"])
    # $DATABASE_URL still wins over the file, and --database-url over both.
    other = f"sqlite:///{_isolated_dirs / 'other.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", other)
    assert main(["import", str(seed_path)]) == 0
    assert open_store(other).stats()["responses"] == named.stats()["responses"]
    if named is not store:
        named.engine.dispose()


def test_passphrase_in_a_valid_file_still_gates(seeded: ResponseStore, secrets_file: Path) -> None:
    encoded = hash_passphrase("steering council review", n=2**4, r=1, p=1)
    secrets_file.write_text(f'[reviewers]\npassphrase_hash = "{encoded}"\n', encoding="utf-8")
    at = open_page("pages/overview.py")
    assert "Reviewers only" in all_text(at) and not at.metric
