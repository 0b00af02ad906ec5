"""Factories for offices and users; tests ask for what they need by role."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, has_app_context
from sqlmodel import Session

from app.auth import passwords
from app.auth.models import Office, Role, User
from app.auth.services import create_user

PASSWORD = "Correct-Horse-Battery-9"
_counter = itertools.count(1)

# An app whose only job is to choose the test-mode password hasher for users made outside any app context.
_TEST_HASHING = Flask(__name__)
_TEST_HASHING.extensions[passwords.EXTENSION_KEY] = passwords.TEST_ONLY


@contextmanager
def test_mode_hashing() -> Iterator[None]:
    """Hash passwords with the test-mode argon2id parameters inside the block (the running app's, if any)."""
    if has_app_context():
        yield
        return
    with _TEST_HASHING.app_context():
        yield


def make_office(session: Session, name: str | None = None) -> Office:
    """An office with a unique name."""
    office = Office(name=name or f"Ośrodek Pomocy Społecznej nr {next(_counter)}", address="ul. Długa 1, 00-001 Warszawa")
    session.add(office)
    session.flush()
    return office


def make_user(
    session: Session,
    office: Office,
    *roles: Role,
    username: str | None = None,
    full_name: str = "Łucja Źrebiec-Żak",
    password: str = PASSWORD,
) -> User:
    """An active user of the office holding the given roles (worker by default)."""
    assert office.id is not None
    with test_mode_hashing():
        return create_user(
            session,
            office_id=office.id,
            username=username or f"user{next(_counter)}",
            full_name=full_name,
            password=password,
            roles=set(roles) or {Role.WORKER},
        )
