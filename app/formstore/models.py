"""Form versions kept in the database (built-in ones as first used, uploaded ones) and which office publishes which."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class FormOrigin(StrEnum):
    """Where a stored form version came from."""

    BUILTIN = "builtin"  # a file in forms/, recorded when an interview first pinned it
    UPLOAD = "upload"  # uploaded by an administrator


class FormVersion(SQLModel, table=True):
    """One form version's exact text and its SHA-256; never changed once published or pinned by an interview."""

    __tablename__ = "form_version"
    __table_args__ = (UniqueConstraint("form_id", "version", name="uq_form_version_form_id_version"),)

    id: int | None = Field(default=None, primary_key=True)
    form_id: str = Field(max_length=60)
    version: int
    content_hash: str = Field(max_length=64, unique=True)
    source: str = Field(sa_column=Column(Text, nullable=False))
    title: str = Field(default="", max_length=300)
    origin: FormOrigin = Field(sa_column=Column(String(20), nullable=False))
    # The office whose administrator uploaded it (None for built-in versions).
    office_id: int | None = Field(default=None, foreign_key="office.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)


class FormPublication(SQLModel, table=True):
    """An office uses this uploaded version (the newest published one of a form is used for new interviews)."""

    __tablename__ = "form_publication"

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    form_version_id: int = Field(foreign_key="form_version.id", primary_key=True)
    published_at: datetime = Field(default_factory=utcnow)
    published_by_id: int | None = Field(default=None, foreign_key="user_account.id")
