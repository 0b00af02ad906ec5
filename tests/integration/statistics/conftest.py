"""A month of an office's work, built directly in the tables with exact times, and the clock pinned after it.

March 2026 in the Puck office (fixture `march`): five applications by three channels, four finished interviews
(three by phone, one on site; one an update), deadlines met, missed and pending — two of them decided by the
Polish date of a late-evening finish on either side of the change to summer time — art. 7 reasons, three referrals,
calls, call-backs and a letter. Another office's identical-looking data must never be counted.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import time_machine
from sqlmodel import Session

from app.auth.models import Office, User
from app.cases.models import (
    CallAttempt,
    Callback,
    CallOutcome,
    Case,
    CaseState,
    Channel,
    ContactRoute,
    OtherContact,
)
from app.interviews.models import Answer, Interview, InterviewState
from app.referrals.models import CloseOutcome, Priority, ReasonCategory, Referral, ReferralState
from tests.factories import make_case, make_office

UTC = dt.UTC
NOW = dt.datetime(2026, 4, 15, 10, 0, tzinfo=UTC)  # 12:00 in Poland, a Wednesday


def at(day: str, clock: str = "10:00") -> dt.datetime:
    """A UTC instant from an ISO day and time."""
    return dt.datetime.fromisoformat(f"{day}T{clock}:00+00:00")


@pytest.fixture
def pinned() -> Iterator[None]:
    """The clock stands at NOW (the middle of April 2026)."""
    with time_machine.travel(NOW, tick=False):
        yield


@dataclass
class March:
    """The office, its worker and supervisor, and the records built."""

    office: Office
    worker: User
    supervisor: User
    cases: dict[str, Case]


def _interview(db: Session, case: Case, worker: User, finished: dt.datetime, *, mode: str,
               reasons: list[str] | None = None, form: str = "rws") -> Interview:
    interview = Interview(office_id=case.office_id, case_id=case.id or 0, worker_id=worker.id or 0, form_id=form,
                          form_version=1, state=InterviewState.FINISHED, started_at=finished - dt.timedelta(hours=1),
                          finished_at=finished, updated_at=finished)
    db.add(interview)
    db.flush()
    answers = {"mode": mode}
    if reasons is not None:
        answers["art7_reasons"] = reasons  # type: ignore[assignment]
    for key, value in answers.items():
        db.add(Answer(interview_id=interview.id or 0, key=key, value=json.dumps(value), raw=json.dumps(value),
                      updated_by_id=worker.id or 0))
    return interview


def build_month(db: Session, office: Office, worker: User, suffix: str = "") -> dict[str, Case]:
    """The records of March 2026 (see the module docstring); `suffix` makes the case references of a copy unique."""
    def case(ref: str, received: str, due: str, channel: Channel, **extra: object) -> Case:
        return make_case(db, office, assigned=worker, reference=f"{ref}{suffix}/{office.id}", channel=channel,
                         received_on=dt.date.fromisoformat(received), due_on=dt.date.fromisoformat(due), commit=False,
                         **extra)

    cases = {
        # Finished at 23:30 Polish time (winter, +1) on the due day itself: on time.
        "a": case("A", "2026-03-02", "2026-03-16", Channel.EPUAP, state=CaseState.INTERVIEW_DONE),
        # Finished at 00:30 Polish time (summer, +2) on 1 April, the day after the due day: late.
        "b": case("B", "2026-03-17", "2026-03-31", Channel.EPUAP, state=CaseState.INTERVIEW_DONE),
        # Urgent, on time, on site.
        "c": case("C", "2026-03-20", "2026-03-24", Channel.PHONE, urgent=True, state=CaseState.INTERVIEW_DONE),
        # No interview and the due day has passed: overdue.
        "d": case("D", "2026-03-25", "2026-04-08", Channel.POST, state=CaseState.CONTACTING, needs_other_route=True),
        # No interview, due day still ahead on 15 April: running.
        "e": case("E", "2026-03-31", "2026-04-20", Channel.POST, state=CaseState.NEW),
        # Received in February: outside the period.
        "f": case("F", "2026-02-27", "2026-03-19", Channel.EMAIL, state=CaseState.INTERVIEW_DONE),
    }
    _interview(db, cases["a"], worker, at("2026-03-16", "22:30"), mode="phone_15o", reasons=["poverty", "unemployment"])
    _interview(db, cases["b"], worker, at("2026-03-31", "22:30"), mode="phone_15o", reasons=["poverty", "long_illness"])
    _interview(db, cases["c"], worker, at("2026-03-23", "09:00"), mode="onsite", reasons=["crisis_event"])
    _interview(db, cases["f"], worker, at("2026-03-05", "09:00"), mode="phone_15o", form="rws-update")
    # Still in progress: never counted as finished.
    db.add(Interview(office_id=office.id or 0, case_id=cases["d"].id or 0, worker_id=worker.id or 0, form_id="rws",
                     form_version=1, state=InterviewState.IN_PROGRESS, started_at=at("2026-03-26")))
    for key, priority, created, contact, state, outcome in (
        ("a", Priority.URGENT, at("2026-03-16", "09:00"), at("2026-03-16", "11:00"), ReferralState.CLOSED,
         CloseOutcome.SUPPORT_COMPLETED),
        ("b", Priority.HIGH, at("2026-03-31", "09:00"), at("2026-04-03", "09:00"), ReferralState.IN_SUPPORT, ""),
        ("c", Priority.HIGH, at("2026-03-23", "09:00"), None, ReferralState.NEW, ""),
    ):
        db.add(Referral(office_id=office.id or 0, case_id=cases[key].id or 0, person_name="X", phone="+48601234567",
                        reason=ReasonCategory.CRISIS, priority=priority, raised_by_id=worker.id or 0,
                        consent_given=True, state=state, close_outcome=outcome, created_at=created,
                        due_at=created + dt.timedelta(days=1), first_contact_at=contact))
    for key, when, outcome in (("a", "2026-03-03", CallOutcome.NO_ANSWER), ("a", "2026-03-04", CallOutcome.ANSWERED),
                               ("d", "2026-03-26", CallOutcome.NO_ANSWER), ("d", "2026-03-27", CallOutcome.BUSY),
                               ("d", "2026-03-30", CallOutcome.NO_ANSWER), ("e", "2026-04-02", CallOutcome.BUSY)):
        db.add(CallAttempt(case_id=cases[key].id or 0, worker_id=worker.id or 0, at=at(when), number="+48601234567",
                           outcome=outcome))
    for key, due, done in (("a", "2026-03-04", "2026-03-04"), ("d", "2026-03-27", None), ("e", "2026-04-30", None)):
        db.add(Callback(case_id=cases[key].id or 0, worker_id=worker.id or 0, due_at=at(due),
                        done_at=at(done) if done else None))
    db.add(OtherContact(case_id=cases["d"].id or 0, route=ContactRoute.LETTER, sent_on=dt.date(2026, 3, 31),
                        by_id=worker.id or 0))
    db.commit()
    return cases


@pytest.fixture
def march(db: Session, office: Office, user_factory: Callable[..., User]) -> March:
    """March 2026 in the office, and the same again in another office (which must not be counted)."""
    from app.auth.models import Role

    worker = user_factory(Role.WORKER, username="pracownik-marzec")
    supervisor = user_factory(Role.SUPERVISOR, username="kierownik-marzec")
    cases = build_month(db, office, worker)
    other = make_office(db, "Ośrodek Pomocy Społecznej w Innym Mieście")
    db.commit()
    build_month(db, other, user_factory(Role.WORKER, office_=other))
    return March(office, worker, supervisor, cases)
