"""Shared fixtures: an isolated store per test, the seed data, sample responses."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from analysis.models import SurveyResponse
from analysis.reports.pdf import CHROMIUM_FLAGS, chromium_path
from analysis.secrets_file import SECRETS_FILES_ENV
from analysis.storage import ResponseStore, open_store

ROOT = Path(__file__).resolve().parent.parent
APP_PATH = str(ROOT / "app.py")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Property tests (hypothesis). "ci": a fixed, reproducible run (derandomized: the same examples
# on every run, so a CI failure reproduces locally with HYPOTHESIS_PROFILE=ci) with a few thousand
# examples per target; no deadline (a shared 2-core runner is slow, and the tests assert outcomes,
# not times). "dev" (the local default) is quicker and random, to explore. Every property test
# module uses these profiles; none sets its own max_examples.
settings.register_profile(
    "ci", max_examples=2000, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if IN_CI else "dev"))


#: Environment that would let a developer's own setup leak into a test.
_ACCESS_ENV = (
    "DATABASE_URL",
    "SURVEY_REVIEWER_PASSPHRASE_HASH",
    "SURVEY_TRUSTED_PROXIES",
    "SURVEY_REVIEWER_SESSION_HOURS",
    "FORWARDED_ALLOW_IPS",
)


def _register_hypothesis_profiles() -> None:
    """The fixed "ci" profile of the property tests (several thousand examples, reproducible).

    Guarded: registering the same profile twice (another conftest, a re-import) is harmless.
    """
    from hypothesis import settings
    from hypothesis.errors import InvalidArgument

    try:
        settings.get_profile("ci")
    except InvalidArgument:
        settings.register_profile("ci", max_examples=2000, derandomize=True, deadline=None)
    if IN_CI:
        settings.load_profile("ci")


_register_hypothesis_profiles()


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own SQLite file, sigstore cache and secrets file: no test sees another's
    data, nor the developer's own ``.streamlit/secrets.toml`` (``~`` or the project's) or ``var/``.

    Streamlit's secrets search path (its ``secrets.files`` option) is pointed at a per-test file
    that does not exist unless the test writes it: for AppTest in this process through the
    option, for ``streamlit run`` subprocesses and the CLI through ``$STREAMLIT_SECRETS_FILES``.
    """
    import streamlit as st
    from streamlit import config

    data_dir = tmp_path_factory.mktemp("var")
    secrets_file = data_dir / "secrets" / "secrets.toml"
    monkeypatch.setenv("SURVEY_DATA_DIR", str(data_dir))
    monkeypatch.setenv(SECRETS_FILES_ENV, str(secrets_file))
    for name in _ACCESS_ENV:
        monkeypatch.delenv(name, raising=False)
    saved = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(secrets_file)])
    st.secrets._reset()
    try:
        yield data_dir
    finally:
        config.set_option("secrets.files", saved)
        st.secrets._reset()


@pytest.fixture
def secrets_file(_isolated_dirs: Path) -> Path:
    """The (not yet written) secrets.toml this test's app and CLI read."""
    path = _isolated_dirs / "secrets" / "secrets.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _pg_admin_url() -> str:
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if not admin_url:
        if IN_CI:
            pytest.fail("CI=true but TEST_DATABASE_URL is not set: .ci/run must start PostgreSQL")
        pytest.skip("TEST_DATABASE_URL not set (PostgreSQL tests run in CI)")
    return admin_url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL database of this test's own, created here and dropped afterwards."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = _pg_admin_url()
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[ResponseStore]:
    """The store under test, once on SQLite and once on PostgreSQL: every store test runs on both.

    ``$DATABASE_URL`` is set to the same database, so pages (AppTest) and CLI calls made by the test
    see the store the test filled.
    """
    if request.param == "postgres":
        url = request.getfixturevalue("pg_url")
        monkeypatch.setenv("DATABASE_URL", url)
        s = open_store(url)
    else:
        s = open_store()
    yield s
    s.engine.dispose()


@pytest.fixture
def sqlite_store() -> Iterator[ResponseStore]:
    """The embedded default only, for what is SQLite's own (WAL, busy timeout, file backups)."""
    s = open_store()
    yield s
    s.engine.dispose()


def make_response(**overrides: object) -> SurveyResponse:
    """A valid response with sensible defaults; override any key."""
    data: dict[str, object] = {
        "distributor": "Debian",
        "distributor_kind": "linux-distribution",
        "python_versions": ["3.13", "3.14"],
        "prerelease_start": "beta",
        "prerelease_lag_days": 0,
        "verifies_pgp_today": "yes",
        "verification_tooling": "uscan",
        "sigstore_status": "evaluating",
        "blockers": ["tooling-support"],
        "blockers_text": "uscan has no Sigstore support",
        "ready_by": {"earliest": "2025-03-01", "likely": "2025-06-01", "latest": "2025-12-01"},
        "worst_case": ["delay-upgrades"],
        "worst_case_text": "",
    }
    data.update(overrides)
    return SurveyResponse.model_validate(data)


def make_evidence(**overrides: object) -> dict[str, object]:
    """A verification evidence item as the JSON format holds it; override any key."""
    evidence: dict[str, object] = {
        "python_version": "3.14",
        "artifact": "Python-3.14.0.tgz",
        "sha256": "a" * 64,
        "identity": "hugo@python.org",
        "issuer": "https://github.com/login/oauth",
        "verified_at": "2026-01-02T03:04:05Z",
        "tool": "sigstore-python 4.5.1",
    }
    evidence.update(overrides)
    return evidence


@pytest.fixture
def seed_path() -> Path:
    return ROOT / "data" / "seed_responses.json"


# -- real browser -------------------------------------------------------------------------------

# The same Chromium and flags the PDF export uses ($SURVEY_CHROMIUM overrides the path).
CHROMIUM_ARGS = list(CHROMIUM_FLAGS)


def require_chromium() -> str:
    """Browser tests run in CI (and fail there without chromium); locally they skip without it."""
    found = chromium_path()
    if found:
        return found
    if IN_CI:
        pytest.fail("CI=true but chromium is missing: .ci/run must install Debian's chromium")
    pytest.skip("chromium not installed (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, object]) -> dict[str, object]:
    """Point pytest-playwright at Debian's chromium (it must never download a browser)."""
    return {**browser_type_launch_args, "executable_path": require_chromium(), "args": CHROMIUM_ARGS}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_app(
    data_dir: Path, *, seed: bool = True, secrets: str | None = None, env: dict[str, str] | None = None
) -> Iterator[str]:
    """A real ``streamlit run app.py`` on a free loopback port; yields its base URL.

    It reads only ``secrets`` (written to ``data_dir/secrets.toml``), never the developer's own
    secrets files, and the store under ``data_dir`` unless ``env`` says otherwise.
    """
    import subprocess
    import sys
    import time
    import urllib.request

    secrets_path = data_dir / "secrets.toml"
    if secrets is not None:
        secrets_path.write_text(secrets, encoding="utf-8")
    base_env = {k: v for k, v in os.environ.items() if k not in _ACCESS_ENV}
    env = {**base_env, "SURVEY_DATA_DIR": str(data_dir), SECRETS_FILES_ENV: str(secrets_path), **(env or {})}
    if seed:
        subprocess.run(
            [sys.executable, "-m", "analysis", "import", str(ROOT / "data" / "seed_responses.json")],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
    port = _free_port()
    log_path = data_dir / "streamlit.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:  # noqa: S310 - loopback
                        if resp.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start: {log_path.read_text()[-2000:]}")
                time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One app server for the browser tests, seeded with the illustrative data."""
    require_chromium()
    with running_app(tmp_path_factory.mktemp("server-var")) as base:
        yield base


@pytest.fixture
def screenshot_dir() -> Path:
    """Screenshots land in test-results/ so a person (and CI artifacts) can look at them."""
    path = ROOT / "test-results" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
