"""argon2id password hashing and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import lazy_gettext as _l

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the username is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("telewywiad-timing-equaliser")

MIN_LENGTH = 12
# No real password is longer; a longer one is refused (never cut), so nobody can make us hash megabytes.
MAX_LENGTH = 1024


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when the password matches; unknown users (and over-long passwords) still pay the hashing cost."""
    too_long = len(password) > MAX_LENGTH
    try:
        matched = _hasher.verify(_DUMMY_HASH if too_long or not stored_hash else stored_hash, password[:MAX_LENGTH])
        return matched and stored_hash is not None and not too_long
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the stored hash uses weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)


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
