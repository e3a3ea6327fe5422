"""The CLI shell: command discovery, lazy imports, exit codes for bad usage."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis.cli import build_parser, command_modules, main
from tests.conftest import ROOT


def test_every_command_module_registers_the_command_it_is_named_after() -> None:
    modules = command_modules()
    assert set(modules) == {
        "crosstab", "export", "hash-passphrase", "import", "schedule", "simulate", "stats", "trust-root", "verify",
        "changes", "coverage", "invite", "remind", "roster", "backup", "migrate", "restore",
    }  # fmt: skip
    for command in modules:
        parser = build_parser(only=command)
        subparsers = next(a for a in parser._actions if a.dest == "command")
        assert list(subparsers.choices) == [command]  # type: ignore[union-attr]


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice" in err and "verify" in err  # the full list of commands is offered


def test_stats_and_verify_do_not_import_pandas() -> None:
    """Release pipelines run `verify` per file; it must not pay for the analysis stack."""
    code = (
        "import sys\n"
        "from analysis.cli import main\n"
        "main(['--database-url', 'sqlite://', 'stats'])\n"
        "try:\n"
        "    main(['verify', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "assert 'pandas' not in sys.modules, 'pandas imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
