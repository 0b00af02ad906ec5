"""A worker's progress through a filing guide during a call about a case."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class GuideProgress(SQLModel, table=True):
    """The steps ticked while guiding an applicant; closed when the outcome is recorded as a call."""

    __tablename__ = "guide_progress"
    __table_args__ = (Index("ix_guide_progress_case_worker", "case_id", "worker_id", "guide_id"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    case_id: int = Field(foreign_key="case_file.id", ondelete="CASCADE")
    worker_id: int = Field(foreign_key="user_account.id", index=True)
    guide_id: str = Field(max_length=40)
    guide_version: int
    # JSON list of the step ids ticked, in the guide's order.
    steps_done: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    started_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # Set when "guided to file electronically" was recorded: the progress is closed.
    call_attempt_id: int | None = Field(default=None, foreign_key="call_attempt.id", ondelete="SET NULL")
