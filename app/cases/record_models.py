"""What happened to a case after registration: every change of its data, and how it ended (closing, reopening)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String, Text
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class CaseChange(SQLModel, table=True):
    """History of a case's data: one row per field changed, old and new value as shown, who and when.

    Holds personal data (names, addresses, PESEL): anonymised with the case (app/privacy/retention) and part of the
    person's GDPR export.
    """

    __tablename__ = "case_change"
    __table_args__ = (Index("ix_case_change_case_at", "case_id", "changed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", ondelete="CASCADE")
    field: str = Field(max_length=40)
    old: str = Field(default="", sa_column=Column(Text, nullable=False))
    new: str = Field(default="", sa_column=Column(Text, nullable=False))
    # "edit" (the case page), "interview" (a correction in segment A), "close", "reopen".
    source: str = Field(default="edit", max_length=20)
    interview_id: int | None = Field(default=None, foreign_key="interview.id")
    changed_at: datetime = Field(default_factory=utcnow)
    changed_by_id: int = Field(foreign_key="user_account.id")


class CaseOutcome(StrEnum):
    """How a case ended (the decision itself is issued in another system; these are recorded facts)."""

    GRANTED = "granted"
    REFUSED = "refused"
    DISCONTINUED = "discontinued"
    NO_INTERVIEW_NEEDED = "no_interview"
    TRANSFERRED = "transferred"


# Outcomes that come from an administrative decision: its number and date are asked for.
DECISION_OUTCOMES = frozenset({CaseOutcome.GRANTED, CaseOutcome.REFUSED, CaseOutcome.DISCONTINUED})


class CaseClosing(SQLModel, table=True):
    """A closing of a case (and, when it was reopened, when, by whom and why): the latest open row is in force."""

    __tablename__ = "case_closing"

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    case_id: int = Field(foreign_key="case_file.id", index=True, ondelete="CASCADE")
    outcome: CaseOutcome = Field(sa_column=Column(String(20), nullable=False))
    # Codes of app.cases.models.RequestedHelp granted/refused, JSON list.
    help_kinds: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    decision_number: str = Field(default="", max_length=80)
    decision_on: date | None = Field(default=None)
    transferred_to: str = Field(default="", max_length=200)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    closed_at: datetime = Field(default_factory=utcnow, index=True)
    closed_by_id: int = Field(foreign_key="user_account.id")
    reopened_at: datetime | None = Field(default=None)
    reopened_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    reopen_reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    # The state the case was in when closed: reopening returns it there.
    state_before: str = Field(default="", max_length=20)
