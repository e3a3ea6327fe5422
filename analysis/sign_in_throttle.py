"""Slow down passphrase guessing with failure budgets kept in the shared store.

scrypt already makes each guess cost ~0.1 s of server time; the budgets cap how many guesses get
that far. They live in the database (table ``sign_in_budget``), so they hold across browser
sessions, tabs, app processes and replicas that share the store, and survive a restart.

The rule (also in the README):

* **Per client** (its address when known: the TCP peer, or ``X-Forwarded-For`` when the peer is a
  configured trusted proxy): 5 wrong passphrases are free; then the client waits 1 minute, doubling
  with each further failure up to 1 hour. Forgotten 24 hours after its last failure, or when that
  client signs in.
* **Per credential** (every client together, unknown ones included): 10 wrong passphrases within
  an hour are free; then *every* client waits 2 seconds, doubling with each further failure up to
  **60 seconds at most**. This slows a guesser with many addresses (or one behind a proxy that is
  not declared trusted, whose clients are all unknown) to about one guess a minute, while one
  attacker can never keep the reviewers out for longer than a minute at a time. Forgotten an hour
  after the last failure, or on any successful sign-in.

An attempt is *claimed* (counted as a failure) before the passphrase is checked, in one
transaction that locks the budget rows (``SELECT ... FOR UPDATE`` on PostgreSQL, ``BEGIN
IMMEDIATE`` on SQLite), so concurrent guesses from many sessions cannot all slip through between a
check and a count. A correct passphrase then clears both budgets. Attempts refused while waiting
are not counted, so hammering does not extend anybody's wait.

No Streamlit here: the app and the tests drive the same code. Keys hold digests, never the
passphrase hash or a raw client address.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from analysis.storage.access_tables import SignInBudgetRow


@dataclass(frozen=True)
class BudgetRule:
    free: int
    first_wait: timedelta
    max_wait: timedelta
    forget_after: timedelta

    def wait_after(self, failures: int) -> timedelta:
        """How long to wait after ``failures`` counted failures (0 while within the free ones)."""
        if failures < self.free:
            return timedelta(0)
        doublings = min(failures - self.free, 40)  # 2**40 s is far past any cap: no overflow
        return min(self.first_wait * (2**doublings), self.max_wait)


CLIENT_RULE = BudgetRule(
    free=5, first_wait=timedelta(minutes=1), max_wait=timedelta(hours=1), forget_after=timedelta(hours=24)
)
CREDENTIAL_RULE = BudgetRule(
    free=10, first_wait=timedelta(seconds=2), max_wait=timedelta(seconds=60), forget_after=timedelta(hours=1)
)
#: Kept for callers that only need "how many tries before a client waits".
MAX_FAILURES = CLIENT_RULE.free


def now_utc() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands timestamps back without their zone; they were written in UTC.
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Verdict:
    """Whether an attempt may be checked; if not, for how long and whose budget is spent."""

    allowed: bool
    retry_after: float = 0.0
    #: ``"client"`` (this address) or ``"credential"`` (everybody, briefly).
    reason: str = ""


class SignInThrottle:
    """Failure budgets for one credential (e.g. the passphrase hash in force) in ``engine``."""

    def __init__(self, engine: Engine, credential: str) -> None:
        self.engine = engine
        self.credential = _digest("credential", credential)

    def _keys(self, client: str | None) -> list[tuple[str, BudgetRule, str]]:
        keys = [(f"cred:{self.credential}", CREDENTIAL_RULE, "credential")]
        if client:
            keys.append((f"client:{self.credential}:{_digest('client', client)}", CLIENT_RULE, "client"))
        return keys

    def claim(self, client: str | None, now: datetime | None = None) -> Verdict:
        """Count one attempt against the budgets, or refuse it without counting while one is spent.

        ``client`` is the client's address, or ``None`` when unknown (then only the credential's
        budget applies: an unknown client must not be able to lock out every other unknown one).
        """
        now = now or now_utc()
        keys = self._keys(client)
        with self.engine.connect().execution_options(sqlite_write=True) as conn:
            with Session(bind=conn) as session, session.begin():
                rows = self._locked_rows(session, [k for k, _, _ in keys])
                waits = []
                for key, rule, reason in keys:
                    row = rows[key]
                    blocked = _aware(row.blocked_until)
                    if blocked and blocked > now and not self._forgotten(row, rule, now):
                        waits.append(((blocked - now).total_seconds(), reason))
                if waits:
                    seconds, reason = max(waits)
                    return Verdict(False, seconds, reason)
                for key, rule, _reason in keys:
                    row = rows[key]
                    failures = 0 if self._forgotten(row, rule, now) else row.failures
                    row.failures = failures + 1
                    row.last_failure_at = now
                    wait = rule.wait_after(row.failures)
                    row.blocked_until = now + wait if wait else None
            conn.commit()
        return Verdict(True)

    def succeeded(self, client: str | None) -> None:
        """The passphrase was right: refund the claim by clearing both budgets."""
        keys = [k for k, _, _ in self._keys(client)]
        with self.engine.connect().execution_options(sqlite_write=True) as conn:
            with Session(bind=conn) as session, session.begin():
                session.execute(delete(SignInBudgetRow).where(SignInBudgetRow.key.in_(keys)))
            conn.commit()

    @staticmethod
    def _forgotten(row: SignInBudgetRow, rule: BudgetRule, now: datetime) -> bool:
        last = _aware(row.last_failure_at)
        return last is None or now - last >= rule.forget_after

    def _locked_rows(self, session: Session, keys: list[str]) -> dict[str, SignInBudgetRow]:
        """The budget rows, created if missing, locked until the transaction ends."""
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        session.execute(
            insert(SignInBudgetRow)
            .values([{"key": k, "failures": 0} for k in keys])
            .on_conflict_do_nothing(index_elements=["key"])
        )
        found = session.scalars(
            select(SignInBudgetRow).where(SignInBudgetRow.key.in_(keys)).order_by(SignInBudgetRow.key).with_for_update()
        ).all()
        return {row.key: row for row in found}


def describe_wait(seconds: float) -> str:
    """ "45 seconds", "3 minutes": how a person reads a wait."""
    whole = max(1, round(seconds + 0.499))
    if whole < 90:
        return f"{whole} second{'s' if whole != 1 else ''}"
    minutes = round(whole / 60 + 0.499)
    return f"{minutes} minutes"
