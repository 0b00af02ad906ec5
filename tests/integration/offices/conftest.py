"""Fixtures for office management: an installation administrator and a second office."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session

from app.auth.models import Office, Role, User
from app.offices.services import grant_installation_admin
from tests.factories import make_office


@pytest.fixture
def other_office(db: Session) -> Office:
    """A second office of the same installation."""
    office = make_office(db, "Ośrodek Pomocy Społecznej we Wschowie")
    db.commit()
    return office


@pytest.fixture
def login_installation_admin(db: Session, login_as: Callable[..., User]) -> Callable[..., User]:
    """Log in as an administrator of the office who also manages the whole installation."""

    def do(**kwargs: object) -> User:
        user = login_as(Role.ADMIN, **kwargs)
        grant_installation_admin(db, user=user)
        db.commit()
        return user

    return do
