"""Every unusable store URL: the CLI exits 2 with one line, the app says the store is unavailable."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.storage import StoreUnavailable, open_store
from tests.conftest import APP_PATH, ROOT


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once the socket is closed


def bad_urls(tmp_path: Path) -> dict[str, tuple[str, str]]:
    """name -> (URL, what the one line must say)."""
    port = _closed_port()
    return {
        "unknown scheme": ("nosuchdb://x", "cannot use the store URL nosuchdb://x: Can't load plugin"),
        "missing directory": (
            f"sqlite:///{tmp_path}/missing/dir/survey.sqlite3",
            f"the directory {tmp_path}/missing/dir does not exist",
        ),
        "closed port": (
            f"postgresql+psycopg://survey:s3cret@127.0.0.1:{port}/survey",
            f"cannot open the store postgresql+psycopg://survey:***@127.0.0.1:{port}/survey: connection failed",
        ),
        "missing driver": ("mysql://u:s3cret@127.0.0.1/db", "cannot use the store URL mysql://u:***@127.0.0.1/db"),
        "not a URL": ("::::", "Could not parse SQLAlchemy URL"),
    }


@pytest.mark.parametrize("case", ["unknown scheme", "missing directory", "closed port", "missing driver", "not a URL"])
def test_cli_exits_2_with_one_clear_line(case: str, tmp_path: Path) -> None:
    url, expected = bad_urls(tmp_path)[case]
    for argv in (["stats"], ["export", "--format", "json", "--out", str(tmp_path / "x.json")]):
        proc = subprocess.run(
            [sys.executable, "-m", "analysis", "--database-url", url, *argv],
            check=False,
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        assert lines[0].startswith("error: ") and expected in lines[0]
        assert "Traceback" not in proc.stderr and "s3cret" not in proc.stderr
        assert proc.stdout == ""


def test_open_store_raises_store_unavailable(tmp_path: Path) -> None:
    for url, _ in bad_urls(tmp_path).values():
        with pytest.raises(StoreUnavailable):
            open_store(url)


@pytest.mark.parametrize("case", ["unknown scheme", "missing directory", "closed port"])
def test_app_says_the_store_is_unavailable(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url, _ = bad_urls(tmp_path)[case]
    monkeypatch.setenv("DATABASE_URL", url)
    at = AppTest.from_file(APP_PATH, default_timeout=60).run()
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith("The answer store is unavailable right now")
    assert "s3cret" not in error.value and "Traceback" not in error.value
    at.switch_page("pages/survey.py").run()
    assert not at.exception
    assert at.error[0].value.startswith("The answer store is unavailable right now")
    assert not at.text_area  # no form that could not be saved
