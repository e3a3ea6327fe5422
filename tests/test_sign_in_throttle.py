"""Passphrase guessing is capped per client and window."""

from __future__ import annotations

from analysis.sign_in_throttle import SignInThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_fifth_failure_locks_the_client_out_until_the_window_passes() -> None:
    clock = Clock()
    throttle = SignInThrottle(max_failures=5, window_seconds=600, clock=clock)
    for _ in range(4):
        throttle.record_failure("10.0.0.1")
        assert throttle.retry_after("10.0.0.1") == 0
    throttle.record_failure("10.0.0.1")
    assert throttle.retry_after("10.0.0.1") == 600
    assert throttle.retry_after("10.0.0.2") == 0  # other clients are not affected
    clock.now += 599
    assert throttle.retry_after("10.0.0.1") == 1
    clock.now += 1
    assert throttle.retry_after("10.0.0.1") == 0


def test_success_clears_the_count() -> None:
    throttle = SignInThrottle(max_failures=2, window_seconds=600, clock=Clock())
    throttle.record_failure("c")
    throttle.record_success("c")
    throttle.record_failure("c")
    assert throttle.retry_after("c") == 0
