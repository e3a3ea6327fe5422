"""Reviewer sessions: signed, expiring, revocable, stored only as hashes (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from analysis import reviewer_sessions as rs
from analysis.storage import ResponseStore

SECRET = "scrypt$16$1$1$c2FsdA==$aGFzaA=="
T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_an_issued_session_is_accepted_until_it_expires(store: ResponseStore) -> None:
    value = rs.issue(store.engine, SECRET, HOUR, now=T0)
    assert rs.verify(store.engine, SECRET, value, now=T0 + timedelta(minutes=59))
    assert rs.verify(store.engine, SECRET, value, now=T0 + HOUR) is None
    assert rs.active_count(store.engine, now=T0) == 1


def test_a_tampered_value_is_refused(store: ResponseStore) -> None:
    value = rs.issue(store.engine, SECRET, HOUR, now=T0)
    version, sid, expiry, mac = value.split(".")
    later = f"{version}.{sid}.{int(expiry) + 86_400}.{mac}"  # a longer life, same signature
    flipped = value[:-1] + ("A" if value[-1] != "A" else "B")
    for bad in (later, flipped, value + "x", "", "v1...", "x" * 200):
        assert rs.verify(store.engine, SECRET, bad, now=T0) is None, bad


def test_another_credential_refuses_the_session(store: ResponseStore) -> None:
    """Rotating the passphrase hash signs every reviewer out."""
    value = rs.issue(store.engine, SECRET, HOUR, now=T0)
    assert rs.verify(store.engine, SECRET + "rotated", value, now=T0) is None


def test_sign_out_revokes_everywhere(store: ResponseStore) -> None:
    value = rs.issue(store.engine, SECRET, HOUR, now=T0)
    id_hash = rs.verify(store.engine, SECRET, value, now=T0)
    assert id_hash
    rs.revoke(store.engine, id_hash, now=T0)
    assert rs.verify(store.engine, SECRET, value, now=T0) is None
    assert rs.session_of(SECRET, value, now=T0) == id_hash  # the signature alone would still pass


def test_only_hashes_are_stored_and_expired_rows_are_cleaned(store: ResponseStore) -> None:
    old = rs.issue(store.engine, SECRET, HOUR, now=T0 - timedelta(days=3))
    value = rs.issue(store.engine, SECRET, HOUR, now=T0)
    sid = value.split(".")[1]
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT id_hash, credential FROM reviewer_sessions")).all()
    assert len(rows) == 1  # the session that expired days ago was removed on the next sign-in
    assert all(sid not in r[0] and SECRET not in r[1] for r in rows)
    assert rs.verify(store.engine, SECRET, old, now=T0) is None
