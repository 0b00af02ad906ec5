"""argon2id hashing and password rules."""

from __future__ import annotations

from app.auth.passwords import hash_password, password_problems, verify_password


def test_hash_is_argon2id_and_verifies() -> None:
    """Hashes use argon2id and only the right password matches."""
    hashed = hash_password("Zażółć-gęślą-jaźń-7")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "Zażółć-gęślą-jaźń-7")
    assert not verify_password(hashed, "zażółć-gęślą-jaźń-7")


def test_unknown_user_never_verifies() -> None:
    """No stored hash means no match, even for the dummy password."""
    assert not verify_password(None, "telewywiad-timing-equaliser")


def test_policy_rejects_short_and_username_passwords() -> None:
    """Short passwords and passwords containing the username are refused."""
    assert password_problems("krótkie")
    assert password_problems("anna.kowalska-2024!", username="anna.kowalska")
    assert password_problems("aaaaaaaaaaaaaaaa")
    assert password_problems("Dobre-Hasło-Do-Pracy-7", username="anna") == []
