"""argon2id hashing and password rules."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from argon2 import PasswordHasher, extract_parameters, profiles
from flask import Flask

from app import create_app
from app.auth import passwords
from app.auth.passwords import hash_password, needs_rehash, password_problems, verify_password
from app.config import ConfigError, Mode, Settings


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


@pytest.mark.parametrize("mode", [Mode.PRODUCTION, Mode.DEV, Mode.DEMO, Mode.TEST])
def test_every_app_but_the_test_suites_hashes_with_the_strong_parameters(tmp_path: Path, mode: Mode) -> None:
    """Production, dev, demo and a test-mode app without TELEWYWIAD_TEST_CHEAP_HASHING get the strong argon2id."""
    settings = Settings(env=mode, secret_key=secrets.token_urlsafe(48), instance_path=tmp_path,
                        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    app = create_app(settings)
    assert app.extensions[passwords.EXTENSION_KEY] is passwords.STRONG
    with app.app_context():
        hashed = hash_password("Zażółć-gęślą-jaźń-7")
        assert not needs_rehash(hashed)
    params = extract_parameters(hashed)
    floor = profiles.RFC_9106_LOW_MEMORY
    assert params.time_cost >= floor.time_cost and params.memory_cost >= floor.memory_cost
    assert (params.time_cost, params.memory_cost, params.parallelism) == (
        PasswordHasher().time_cost, PasswordHasher().memory_cost, PasswordHasher().parallelism
    )


@pytest.mark.parametrize("mode", [Mode.PRODUCTION, Mode.DEV, Mode.DEMO])
def test_cheap_hashing_is_refused_outside_test_mode(tmp_path: Path, mode: Mode) -> None:
    """TELEWYWIAD_TEST_CHEAP_HASHING=true with any other env stops start-up instead of weakening the hashes."""
    settings = Settings(env=mode, secret_key=secrets.token_urlsafe(48), instance_path=tmp_path,
                        test_cheap_hashing=True)
    assert not settings.cheap_hashing
    assert passwords.hasher_for(settings) is passwords.STRONG
    with pytest.raises(ConfigError, match="TELEWYWIAD_TEST_CHEAP_HASHING"):
        create_app(settings)


def test_outside_an_app_hashes_are_strong() -> None:
    """Code that runs without an app (scripts, imports) never gets the test parameters."""
    params = extract_parameters(hash_password("Zażółć-gęślą-jaźń-7"))
    assert params.memory_cost >= profiles.RFC_9106_LOW_MEMORY.memory_cost


def test_test_mode_hashes_cheaply_and_still_verifies_strong_hashes(app: Flask) -> None:
    """The test suite's apps: minimal cost, same algorithm; a hash made with the strong parameters still verifies."""
    strong = passwords.STRONG.hash("Zażółć-gęślą-jaźń-7")
    with app.app_context():
        hashed = hash_password("Zażółć-gęślą-jaźń-7")
        assert hashed.startswith("$argon2id$")
        assert extract_parameters(hashed).memory_cost < profiles.RFC_9106_LOW_MEMORY.memory_cost
        assert verify_password(hashed, "Zażółć-gęślą-jaźń-7")
        assert not verify_password(hashed, "zażółć-gęślą-jaźń-7")
        assert verify_password(strong, "Zażółć-gęślą-jaźń-7")
        assert not verify_password(None, "telewywiad-timing-equaliser")
