"""argon2id password hashing and the password policy."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from app.config import Settings

# argon2id with the library's current recommended parameters: what every installation uses.
STRONG = PasswordHasher()
# The test suite only (TELEWYWIAD_ENV=test with TELEWYWIAD_TEST_CHEAP_HASHING=true): the smallest cost argon2id
# allows, so a test creating users and logging in spends microseconds, not a third of a second, per hash. Same
# algorithm and format; never chosen otherwise (Settings.check refuses the flag outside env=test).
TEST_ONLY = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
EXTENSION_KEY = "telewywiad.password_hasher"


def hasher_for(settings: Settings) -> PasswordHasher:
    """The hasher an app built from `settings` uses: the strong one unless it is the test suite's cheap-hashing app."""
    return TEST_ONLY if settings.cheap_hashing else STRONG


def _hasher() -> PasswordHasher:
    # The app's hasher (create_app puts it there); the strong one outside an app or when none was set.
    if has_app_context():
        hasher: PasswordHasher = current_app.extensions.get(EXTENSION_KEY, STRONG)
        return hasher
    return STRONG


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    # Verified against when the username is unknown, so both paths cost the same time.
    return hasher.hash("telewywiad-timing-equaliser")


MIN_LENGTH = 12
# No real password is longer; a longer one is refused (never cut), so nobody can make us hash megabytes.
MAX_LENGTH = 1024


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when the password matches; unknown users (and over-long passwords) still pay the hashing cost."""
    hasher = _hasher()
    too_long = len(password) > MAX_LENGTH
    try:
        matched = hasher.verify(_dummy_hash(hasher) if too_long or not stored_hash else stored_hash,
                                password[:MAX_LENGTH])
        return matched and stored_hash is not None and not too_long
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the stored hash uses weaker parameters than today's."""
    return _hasher().check_needs_rehash(stored_hash)


def password_problems(password: str, *, username: str = "") -> list[str]:
    """Why a new password is not acceptable (empty when it is)."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(str(_l("Hasło musi mieć co najmniej %(n)d znaków.", n=MIN_LENGTH)))
    if len(password) > MAX_LENGTH:
        problems.append(str(_l("Hasło może mieć najwyżej %(n)d znaków.", n=MAX_LENGTH)))
    if username and username.lower() in password.lower():
        problems.append(str(_l("Hasło nie może zawierać nazwy użytkownika.")))
    if password and len(set(password)) < 5:
        problems.append(str(_l("Hasło jest zbyt proste.")))
    return problems
