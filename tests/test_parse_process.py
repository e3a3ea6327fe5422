"""The import's parser process: the same batches and outcomes as parsing in this process, and a
classified failure, never a short import, when either side dies."""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analysis import parse_process
from analysis.cli import main
from analysis.importer import ImportRejected, ParseOutcome, iter_batches
from analysis.parse_process import ParserStopped, parsed_columns
from analysis.storage import ResponseStore
from analysis.storage.rows import AnswerColumns, answer_columns
from bench.synthetic import generate_responses
from tests.conftest import ROOT

ANSWERS = generate_responses(600, 80, seed=21)


def jsonl(responses: Any) -> str:
    return "".join(r.model_dump_json() + "\n" for r in responses)


def stream(text: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8", newline="")


def in_this_process(text: str, size: int) -> tuple[list[AnswerColumns], ParseOutcome]:
    outcome = ParseOutcome()
    batches: list[AnswerColumns] = []
    with contextlib.suppress(ImportRejected):
        batches.extend(answer_columns(b) for b in iter_batches(stream(text), outcome, size))
    return batches, outcome


def through_child(text: str, size: int, path: Path) -> tuple[list[AnswerColumns], ParseOutcome, Exception | None]:
    """Parsed by the child from a real file (a fork shares the open file, not a BytesIO)."""
    path.write_text(text, encoding="utf-8")
    outcome = ParseOutcome()
    batches: list[AnswerColumns] = []
    raised: Exception | None = None
    with path.open(encoding="utf-8", newline="") as f:
        try:
            batches.extend(parsed_columns(f, outcome, size))
        except (ImportRejected, UnicodeDecodeError, ParserStopped) as exc:
            raised = exc
    return batches, outcome, raised


def test_the_child_hands_on_exactly_the_batches_parsed_here(tmp_path: Path) -> None:
    text = jsonl(ANSWERS)
    here, _ = in_this_process(text, 64)
    there, outcome, raised = through_child(text, 64, tmp_path / "a.jsonl")
    assert raised is None and outcome.ok and outcome.valid == len(ANSWERS)
    assert [len(b) for b in there] == [len(b) for b in here] and sum(map(len, there)) == len(ANSWERS)
    assert [(b.response_ids, b.values) for b in there] == [(b.response_ids, b.values) for b in here]
    assert multiprocessing.active_children() == []


def test_a_bad_file_is_rejected_with_the_same_report(tmp_path: Path) -> None:
    lines = jsonl(ANSWERS).splitlines()
    lines[10] = lines[10].replace('"prerelease_lag_days":', '"prerelease_lag_days":"soon","x":')
    lines[500] = "{not json"
    lines.append(json.dumps({**json.loads(lines[3]), "distributor": "Deb\x00ian"}))
    text = "\n".join(lines) + "\n"
    _, expected = in_this_process(text, 64)
    batches, outcome, raised = through_child(text, 64, tmp_path / "bad.jsonl")
    assert isinstance(raised, ImportRejected) and raised.outcome is outcome
    assert expected.error_count == 4
    assert (outcome.errors, outcome.error_count) == (expected.errors, expected.error_count)
    assert batches == []  # the first problem is on line 11: no batch after it is handed on


def test_a_read_error_in_the_child_is_raised_here(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(jsonl(ANSWERS[:300]).encode() + "Gentoo \xe9".encode("latin-1"))
    outcome = ParseOutcome()
    with path.open(encoding="utf-8", newline="") as f, pytest.raises(UnicodeDecodeError):
        list(parsed_columns(f, outcome, 64))


def _die_on_third_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """The forked child inherits this patch: it kills itself on its third batch, mid-file."""
    calls = []

    def build(batch: Any) -> AnswerColumns:
        calls.append(1)
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return answer_columns(batch)

    monkeypatch.setattr(parse_process, "answer_columns", build)


def test_a_killed_child_is_a_classified_failure_not_a_short_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _die_on_third_batch(monkeypatch)
    batches, _, raised = through_child(jsonl(ANSWERS), 64, tmp_path / "a.jsonl")
    assert len(batches) == 2
    assert isinstance(raised, ParserStopped) and raised.exitcode == -signal.SIGKILL
    assert str(raised) == "the parser process was killed by signal 9 before the end of the file"


def test_the_cli_stores_nothing_when_its_parser_is_killed(
    store: ResponseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(parse_process.parsed_columns, "__defaults__", (64,))
    _die_on_third_batch(monkeypatch)
    path = tmp_path / "a.jsonl"
    path.write_text(jsonl(ANSWERS), encoding="utf-8")
    url = store.engine.url.render_as_string(hide_password=False)
    assert main(["--database-url", url, "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert (
        err
        == f"error: {path}: nothing imported: the parser process was killed by signal 9 before the end of the file\n"
    )
    assert store.stats()["responses"] == 0  # two batches had been written: rolled back


def test_a_writer_that_stops_early_stops_the_child(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(jsonl(ANSWERS), encoding="utf-8")
    with path.open(encoding="utf-8", newline="") as f:
        batches: Iterator[AnswerColumns] = parsed_columns(f, ParseOutcome(), 16)
        next(batches)
        (child,) = multiprocessing.active_children()
        batches.close()  # as when the store's write fails: the generator is closed
        assert not child.is_alive()
    assert multiprocessing.active_children() == []


def test_without_fork_the_parser_runs_in_a_thread_with_the_same_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    text = jsonl(ANSWERS)
    here, _ = in_this_process(text, 64)
    there, outcome, raised = through_child(text, 64, tmp_path / "a.jsonl")
    assert raised is None and outcome.valid == len(ANSWERS)
    assert [(b.response_ids, b.values) for b in there] == [(b.response_ids, b.values) for b in here]


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc (Linux)")
def test_the_child_stops_when_the_importer_is_killed(tmp_path: Path) -> None:
    """kill -9 of ``python -m analysis import``: its parser sees the pipe close and exits."""
    path = tmp_path / "big.jsonl"
    path.write_text(jsonl(generate_responses(60_000, 500, seed=5)), encoding="utf-8")
    env = {**os.environ, "SURVEY_DATA_DIR": str(tmp_path / "var")}
    proc = subprocess.Popen([sys.executable, "-m", "analysis", "import", str(path)], cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while not (children := _children(proc.pid)):
        assert proc.poll() is None and time.monotonic() < deadline, "the import ended before its parser was seen"
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    (child,) = children
    deadline = time.monotonic() + 30
    while Path(f"/proc/{child}").exists() and Path(f"/proc/{child}/stat").read_text().split()[2] != "Z":
        assert time.monotonic() < deadline, "the parser process outlived the importer"
        time.sleep(0.05)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc (Linux)")
def test_ctrl_c_stops_both_processes_quietly_and_stores_nothing(tmp_path: Path) -> None:
    """SIGINT to the process group (Ctrl-C in a terminal): exit 130, no traceback, no answer stored."""
    path = tmp_path / "big.jsonl"
    path.write_text(jsonl(generate_responses(60_000, 500, seed=6)), encoding="utf-8")
    env = {**os.environ, "SURVEY_DATA_DIR": str(tmp_path / "var")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "analysis", "import", str(path)],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not (children := _children(proc.pid)):
        assert proc.poll() is None and time.monotonic() < deadline, "the import ended before its parser was seen"
        time.sleep(0.01)
    time.sleep(0.3)  # into the file: the writer has batches in its transaction
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    (child,) = children
    assert not Path(f"/proc/{child}").exists() or Path(f"/proc/{child}/stat").read_text().split()[2] == "Z"
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "stats", "--format", "json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout)["responses"] == 0
