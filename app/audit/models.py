"""Audit event table and the chain heads: one hash chain per office, and one for events without an office."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from app.clock import utcnow

NO_OFFICE_CHAIN = 0  # the chain of events that belong to no office (logins, backups, retention runs)


def chain_of(office_id: int | None) -> int:
    """The chain an event of this office is appended to."""
    return NO_OFFICE_CHAIN if office_id is None else office_id


class AuditEvent(SQLModel, table=True):
    """One audited action; details hold ids and codes only, never personal data.

    The office (covered by the hash) names the event's chain; within a chain, ids follow the order of appending.
    """

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_chain", "office_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    office_id: int | None = Field(default=None)
    actor_id: int | None = Field(default=None, index=True)
    action: str = Field(max_length=60, index=True)
    object_type: str = Field(default="", max_length=40)
    object_id: str = Field(default="", max_length=64)
    details: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class AuditHead(SQLModel, table=True):
    """The newest hash of one chain; locked while appending, so writers of one office cannot fork its chain while
    other offices append to theirs at the same time."""

    __tablename__ = "audit_head"

    chain: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_hash: str = Field(max_length=64)
    last_id: int = Field(default=0)
