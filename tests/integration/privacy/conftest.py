"""Fixtures for the privacy tests: one office with every role, a person's case with phones, a finished interview."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import Office, Role, User
from app.cases.models import CallAttempt, CallOutcome, Case, CaseState, Channel
from app.interviews.models import Interview
from app.referrals.models import Priority, ReasonCategory, Referral
from app.reports.demo import DEMO_ANSWERS, make_finished_interview
from tests.conftest import login
from tests.factories import make_case

PESEL = "44051401359"
NAME = "Zażółć Gęślą-Jaźń"
PHONE = "+48601234567"
ADDRESS = "ul. Źródlana 7/3"
EMAIL = "zazolc@example.org"

# Everything personal the tests put in: none of it may ever appear in an audit event's details or object id.
PERSONAL: tuple[str, ...] = (
    PESEL, NAME, "Gęślą", PHONE, "601 234 567", "601234567", ADDRESS, "Źródlana", EMAIL,
    *(v for v in DEMO_ANSWERS.values() if isinstance(v, str) and len(v) > 6 and not v.isascii()),
    "Łukasz Wójcik", "Ścisława Wójcik", "kierowca, umowa zlecenie", "sprzedawczyni",
)


@dataclass
class World:
    """An office with a worker, a supervisor, a psychologist and an administrator, and one person's case."""

    office: Office
    worker: User
    supervisor: User
    psychologist: User
    admin: User
    case: Case
    interview: Interview


def make_person_case(db: Session, office: Office, worker: User, *, reference: str = "RWS/2026/0101") -> Case:
    """A case with the person's PESEL, address, e-mail, two phones and one answered call."""
    case = make_case(db, office, assigned=worker, reference=reference, name=NAME, channel=Channel.EPUAP,
                     received_on=dt.date(2026, 3, 1), phones=(PHONE, ("+48587654321", "sąsiadka")), commit=False,
                     pesel=PESEL, email=EMAIL, address=ADDRESS, state=CaseState.INTERVIEW_DONE,
                     request_note="Prosi o zasiłek celowy na opał.")
    db.add(CallAttempt(case_id=case.id or 0, worker_id=worker.id or 0, number=PHONE, outcome=CallOutcome.ANSWERED,
                       note="Odebrała córka, oddzwonić."))
    db.flush()
    return case


@pytest.fixture
def world(db: Session, office: Office, user_factory: Callable[..., User]) -> World:
    """The office, its staff and a person's case with a finished RWS interview."""
    worker = user_factory(Role.WORKER, username="pracownik", full_name="Anna Kowalczyk-Łęcka")
    supervisor = user_factory(Role.SUPERVISOR, username="kierownik", full_name="Zbigniew Żółkiewski")
    psychologist = user_factory(Role.PSYCHOLOGIST, username="psycholog", full_name="Ewa Psych")
    admin = user_factory(Role.ADMIN, username="admin", full_name="Adam Admin")
    case = make_person_case(db, office, worker)
    interview = make_finished_interview(db, case=case, worker=worker)
    db.commit()
    return World(office, worker, supervisor, psychologist, admin, case, interview)


def make_referral(db: Session, world: World) -> Referral:
    """A new referral of the person, raised by the worker with consent."""
    referral = Referral(office_id=world.office.id or 0, case_id=world.case.id or 0, interview_id=world.interview.id,
                        person_name=NAME, phone=PHONE, best_time="po 16:00", reason=ReasonCategory.ANXIETY,
                        priority=Priority.HIGH, raised_by_id=world.worker.id or 0, consent_given=True,
                        due_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1), worker_note="Prosi o rozmowę.")
    db.add(referral)
    db.commit()
    return referral


@pytest.fixture
def client_of(app: Flask) -> Callable[[User], FlaskClient]:
    """A fresh client logged in as the user."""

    def make(user: User) -> FlaskClient:
        client = app.test_client()
        assert login(client, user.username).status_code == 302
        return client

    return make


def events(db: Session, action: str) -> list[AuditEvent]:
    """Stored events of one action, oldest first."""
    db.expire_all()
    return list(db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all())  # type: ignore[arg-type]


def assert_no_personal_data(db: Session) -> None:
    """No event's details or object id holds any of the personal values the tests used."""
    db.expire_all()
    for event in db.exec(select(AuditEvent)).all():
        stored = f"{event.object_id} {event.details}"
        leaked = [value for value in PERSONAL if value.lower() in stored.lower()]
        assert not leaked, f"event {event.id} ({event.action}) holds personal data: {leaked}"
