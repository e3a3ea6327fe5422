"""The collector pause around bulk reads: counted across threads, never left switched off."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis.gc_pause import paused_gc
from analysis.storage.store import ResponseStore

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _collector_running() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_pause_resumes_after_the_body_and_after_an_error() -> None:
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), paused_gc():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_collector_disabled_on_purpose_stays_disabled() -> None:
    gc.disable()
    with paused_gc():
        pass
    assert not gc.isenabled()


def test_overlapping_pauses_in_two_threads_resume_only_when_the_last_ends() -> None:
    """Thread A pauses, B pauses, A ends: B is still reading, so the collector stays off."""
    a_in, b_in, a_out, b_may_end = (threading.Event() for _ in range(4))
    seen: dict[str, bool] = {}

    def a() -> None:
        with paused_gc():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def b() -> None:
        a_in.wait(5)
        with paused_gc():
            b_in.set()
            a_out.wait(5)
            seen["after A ended, inside B"] = gc.isenabled()
            b_may_end.wait(5)

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    a_out.wait(5)
    b_may_end.set()
    for t in threads:
        t.join(5)
    assert seen == {"after A ended, inside B": False}
    assert gc.isenabled()


def test_reading_the_frame_leaves_the_collector_as_it_was(store: ResponseStore) -> None:
    store.latest_frame()
    assert gc.isenabled()
    gc.disable()
    store.latest_frame()
    assert not gc.isenabled()


def test_the_cli_process_resumes_the_collector_with_start_up_frozen(tmp_path: Path) -> None:
    """``python -m analysis`` pauses the collector for start-up only: the command itself runs
    with it on, and with start-up's objects frozen out of later collections."""
    probe = (
        "import gc, runpy, sys\n"
        "import analysis.commands.stats as stats\n"
        "stats.run = lambda args: print(gc.isenabled(), gc.get_freeze_count() > 10000) or 0\n"
        "sys.argv = ['analysis', 'stats']\n"
        "runpy.run_module('analysis', run_name='__main__')\n"
    )
    # The isolated environment conftest set up (no developer secrets), plus this checkout.
    env = {**os.environ, "SURVEY_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", probe], check=False, cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True True"


def test_main_called_in_process_leaves_the_collector_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from analysis.cli import main

    monkeypatch.setenv("SURVEY_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    frozen = gc.get_freeze_count()
    assert main(["stats"]) == 0
    assert gc.isenabled() and gc.get_freeze_count() == frozen
