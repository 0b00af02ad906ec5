"""Which personal records retention has already anonymised (so a run never repeats or double counts one).

Kept with the audit trail, below the features: each feature's retention step marks what it erased here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class Erasure(SQLModel, table=True):
    """One record anonymised by a retention run: its type and id, never what it held."""

    __tablename__ = "privacy_erasure"
    __table_args__ = (UniqueConstraint("record_type", "record_id", name="uq_privacy_erasure_record"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    record_type: str = Field(max_length=20)
    record_id: int
    at: datetime = Field(default_factory=utcnow)
