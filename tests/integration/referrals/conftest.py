"""Fixtures for referral tests: a case, an interview pinned to RWS v1, answers stored as the runner stores them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from app.auth.models import Office, Role, User
from app.auth.services import Principal, load_principal
from app.cases.models import Case, Channel
from app.clock import utcnow
from app.config import ReferralSettings, get_settings
from app.interviews.models import Answer, Interview
from app.referrals.models import Priority, ReasonCategory, Referral, ReferralState
from tests import factories

# What a telephone interview has before the risk questions: safe to talk, identity, the psychologist's minimum,
# and private answers (PESEL, address, health) that must never reach a referral.
BASE: dict[str, Any] = {
    "mode": "phone_15o",
    "interview_started_at": "2020-04-15T10:00",
    "number_called": "+48600100200",
    "answered_by": "person",
    "identity_confirmation": ["pesel_dob"],
    "safe_to_talk": True,
    "instruction_acknowledged": True,
    "instruction_time": "10:02",
    "optional_segments": ["D"],
    "full_name": "Zażółć Gęślą-Jaźń",
    "birth_date": "1944-05-14",
    "pesel": "44051401359",
    "address": "ul. Morska 1/2",
    "postcode": "84-100",
    "city": "Puck",
    "phone": "+48600100200",
    "chronic_illness": True,
    "illness_description": "cukrzyca typu 2, depresja leczona",
}

PRIVATE_VALUES = ("44051401359", "ul. Morska 1/2", "84-100", "cukrzyca typu 2, depresja leczona", "1944-05-14")


@pytest.fixture
def referral_settings(app: Flask) -> ReferralSettings:
    """Referral settings for tests: notices go to one address; SMTP is set by the tests that send."""
    settings = ReferralSettings(referral_notify_to="psycholodzy@example.org", base_url="https://tw.example.org")
    get_settings(app).referrals = settings
    return settings


@pytest.fixture
def make_case(db: Session, office: Office) -> Callable[..., Case]:
    """A case of the office, assigned to a worker, with one phone number."""

    def factory(worker: User | None = None, *, office_: Office | None = None, name: str = "Zażółć Gęślą-Jaźń") -> Case:
        return factories.make_case(db, office_ or office, assigned=worker, reference=f"R/{dt.datetime.now().timestamp()}",
                                   name=name, channel=Channel.PHONE, received_on=dt.date(2020, 4, 14),
                                   phones=("+48600100200",))

    return factory


@pytest.fixture
def make_interview(db: Session) -> Callable[..., Interview]:
    """An RWS v1 interview of the case by the worker, with answers stored as the runner stores them."""

    def factory(case: Case, worker: User, answers: dict[str, Any] | None = None) -> Interview:
        interview = Interview(
            office_id=case.office_id, case_id=case.id or 0, worker_id=worker.id or 0, form_id="rws", form_version=1
        )
        db.add(interview)
        db.commit()
        put_answers(db, interview, {**BASE, **(answers or {})}, worker)
        return interview

    return factory


def put_answers(db: Session, interview: Interview, answers: dict[str, Any], user: User) -> None:
    """Store (or change) answers the way the runner does: JSON of the storage form, valid, revision counted."""
    from sqlmodel import select

    for key, value in answers.items():
        row = db.exec(select(Answer).where(Answer.interview_id == interview.id, Answer.key == key)).first()
        stored = None if value is None else json.dumps(value)
        if row is None:
            row = Answer(interview_id=interview.id or 0, key=key, updated_by_id=user.id or 0)
        else:
            row.revision += 1
        row.value = stored
        row.raw = "" if value is None else str(value)
        row.valid = True
        db.add(row)
    db.commit()


def principal_of(db: Session, user: User) -> Principal:
    """The principal a user logs in as."""
    principal = load_principal(db, user.id or 0)
    assert principal is not None
    return principal


@pytest.fixture
def make_referral(db: Session, make_case: Callable[..., Any], user_factory: Callable[..., User]) -> Callable[..., Referral]:
    """A referral in a given state, raised by a worker of the office."""
    worker = user_factory(Role.WORKER, username="pracownik", full_name="Bożena Wójcik")

    def factory(
        *, state: ReferralState = ReferralState.NEW, priority: Priority = Priority.NORMAL, age: dt.timedelta = dt.timedelta(0),
        accepted_by: User | None = None, name: str = "Zażółć Gęślą-Jaźń", due_in: dt.timedelta = dt.timedelta(days=1),
        office_: Any = None,
    ) -> Referral:
        case = make_case(worker, office_=office_)
        now = utcnow()
        referral = Referral(
            office_id=case.office_id, case_id=case.id, person_name=name, phone="+48600100200", reason=ReasonCategory.ANXIETY,
            priority=priority, raised_by_id=worker.id or 0, consent_given=True, state=state, due_at=now + due_in,
            accepted_by_id=accepted_by.id if accepted_by else None, created_at=now - age,
        )
        db.add(referral)
        db.commit()
        return referral

    return factory
