"""Signed, expiring, revocable reviewer sessions: what keeps a reviewer signed in across reloads.

A Streamlit session (its ``st.session_state``) ends with every reload, typed URL or new tab, so a
passphrase sign-in kept only there was lost each time. After a correct passphrase the app issues
a session credential and the browser keeps it in a cookie::

    v1.<session id, 32 random bytes, base64url>.<expiry, Unix seconds>.<HMAC-SHA256, base64url>

* **Signed**: the HMAC key is derived from the passphrase hash in force, so a forged or altered
  value is refused before the database is asked, and rotating the hash ends every session.
* **Expiring**: the expiry is inside the signed value *and* in the database row; either refuses.
* **Revocable**: the database keeps only the SHA-256 of the session id (``reviewer_sessions``);
  signing out marks the row revoked, so the cookie is dead everywhere even if a browser kept it.
* Never the passphrase, never in a URL.

No Streamlit here; ``ui/auth.py`` carries the value to and from the browser.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from analysis.storage.access_tables import ReviewerSessionRow

COOKIE_NAME = "pep761_reviewer"
_VERSION = "v1"
_SHAPE = re.compile(r"^v1\.[A-Za-z0-9_-]{43}\.[0-9]{1,12}\.[A-Za-z0-9_-]{43}$")
#: Expired rows are removed this long after their expiry (housekeeping on each sign-in).
_KEEP_EXPIRED = timedelta(days=1)


def now_utc() -> datetime:
    return datetime.now(UTC)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac_key(credential: str) -> bytes:
    return hashlib.sha256(b"pep761 reviewer session\0" + credential.encode("utf-8")).digest()


def credential_digest(credential: str) -> str:
    """What a session row records of the credential in force (never the credential itself)."""
    return hashlib.sha256(b"pep761 reviewer credential\0" + credential.encode("utf-8")).hexdigest()


def _sign(credential: str, payload: str) -> str:
    return _b64(hmac.new(_mac_key(credential), payload.encode("ascii"), hashlib.sha256).digest())


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def issue(engine: Engine, credential: str, lifetime: timedelta, now: datetime | None = None) -> str:
    """Record a new session and return the signed value for the browser's cookie."""
    now = now or now_utc()
    session_id = secrets.token_bytes(32)
    expires = now + lifetime
    payload = f"{_VERSION}.{_b64(session_id)}.{int(expires.timestamp())}"
    with engine.connect().execution_options(sqlite_write=True) as conn:
        with Session(bind=conn) as session, session.begin():
            session.execute(delete(ReviewerSessionRow).where(ReviewerSessionRow.expires_at < now - _KEEP_EXPIRED))
            session.add(
                ReviewerSessionRow(
                    id_hash=hashlib.sha256(session_id).hexdigest(),
                    credential=credential_digest(credential),
                    created_at=now,
                    expires_at=expires,
                )
            )
        conn.commit()
    return f"{payload}.{_sign(credential, payload)}"


def session_of(credential: str, value: str, now: datetime | None = None) -> str | None:
    """The session's id hash when ``value`` is well formed, correctly signed and not expired.

    This checks the value alone (no database): :func:`verify` adds revocation.
    """
    now = now or now_utc()
    if not isinstance(value, str) or not _SHAPE.match(value):
        return None
    payload, _, mac = value.rpartition(".")
    if not hmac.compare_digest(_sign(credential, payload), mac):
        return None
    _version, sid, expiry = payload.split(".")
    if int(expiry) <= now.timestamp():
        return None
    try:
        return hashlib.sha256(_unb64(sid)).hexdigest()
    except (binascii.Error, ValueError):
        return None


def is_active(engine: Engine, credential: str, id_hash: str, now: datetime | None = None) -> bool:
    """True while the session row exists for this credential, is not revoked and not expired."""
    now = now or now_utc()
    with Session(engine) as session:
        row = session.get(ReviewerSessionRow, id_hash)
    return (
        row is not None
        and row.revoked_at is None
        and _aware(row.expires_at) > now
        and hmac.compare_digest(row.credential, credential_digest(credential))
    )


def verify(engine: Engine, credential: str, value: str, now: datetime | None = None) -> str | None:
    """The session's id hash if the cookie value is valid and its session still active."""
    id_hash = session_of(credential, value, now)
    if id_hash is None or not is_active(engine, credential, id_hash, now):
        return None
    return id_hash


def revoke(engine: Engine, id_hash: str, now: datetime | None = None) -> None:
    """Sign out: the session is refused from now on, in every tab, process and replica."""
    now = now or now_utc()
    with engine.connect().execution_options(sqlite_write=True) as conn:
        with Session(bind=conn) as session, session.begin():
            session.execute(
                update(ReviewerSessionRow)
                .where(ReviewerSessionRow.id_hash == id_hash, ReviewerSessionRow.revoked_at.is_(None))
                .values(revoked_at=now)
            )
        conn.commit()


def active_count(engine: Engine, now: datetime | None = None) -> int:
    """Sessions that would still be accepted (for tests and operators)."""
    now = now or now_utc()
    with Session(engine) as session:
        rows = session.scalars(select(ReviewerSessionRow).where(ReviewerSessionRow.revoked_at.is_(None))).all()
    return sum(1 for row in rows if _aware(row.expires_at) > now)
