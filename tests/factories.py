"""The test data factories: offices, users and cases, built directly with the models (no requests).

One set of factories for every test folder. Plain functions take the session and commit nothing unless they say
so; the fixtures in tests/conftest.py wrap them for the common cases:

- `office`: the office most tests act in (Gminny Ośrodek Pomocy Społecznej w Pucku).
- `user_factory(*roles, username=..., full_name=..., office_=...)`: a committed user (a worker by default).
- `login_as(*roles, **user)`: such a user, with the `client` logged in as them.
- `worker`: THE social worker of the office — username `pracownik`, full name `WORKER_NAME` — logged in on
  `client`. (For a worker who is not logged in, or a second one, use `user_factory`.)
- `supervisor`: the office's supervisor — username `kierownik`, full name `SUPERVISOR_NAME` — not logged in.
- `case_factory(assigned=..., phones=..., office_=..., **columns)`: a committed case (`make_case` below).

Passwords: every user gets `PASSWORD`, hashed with the test-mode argon2id parameters (`test_mode_hashing`), so
creating and logging in users costs microseconds; production code never sees those parameters.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from flask import Flask, has_app_context
from sqlmodel import Session

from app.auth import passwords
from app.auth.models import Office, Role, User
from app.auth.services import create_user
from app.cases import deadlines
from app.cases.models import Case, CasePhone, CaseState, Channel
from app.clock import local_today

PASSWORD = "Correct-Horse-Battery-9"
WORKER_NAME = "Anna Kowalczyk-Łęcka"
SUPERVISOR_NAME = "Zbigniew Żółkiewski"
_counter = itertools.count(1)
_case_numbers = itertools.count(1)

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


def next_reference() -> str:
    """A case file reference not used before in this test process: RWS/2026/0001, RWS/2026/0002, …"""
    return f"RWS/2026/{next(_case_numbers):04d}"


def make_case(
    session: Session,
    office: Office,
    *,
    assigned: User | None = None,
    reference: str | None = None,
    name: str = "Halina Wróblewska",
    channel: Channel = Channel.POST,
    received_on: date | None = None,
    phones: Sequence[str | tuple[str, str]] = (),
    commit: bool = True,
    **columns: object,
) -> Case:
    """A case of the office, assigned to `assigned` when given, with its phones (a number or (number, label)).

    `reference` defaults to `next_reference()`, `received_on` to today; any other Case column goes in `columns`.
    The case is flushed (it has an id); `commit=False` leaves committing to the caller.
    """
    case = Case(
        office_id=office.id or 0,
        reference=reference or next_reference(),
        applicant_name=name,
        channel=channel,
        received_on=received_on or local_today(),  # the Polish "today" the app uses, pinned in `dates` tests
        assigned_worker_id=assigned.id if assigned else None,
    )
    for key, value in columns.items():
        setattr(case, key, value)
    session.add(case)
    session.flush()
    for position, phone in enumerate(phones):
        number, label = (phone, "") if isinstance(phone, str) else phone
        session.add(CasePhone(case_id=case.id or 0, number=number, label=label, position=position))
    if commit:
        session.commit()
    else:
        session.flush()
    return case


def make_new_case(
    session: Session,
    office: Office,
    *,
    received_on: date | None = None,
    urgent: bool = False,
    phones: Sequence[str | tuple[str, str]] = ("+48601234567",),
    **fields: Any,
) -> Case:
    """A newly registered case as the register form leaves it: post, food requested, due date from the deadline rules."""
    received = received_on or local_today()
    columns: dict[str, Any] = {
        "urgent": urgent, "state": CaseState.NEW, "requested": json.dumps(["food"]),
        "due_on": deadlines.interview_due(received, urgent=urgent), **fields,
    }
    return make_case(session, office, received_on=received, phones=phones, **columns)
