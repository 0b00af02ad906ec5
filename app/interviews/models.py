"""Interviews pinned to a form version, their answers and every change to an answer."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class InterviewState(StrEnum):
    """Lifecycle of the interview itself (report review states live with reports)."""

    IN_PROGRESS = "in_progress"
    INTERRUPTED = "interrupted"  # ended at once because it was not safe to talk
    FINISHED = "finished"


class Interview(SQLModel, table=True):
    """One RWS interview (full or update) of a case, pinned to the form id and version it started with."""

    __tablename__ = "interview"
    # A worker's interviews in progress (the today list) without walking all they ever did.
    __table_args__ = (Index("ix_interview_office_worker_state", "office_id", "worker_id", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    worker_id: int = Field(foreign_key="user_account.id", index=True)
    call_attempt_id: int | None = Field(default=None, foreign_key="call_attempt.id")
    previous_interview_id: int | None = Field(default=None, foreign_key="interview.id")
    form_id: str = Field(max_length=60)
    form_version: int
    # SHA-256 of the definition's text (app/formstore): the exact version, even if a file is edited later.
    form_hash: str = Field(default="", max_length=64)
    state: InterviewState = Field(default=InterviewState.IN_PROGRESS, sa_column=Column(String(20), nullable=False))
    current_section: str = Field(default="", max_length=80)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False))
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = Field(default=None)
    updated_at: datetime = Field(default_factory=utcnow)
    # Grows with every change of the interview's answers (app/interviews/autosave.py write_answer): an autosave that
    # read the answers before taking the write lock writes only if it is still the number it read.
    answers_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Answer(SQLModel, table=True):
    """The current value of one answer key; raw keeps exactly what was typed, even when invalid."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("interview_id", "key", name="uq_answer_interview_key"),)

    id: int | None = Field(default=None, primary_key=True)
    interview_id: int = Field(foreign_key="interview.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=200)
    # JSON of the validated storage form (formdefs.to_storage), or null while invalid/blank.
    value: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    raw: str = Field(default="", sa_column=Column(Text, nullable=False))
    valid: bool = Field(default=True)
    revision: int = Field(default=1)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int = Field(foreign_key="user_account.id")


class AnswerChange(SQLModel, table=True):
    """History: every save of an answer, by whom and when; nothing is silently overwritten."""

    __tablename__ = "answer_change"
    __table_args__ = (Index("ix_answer_change_interview_key", "interview_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    interview_id: int = Field(foreign_key="interview.id", ondelete="CASCADE")
    key: str = Field(max_length=200)
    raw: str = Field(default="", sa_column=Column(Text, nullable=False))
    value: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    revision: int
    changed_at: datetime = Field(default_factory=utcnow)
    changed_by_id: int = Field(foreign_key="user_account.id")
    client_id: str = Field(default="", max_length=64)
