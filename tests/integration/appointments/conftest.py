"""Fixtures for appointment tests: an office set up for visits (a room, two one-client desks, Monday–Friday 8–15,
reasons with checklists, entry rules), cases, principals, and the next working day to book on."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.appointments.calendar import local_moment
from app.appointments.models import OpeningHours, VisitDesk, VisitPlace, VisitReason, VisitRules
from app.auth.models import Office, User
from app.auth.services import Principal, load_principal
from app.cases.models import Case, CaseState, Channel
from app.clock import to_local, utcnow
from app.workdays import add_working_days
from tests import factories
from tests.integration.referrals.test_referral_mail import (  # noqa: F401 - the outbox tests' SMTP fixtures
    mail_settings,
    smtp_port,
    start_smtp,
)

ENTRY_RULES = "Dezynfekcja rąk przy wejściu.\nRękawiczki jednorazowe.\nMaseczka lub przyłbica.\nOdstęp 2 m."


@dataclass
class VisitOffice:
    """The office's visit setup."""

    office: Office
    place: VisitPlace
    desks: list[VisitDesk]
    documents: VisitReason  # in person, 30 minutes, with a checklist
    consultation: VisitReason  # in person or by phone, 15 minutes


def setup_visits(db: Session, office: Office) -> VisitOffice:
    """A room with two one-client desks, open Monday to Friday 8:00–15:00, two reasons and the entry rules."""
    place = VisitPlace(office_id=office.id or 0, name="Sala obsługi", address="ul. Kopernika 6A, Wschowa")
    db.add(place)
    db.flush()
    for weekday in range(5):
        db.add(OpeningHours(place_id=place.id or 0, weekday=weekday, opens=time(8), closes=time(15)))
    desks = [VisitDesk(office_id=office.id or 0, place_id=place.id or 0, name=f"Stanowisko {n}") for n in (1, 2)]
    documents = VisitReason(office_id=office.id or 0, name="Złożenie dokumentów", duration_minutes=30,
                            checklist="dowód osobisty\nzaświadczenie o dochodach", position=1)
    consultation = VisitReason(office_id=office.id or 0, name="Konsultacja", duration_minutes=15, phone=True,
                               checklist="dokumenty sprawy", position=2)
    db.add_all([*desks, documents, consultation, VisitRules(office_id=office.id or 0, entry_rules=ENTRY_RULES)])
    db.commit()
    return VisitOffice(office, place, desks, documents, consultation)


@pytest.fixture
def visit_office(db: Session, office: Office) -> VisitOffice:
    """The test office, set up for visits."""
    return setup_visits(db, office)


@pytest.fixture
def make_case(db: Session, office: Office) -> Callable[..., Case]:
    """make_case(worker, email=...) → a committed case with one phone number."""

    def make(worker: User | None = None, *, name: str = "Zofia Źdźbło-Łęcka", email: str = "zofia@example.org",
             phone: str = "+48601234567") -> Case:
        return factories.make_case(db, office, assigned=worker, name=name, email=email, channel=Channel.PHONE,
                                   received_on=to_local(utcnow()).date(), state=CaseState.CONTACTING, phones=(phone,))

    return make


def principal(db: Session, user: User) -> Principal:
    """The user as services see them."""
    found = load_principal(db, user.id or 0)
    assert found is not None
    return found


def next_working_day() -> date:
    """The first working day after today (weekends and Polish holidays skipped)."""
    return add_working_days(to_local(utcnow()).date(), 1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local time on a day, as aware UTC."""
    return local_moment(day, time(hour, minute))


def slot(desk: VisitDesk | None, day: date, hour: int, minute: int = 0) -> str:
    """The value a slot button posts."""
    return f"{desk.id if desk else 0}@{day.isoformat()}T{hour:02d}:{minute:02d}"


def csrf(html: str) -> str:
    """The CSRF token of a rendered page."""
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match
    return match.group(1)


def post_form(client: FlaskClient, path: str, data: dict[str, Any], *, page: str | None = None,
              headers: dict[str, str] | None = None) -> Any:
    """POST with the CSRF token of `page` (or `path`)."""
    token = csrf(client.get(page or "/account").get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token}, headers=headers or {})


def monday_after(day: date) -> date:
    """The Monday on or after a day."""
    return day + timedelta(days=(7 - day.weekday()) % 7)


def count(db: Session, model: type) -> int:
    """Rows of a table, fresh from the database."""
    db.expire_all()
    return len(db.exec(select(model)).all())


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An application context for calling services directly (Polish messages need Babel); not with the client."""
    with app.test_request_context():
        yield


@pytest.fixture
def in_app(app: Flask) -> Callable[[], Any]:
    """`with in_app(): ...` around direct service calls in tests that also use the client (which needs its own g)."""
    return app.test_request_context
