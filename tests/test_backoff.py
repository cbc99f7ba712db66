"""The one retry policy every waiting loop uses (services, channel adapters, reply chunks, the
node host)."""

from __future__ import annotations

from openclaw_gateway import Backoff


def test_doubles_from_first_up_to_the_cap() -> None:
    policy = Backoff(first=0.5, cap=4.0)
    assert [policy.delay(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert policy.delay(0) == 0.5  # never below first


def test_jitter_spreads_between_half_and_one_and_a_half() -> None:
    policy = Backoff(first=2.0, cap=60.0, jitter=True)
    assert policy.delay(1, rand=lambda: 0.0) == 1.0
    assert policy.delay(1, rand=lambda: 0.999) == 2.0 * 1.499
    assert policy.delay(3, rand=lambda: 0.5) == 8.0
