"""Lock-out arithmetic of login throttling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.auth.throttle import ThrottlePolicy, _wait, attempt_key, minutes_to_wait

POLICY = ThrottlePolicy(
    max_failures=5, ip_max_failures=20, window=timedelta(minutes=15), lock=timedelta(minutes=1), lock_max=timedelta(minutes=60)
)
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _failures(n: int) -> list[datetime]:
    return [NOW - timedelta(seconds=i) for i in range(n)]


def test_below_limit_no_wait() -> None:
    """Four failures: no lock yet."""
    assert _wait(_failures(4), 5, POLICY, NOW) == timedelta(0)


def test_lock_doubles_with_each_further_failure_up_to_maximum() -> None:
    """The fifth failure locks for a minute, each next one doubles it, never past the maximum."""
    assert _wait(_failures(5), 5, POLICY, NOW) == timedelta(minutes=1)
    assert _wait(_failures(6), 5, POLICY, NOW) == timedelta(minutes=2)
    assert _wait(_failures(30), 5, POLICY, NOW) == timedelta(minutes=60)


def test_lock_expires() -> None:
    """After the lock time has passed, the user may try again."""
    assert _wait(_failures(5), 5, POLICY, NOW + timedelta(minutes=2)) == timedelta(0)


def test_keys_do_not_reveal_username_and_ignore_case() -> None:
    """Stored keys are keyed digests, equal for the same name in any case."""
    key = attempt_key("s" * 40, "user", "Anna.Kowalska")
    assert "anna" not in key and key == attempt_key("s" * 40, "user", " anna.kowalska ")
    assert key != attempt_key("t" * 40, "user", "anna.kowalska")


def test_minutes_shown_are_whole_and_positive() -> None:
    """The message always says at least one minute."""
    assert minutes_to_wait(timedelta(seconds=5)) == 1
    assert minutes_to_wait(timedelta(seconds=61)) == 2
