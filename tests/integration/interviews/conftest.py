"""Fixtures for interview tests: a case assigned to the logged-in `worker` and an interview started on it."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from app.auth.models import Office, User
from app.auth.services import load_principal
from app.cases.models import Case, Channel
from app.interviews import start as iv_start
from app.interviews.models import Interview
from tests import factories


def make_case(db: Session, office: Office, worker: User | None = None) -> Case:
    """A case of the office, assigned to `worker` when given."""
    return factories.make_case(db, office, assigned=worker, name="Zdzisław Łęcki", channel=Channel.PHONE,
                               received_on=date(2026, 3, 2))


def start(app: Flask, db: Session, worker: User, case: Case) -> Interview:
    """Start an interview as `worker` through the service (as the start endpoint does)."""
    assert worker.id is not None
    with app.app_context():
        principal = load_principal(db, worker.id)
        assert principal is not None
        interview = iv_start.start_interview(db, actor=principal, case=case)
        db.commit()
    return interview


@pytest.fixture
def case(db: Session, office: Office, worker: User) -> Case:
    """A case assigned to the worker (logged in on `client`)."""
    return make_case(db, office, worker)


@pytest.fixture
def interview(app: Flask, db: Session, worker: User, case: Case) -> Interview:
    """An RWS interview in progress on the case."""
    return start(app, db, worker, case)


def save(client: FlaskClient, interview: Interview, key: str, value: str | list[str], **extra: str):  # type: ignore[no-untyped-def]
    """An htmx autosave of one answer, with the page's CSRF token."""
    from tests.conftest import token

    values = value if isinstance(value, list) else [value]
    data: dict[str, object] = {"key": key, key: values, **extra}
    return client.post(
        f"/interviews/{interview.id}/answers",
        data=data,
        headers={"HX-Request": "true", "X-CSRFToken": token(client, f"/interviews/{interview.id}")},
    )
