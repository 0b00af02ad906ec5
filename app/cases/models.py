"""Case (an application for help) and the calls made about it."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Index, String, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class Channel(StrEnum):
    """How the application reached the centre."""

    POST = "post"
    EMAIL = "email"
    EPUAP = "epuap"
    EMPATIA = "empatia"
    DROP_BOX = "drop_box"
    PHONE = "phone"
    IN_PERSON = "in_person"
    INSTITUTION = "institution"
    # A call to the office's telephone duty number (evenings, weekends), registered by the worker on duty.
    DUTY_PHONE = "duty_phone"


class RequestedHelp(StrEnum):
    """What the applicant asks for (stored as a JSON list of these codes in `Case.requested`)."""

    PERMANENT = "permanent"
    PERIODIC = "periodic"
    SPECIAL_PURPOSE = "special_purpose"
    HOT_MEAL = "hot_meal"
    FOOD = "food"
    CARE = "care"
    PSYCHOLOGICAL = "psychological"
    OTHER = "other"


class CaseState(StrEnum):
    """Where the case is in the centre's work."""

    NEW = "new"
    CONTACTING = "contacting"
    OTHER_ROUTE = "other_route"
    INTERVIEW = "interview"
    INTERVIEW_DONE = "interview_done"
    CLOSED = "closed"


class CallOutcome(StrEnum):
    """What happened on a call attempt."""

    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    VOICEMAIL = "voicemail"
    WRONG_NUMBER = "wrong_number"
    REFUSED = "refused"
    CALL_BACK = "call_back"
    UNSAFE = "unsafe"
    # The worker talked the person through filing the application electronically (a filing guide).
    GUIDED_EFILING = "guided_efiling"


# Attempts that did not reach the person; enough of them in a row call for a letter or an e-mail.
FAILED_OUTCOMES = frozenset({CallOutcome.NO_ANSWER, CallOutcome.BUSY, CallOutcome.VOICEMAIL, CallOutcome.WRONG_NUMBER})
# States in which the case still waits for its interview (deadline running, calls to make).
OPEN_STATES = frozenset({CaseState.NEW, CaseState.CONTACTING, CaseState.OTHER_ROUTE, CaseState.INTERVIEW})


class Case(SQLModel, table=True):
    """An application for help and the person it concerns; owned by one office."""

    __tablename__ = "case_file"
    __table_args__ = (
        UniqueConstraint("office_id", "reference", name="uq_case_file_office_reference"),
        Index("ix_case_file_office_state", "office_id", "state"),
        # A worker's list (app/worklist/today.py) and the office's unassigned cases: without it SQLite walks every
        # case of the office (ix_case_file_office_id) to find one worker's few hundred.
        Index("ix_case_file_office_worker_state", "office_id", "assigned_worker_id", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    reference: str = Field(max_length=40)
    applicant_name: str = Field(max_length=200)
    # name_key(applicant_name), kept by the listeners below: what name search matches in SQL.
    search_name: str = Field(default="", max_length=200)
    pesel: str | None = Field(default=None, max_length=11, index=True)
    email: str = Field(default="", max_length=254)
    address: str = Field(default="", max_length=300)
    channel: Channel = Field(sa_column=Column(String(20), nullable=False))
    channel_detail: str = Field(default="", max_length=200)
    received_on: date
    # Codes of what is requested (permanent/periodic/special-purpose allowance, meal, ...), JSON list.
    requested: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    request_note: str = Field(default="", sa_column=Column(Text, nullable=False))
    urgent: bool = Field(default=False)
    permanent_help: bool = Field(default=False)
    state: CaseState = Field(default=CaseState.NEW, sa_column=Column(String(20), nullable=False))
    assigned_worker_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    due_on: date | None = Field(default=None, index=True)
    needs_other_route: bool = Field(default=False)
    last_interview_completed_at: datetime | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class CaseCounter(SQLModel, table=True):
    """The last case number given out per office and year; raised atomically, so two registrations never share one."""

    __tablename__ = "case_counter"

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = Field(default=0)


class ContactRoute(StrEnum):
    """How the centre reached out when the phone did not work."""

    LETTER = "letter"
    EMAIL = "email"
    EPUAP = "epuap"


_EXTRA_FOLD = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "ß": "ss"})


def name_key(name: str) -> str:
    """Lower case without diacritics ("Łęcka" → "lecka"), spaces collapsed: what name search compares."""
    folded = unicodedata.normalize("NFKD", name.translate(_EXTRA_FOLD))
    plain = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    return " ".join(plain.split())


def search_name_of(applicant_name: str) -> str:
    """The `search_name` column's value for this name."""
    return name_key(applicant_name)[:200]


@event.listens_for(Case, "before_insert")
@event.listens_for(Case, "before_update")
def _keep_search_name(_mapper: Any, _connection: Any, case: Case) -> None:
    # Every ORM write goes through here, so a renamed or anonymised case never keeps the old name's key (the one
    # write of the name without the ORM, app/cases/editing.py correct_if_unchanged, sets it too).
    case.search_name = search_name_of(case.applicant_name)


class CasePhone(SQLModel, table=True):
    """A phone number of the applicant (E.164), in the order given; marked when a call found it wrong."""

    __tablename__ = "case_phone"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True, ondelete="CASCADE")
    number: str = Field(max_length=20, index=True)
    label: str = Field(default="", max_length=60)
    position: int = Field(default=0)
    # Set when a number is added to an existing case (not at registration): failed calls before it no longer count.
    added_at: datetime | None = Field(default=None)
    added_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    # A call found the number wrong: it stays on the case (crossed out) but is no longer offered to call.
    wrong_since: datetime | None = Field(default=None)
    wrong_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class CallAttempt(SQLModel, table=True):
    """One call a worker made about a case."""

    __tablename__ = "call_attempt"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True, ondelete="CASCADE")
    worker_id: int = Field(foreign_key="user_account.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    number: str = Field(max_length=20)
    outcome: CallOutcome = Field(sa_column=Column(String(20), nullable=False))
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    callback_at: datetime | None = Field(default=None)


class Callback(SQLModel, table=True):
    """A call-back booked on a worker's list."""

    __tablename__ = "callback"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True, ondelete="CASCADE")
    worker_id: int = Field(foreign_key="user_account.id", index=True)
    due_at: datetime = Field(index=True)
    done_at: datetime | None = Field(default=None)
    attempt_id: int | None = Field(default=None, foreign_key="call_attempt.id")
    note: str = Field(default="", max_length=300)


class OtherContact(SQLModel, table=True):
    """A letter or an e-mail sent to the applicant because the phone did not reach them."""

    __tablename__ = "other_contact"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True, ondelete="CASCADE")
    route: ContactRoute = Field(sa_column=Column(String(20), nullable=False))
    sent_on: date
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    by_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
