"""Reviewer access: the passphrase hash, the configuration reader, and the gate on review pages."""

from __future__ import annotations

import io
import sys

import pytest

from analysis.access import (
    PASSPHRASE_HASH_ENV,
    PassphraseError,
    hash_passphrase,
    reviewer_config,
    verify_passphrase,
)
from analysis.cli import main

PASSPHRASE = "correct horse battery staple"
# Cheap parameters keep the tests fast; the format and the code path are the same.
FAST = {"n": 2**4, "r": 1, "p": 1}


def test_hash_then_verify() -> None:
    encoded = hash_passphrase(PASSPHRASE, **FAST)
    assert encoded.startswith("scrypt$16$1$1$")
    assert verify_passphrase(PASSPHRASE, encoded)


def test_hash_is_salted() -> None:
    assert hash_passphrase(PASSPHRASE, **FAST) != hash_passphrase(PASSPHRASE, **FAST)


def test_wrong_passphrase_refused() -> None:
    encoded = hash_passphrase(PASSPHRASE, **FAST)
    assert not verify_passphrase("correct horse battery stapler", encoded)
    assert not verify_passphrase("", encoded)


@pytest.mark.parametrize(
    "encoded",
    ["", "scrypt", "bcrypt$16$1$1$AAAA$AAAA", "scrypt$16$1$1$!!!$AAAA", "scrypt$17$1$1$AAAA$AAAA", "scrypt$x$1$1$A$A"],
)
def test_malformed_hash_is_a_refusal_not_a_crash(encoded: str) -> None:
    assert not verify_passphrase(PASSPHRASE, encoded)


def test_absurd_cost_refused() -> None:
    assert not verify_passphrase(PASSPHRASE, "scrypt$4194304$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA")


def test_short_passphrase_refused() -> None:
    with pytest.raises(PassphraseError):
        hash_passphrase("short")


def test_config_from_secrets_and_env() -> None:
    assert not reviewer_config({}, {}).configured
    assert not reviewer_config(None, {}).configured
    cfg = reviewer_config({"reviewers": {"passphrase_hash": "scrypt$1"}}, {})
    assert cfg.configured and cfg.passphrase_hash == "scrypt$1"
    cfg = reviewer_config({}, {PASSPHRASE_HASH_ENV: "scrypt$env"})
    assert cfg.passphrase_hash == "scrypt$env"
    cfg = reviewer_config({"reviewers": {"allowed_emails": ["A@Example.org "]}, "auth": {"redirect_uri": "x"}}, {})
    assert cfg.configured and cfg.oidc_available
    assert cfg.email_allowed("a@example.ORG") and not cfg.email_allowed("b@example.org") and not cfg.email_allowed("")


def test_config_tolerates_wrong_types() -> None:
    assert not reviewer_config({"reviewers": "oops"}, {}).configured
    assert not reviewer_config({"reviewers": {"allowed_emails": 3, "passphrase_hash": 5}}, {}).configured


def test_cli_hash_passphrase(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSPHRASE + "\n"))
    assert main(["hash-passphrase"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("[reviewers]\n")
    encoded = out.split('"')[1]
    assert verify_passphrase(PASSPHRASE, encoded)


def test_cli_hash_passphrase_refuses_short(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("abc\n"))
    assert main(["hash-passphrase"]) == 2
