"""Passwords typed again inside a session (changing it, signing, approving) count towards the login lock-out.

Each prompt checks the same throttle as the login form before verifying, and records the attempt under the
same keys (the account and the address), so guessing through a signing dialog locks the account exactly as
guessing at the login form does: the same wait, the same message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from app import audit
from app.auth import throttle
from app.auth.models import User
from app.auth.passwords import verify_password


@dataclass(frozen=True)
class Guard:
    """Where a prompt's attempts are counted: the login throttle's policy and keys for this user and address."""

    policy: throttle.ThrottlePolicy
    username_key: str
    address_key: str


class ReauthThrottled(Exception):
    """Too many wrong passwords for this account or address: wait, as at the login form (HTTP 429)."""

    def __init__(self, wait: timedelta) -> None:
        self.wait = wait
        self.message = throttle.locked_message(wait)
        super().__init__(self.message)


def confirm_password(session: Session, *, user: User, password: str, guard: Guard | None) -> bool:
    """Whether `password` is the user's; with a guard, refused while locked and counted like a login attempt."""
    if not password:
        return False  # nothing was tried: not an attempt
    if guard is not None:
        wait = throttle.wait_time(session, guard.policy, username_key=guard.username_key,
                                  address_key=guard.address_key)
        if wait.total_seconds() > 0:
            audit.log(session, "reauth.throttled", actor=user, obj=user)
            raise ReauthThrottled(wait)
    ok = verify_password(user.password_hash, password)
    if guard is not None:
        throttle.note_attempt(session, username_key=guard.username_key, address_key=guard.address_key,
                              succeeded=ok)
    if not ok:
        audit.log(session, "reauth.failed", actor=user, obj=user)
    return ok
