"""Login throttling kept in the database, so it holds across every app process and restart."""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.auth.models import LoginAttempt
from app.clock import utcnow


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures are tolerated and how long a locked account or address waits."""

    max_failures: int
    ip_max_failures: int
    window: timedelta
    lock: timedelta
    lock_max: timedelta


def attempt_key(secret: str, kind: str, value: str) -> str:
    """Keyed digest of a username or address: comparable, but not personal data at rest."""
    return hmac.new(secret.encode(), f"{kind}:{value.strip().lower()}".encode(), hashlib.sha256).hexdigest()


def _failures_since_success(session: Session, column: object, key: str, since: datetime) -> list[datetime]:
    last_success = session.exec(
        select(func.max(LoginAttempt.at)).where(column == key, col(LoginAttempt.succeeded).is_(True))
    ).one()
    start = max(since, last_success) if last_success else since
    rows = session.exec(
        select(LoginAttempt.at)
        .where(column == key, col(LoginAttempt.succeeded).is_(False), LoginAttempt.at > start)
        .order_by(col(LoginAttempt.at).desc())
    ).all()
    return list(rows)


def _wait(failures: list[datetime], limit: int, policy: ThrottlePolicy, now: datetime) -> timedelta:
    if len(failures) < limit:
        return timedelta(0)
    # Each failure past the limit doubles the wait, up to the maximum.
    factor = 2 ** min(len(failures) - limit, 16)
    lock = min(policy.lock * factor, policy.lock_max)
    remaining = failures[0] + lock - now
    return max(remaining, timedelta(0))


def wait_time(session: Session, policy: ThrottlePolicy, *, username_key: str, address_key: str) -> timedelta:
    """How long this account or address must wait before the next attempt (zero when it may try)."""
    now = utcnow()
    since = now - policy.window - policy.lock_max
    by_user = _failures_since_success(session, LoginAttempt.username_key, username_key, since)
    by_address = _failures_since_success(session, LoginAttempt.address_key, address_key, since)
    return max(
        _wait(by_user, policy.max_failures, policy, now),
        _wait(by_address, policy.ip_max_failures, policy, now),
    )


def note_attempt(session: Session, *, username_key: str, address_key: str, succeeded: bool) -> None:
    """Record one attempt; old rows are pruned as we go."""
    session.add(LoginAttempt(username_key=username_key, address_key=address_key, succeeded=succeeded))
    cutoff = utcnow() - timedelta(days=2)
    for old in session.exec(select(LoginAttempt).where(LoginAttempt.at < cutoff).limit(200)).all():
        session.delete(old)


def minutes_to_wait(wait: timedelta) -> int:
    """Whole minutes to show the user, never zero while locked."""
    return max(1, math.ceil(wait.total_seconds() / 60))


def locked_message(wait: timedelta) -> str:
    """What a locked account or address is told, at the login form and at every in-session password prompt."""
    return str(
        _l(
            "Zbyt wiele nieudanych prób logowania. Spróbuj ponownie za %(minutes)d min.",
            minutes=minutes_to_wait(wait),
        )
    )
