"""Fixtures for directory and contact page tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from app.auth.models import Role, User


@pytest.fixture
def admin(login_as: Callable[..., User]) -> User:
    """The logged-in administrator of the office."""
    return login_as(Role.ADMIN)


@pytest.fixture
def anonymous(app) -> FlaskClient:  # type: ignore[no-untyped-def]
    """A visitor's browser: no session, nothing logged in."""
    return app.test_client()
