"""Fixtures for case tests: cases built directly with the models, in any office and state."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import date

import pytest
from sqlmodel import Session

from app.auth.models import Office, User
from app.cases import deadlines
from app.cases.models import Case, CasePhone, CaseState, Channel
from app.cases.services import local_today

_numbers = itertools.count(1)


@pytest.fixture
def case_factory(db: Session, office: Office) -> Callable[..., Case]:
    """make(assigned=user, phones=['+48601...'], pesel=..., office_=other, **columns) → a committed case."""

    def make(
        *,
        assigned: User | None = None,
        office_: Office | None = None,
        name: str = "Halina Wróblewska",
        phones: tuple[str, ...] = ("+48601234567",),
        received_on: date | None = None,
        urgent: bool = False,
        **columns: object,
    ) -> Case:
        target = office_ or office
        received = received_on or local_today()  # the Polish "today" the app uses, pinned in `dates` tests
        n = next(_numbers)
        case = Case(
            office_id=target.id or 0,
            reference=f"RWS/2026/{n:04d}",
            applicant_name=name,
            channel=Channel.POST,
            received_on=received,
            requested=json.dumps(["food"]),
            urgent=urgent,
            due_on=deadlines.interview_due(received, urgent=urgent),
            assigned_worker_id=assigned.id if assigned else None,
            state=CaseState.NEW,
        )
        for key, value in columns.items():
            setattr(case, key, value)
        db.add(case)
        db.flush()
        for position, number in enumerate(phones):
            db.add(CasePhone(case_id=case.id or 0, number=number, position=position))
        db.commit()
        return case

    return make
