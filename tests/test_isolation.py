"""The test suite never reads the developer's own secrets or data.

With the README's reviewer setup in the project's ``.streamlit/secrets.toml`` (a passphrase and a
PostgreSQL URL), a malformed ``~/.streamlit/secrets.toml``, and ``$DATABASE_URL`` /
``$SURVEY_DATA_DIR`` pointing at a store full of someone else's answers, the page and CLI tests
still pass: each test reads only its own temp secrets file and store (``tests/conftest.py``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from analysis.access import hash_passphrase
from analysis.storage import open_store
from tests.conftest import ROOT, make_response

README_SETUP = """# .streamlit/secrets.toml, as the README's Configuration section writes it
[database]
url = "postgresql+psycopg://survey:secret@127.0.0.1:9/survey"

[reviewers]
passphrase_hash = "{hash}"
"""
PAGE_TESTS = ["tests/test_pages_review.py", "tests/test_page_survey.py", "tests/test_cli_import_export.py"]


def test_page_tests_ignore_the_developers_secrets_and_data(tmp_path: Path) -> None:
    project_secrets = ROOT / ".streamlit" / "secrets.toml"
    created = not project_secrets.exists()  # a developer's real file is the very case; never touch it
    home = tmp_path / "home"
    (home / ".streamlit").mkdir(parents=True)
    (home / ".streamlit" / "secrets.toml").write_text("[reviewers\nthis is not TOML", encoding="utf-8")
    dev_data = tmp_path / "dev-var"
    dev_data.mkdir()
    dev_store = open_store(f"sqlite:///{dev_data / 'survey.sqlite3'}")
    dev_store.submit(make_response(distributor="Somebody Else's Linux", contact="private@example.org"))
    dev_store.engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STREAMLIT_", "SURVEY_"))}
    env.update(
        HOME=str(home),
        SURVEY_DATA_DIR=str(dev_data),
        DATABASE_URL=f"sqlite:///{dev_data / 'survey.sqlite3'}",
        SURVEY_REVIEWER_PASSPHRASE_HASH=hash_passphrase("developer passphrase", n=2**4, r=1, p=1),
    )
    if created:
        project_secrets.write_text(
            README_SETUP.format(hash=hash_passphrase("developer passphrase", n=2**4, r=1, p=1)), encoding="utf-8"
        )
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-m", "not postgres", *PAGE_TESTS],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
    finally:
        if created:
            project_secrets.unlink()
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and " failed" not in proc.stdout
    assert not (created and project_secrets.exists())
