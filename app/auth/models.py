"""Offices, users and their roles, login attempts, server-side web sessions and resumable drafts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class Role(StrEnum):
    """What a user may do; a user may hold several roles."""

    WORKER = "worker"
    PSYCHOLOGIST = "psychologist"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    # The front desk: the day's visits (who comes when, to which desk); nothing of cases or interviews.
    RECEPTION = "reception"


# Every role is office staff: what all of them read (the rota, duties, the phone directory, the filing guides).
STAFF_ROLES: tuple[Role, ...] = tuple(Role)


DEFAULT_REFERENCE_PREFIX = "RWS"


class OfficeBase(SQLModel):
    """Fields of an office shown and edited in the UI (and printed in the report's letterhead)."""

    name: str = Field(max_length=200)
    # How the office is called in lists and the page header, e.g. "GOPS Puck".
    short_name: str = Field(default="", max_length=60)
    address: str = Field(default="", max_length=300)
    # The main number (E.164); further numbers (sections, duty phone) in `other_phones`.
    phone: str = Field(default="", max_length=40)
    # Further numbers, E.164, one per line.
    other_phones: str = Field(default="", sa_column=Column(Text, nullable=False))
    email: str = Field(default="", max_length=254)
    # Case numbers read PREFIX/YEAR/NNNN, e.g. RWS/2026/0007.
    reference_prefix: str = Field(default=DEFAULT_REFERENCE_PREFIX, max_length=20)
    # Further letterhead lines of the report (e.g. "NIP 000-000-00-00", "ePUAP: /gopspuck/skrytka"), one per line.
    letterhead: str = Field(default="", sa_column=Column(Text, nullable=False))


class Office(OfficeBase, table=True):
    """A social assistance centre (OPS/GOPS/MOPS); it owns every record."""

    __tablename__ = "office"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def phones(self) -> list[str]:
        """Every number of the office, the main one first."""
        return [p for p in [self.phone, *self.other_phones.splitlines()] if p.strip()]

    @property
    def letterhead_lines(self) -> list[str]:
        """The further letterhead lines, blank ones left out."""
        return [line.strip() for line in self.letterhead.splitlines() if line.strip()]

    @property
    def label(self) -> str:
        """The short name when set, else the full name."""
        return self.short_name or self.name


class UserBase(SQLModel):
    """Fields of a user account shown and edited in the UI."""

    username: str = Field(max_length=80)
    full_name: str = Field(max_length=200)
    email: str = Field(default="", max_length=254)
    locale: str = Field(default="pl", max_length=5)


class User(UserBase, table=True):
    """A staff member of one office."""

    __tablename__ = "user_account"
    __table_args__ = (UniqueConstraint("username", name="uq_user_account_username"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    password_hash: str = Field(sa_column=Column(Text, nullable=False))
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)
    password_changed_at: datetime = Field(default_factory=utcnow)


class UserRole(SQLModel, table=True):
    """One role held by one user."""

    __tablename__ = "user_role"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    role: Role = Field(sa_column=Column(String(20), primary_key=True))


class LoginAttempt(SQLModel, table=True):
    """A login attempt, kept to throttle guessing across every app process."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_at", "username_key", "at"),
        Index("ix_login_attempt_address_at", "address_key", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Keyed digests, not the raw username or IP address, so the table holds no personal data.
    username_key: str = Field(max_length=64)
    address_key: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow)
    succeeded: bool = Field(default=False)


class WebSession(SQLModel, table=True):
    """Server-side session; the cookie carries a random token and only its SHA-256 is stored."""

    __tablename__ = "web_session"

    id_hash: str = Field(primary_key=True, max_length=64)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True, ondelete="CASCADE")
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow, index=True)


class ResumeDraft(SQLModel, table=True):
    """What a user sent after their session timed out, kept until it is stored.

    A plain form (`object_type` empty) keeps its posted fields in order and is sent again as it was. Values
    of a record edited field by field (`object_type` "interview") are kept as entries per field, each with the
    revision it was based on, so they can be stored later under the normal conflict rules.
    """

    __tablename__ = "resume_draft"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    method: str = Field(max_length=10)
    path: str = Field(max_length=500)
    form_json: str = Field(sa_column=Column(Text, nullable=False))
    return_to: str = Field(default="", max_length=500)
    object_type: str = Field(default="", max_length=40)
    object_id: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
