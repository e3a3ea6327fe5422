"""Slow down passphrase guessing: a few failures from one client lock it out for a while.

scrypt already makes each guess cost ~0.1 s of server time; this caps how many guesses one client
(its IP address when Streamlit knows it, else its session) gets per window, so a shared reviewer
passphrase cannot be brute-forced through the sign-in form. Kept per process (each app replica
counts its own), in memory (a restart forgets), which is enough to turn millions of guesses into a
handful per window.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

MAX_FAILURES = 5
WINDOW_SECONDS = 600.0
#: Bound on remembered clients, so a flood of distinct addresses cannot grow memory without limit.
MAX_CLIENTS = 10_000


class SignInThrottle:
    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window_seconds: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._failures.get(client, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    def retry_after(self, client: str) -> float:
        """Seconds until ``client`` may try again; 0 when it may try now."""
        with self._lock:
            now = self._clock()
            times = self._recent(client, now)
            if len(times) < self.max_failures:
                return 0.0
            return max(0.0, self.window - (now - times[0]))

    def record_failure(self, client: str) -> None:
        with self._lock:
            now = self._clock()
            times = self._recent(client, now)
            times.append(now)
            self._failures[client] = times
            if len(self._failures) > MAX_CLIENTS:
                oldest = min(self._failures, key=lambda c: self._failures[c][-1] if self._failures[c] else 0.0)
                del self._failures[oldest]

    def record_success(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)
