"""The office's phone directory: contact details, numbers with validity dates, staff entries, application templates."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, LargeBinary, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class OfficeContact(SQLModel, table=True):
    """What the public contact page says about the office beyond its name, address and main number."""

    __tablename__ = "office_contact"
    __table_args__ = (UniqueConstraint("slug", name="uq_office_contact_slug"),)

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    # The public page's address: /contact/<slug> (lower-case letters, digits and '-').
    slug: str | None = Field(default=None, max_length=40)
    # Where applications may be e-mailed, and the office's ePUAP inbox address (e.g. /gopspuck/SkrytkaESP).
    applications_email: str = Field(default="", max_length=254)
    epuap_address: str = Field(default="", max_length=120)
    # Where the drop box for applications is (e.g. "w przedsionku budynku, czynna całą dobę").
    drop_box: str = Field(default="", max_length=300)
    # Office hours per weekday, JSON list of 7 texts ("7:30–15:30" or "" for closed), Monday first.
    hours: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    # Rules for visitors: only by prior arrangement, entry rules at the door.
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class NumberKind(StrEnum):
    """What a directory number is."""

    GENERAL = "general"
    SECTION = "section"
    FAX = "fax"
    SPECIAL = "special"


class DirectoryNumber(SQLModel, table=True):
    """A telephone number of the office, a section, the fax, or a special line valid for a while."""

    __tablename__ = "directory_number"

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    kind: NumberKind = Field(sa_column=Column(String(20), nullable=False))
    section_id: int | None = Field(default=None, foreign_key="staff_section.id", index=True, ondelete="CASCADE")
    label: str = Field(default="", max_length=120)
    number: str = Field(max_length=20)  # E.164
    # In use from this day (None: always was).
    valid_from: date | None = Field(default=None)
    # No longer in use FROM this day: it disappears from the directory on this very date (None: no end).
    valid_until: date | None = Field(default=None)
    position: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow)


class StaffContact(SQLModel, table=True):
    """A staff member's work number and e-mail; each shown publicly only when the person chose so."""

    __tablename__ = "staff_contact"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    office_id: int = Field(foreign_key="office.id", index=True)
    phone: str = Field(default="", max_length=20)  # E.164
    email: str = Field(default="", max_length=254)
    phone_public: bool = Field(default=False)
    email_public: bool = Field(default=False)
    updated_at: datetime = Field(default_factory=utcnow)


class ApplicationTemplate(SQLModel, table=True):
    """A downloadable application or statement template, kept in the database (several hosts share it)."""

    __tablename__ = "application_template"

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    title: str = Field(max_length=200)
    filename: str = Field(max_length=120)
    media_type: str = Field(max_length=100)
    size_bytes: int
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_at: datetime = Field(default_factory=utcnow)
    uploaded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
