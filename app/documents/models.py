"""A file received about a case or one of its interviews, kept in the database with its SHA-256."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Index, LargeBinary, String
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class DocumentKind(StrEnum):
    """What the document is."""

    STATEMENT = "statement"  # oświadczenie (e.g. about income or the household)
    INCOME_CERTIFICATE = "income_certificate"  # zaświadczenie o dochodach
    OTHER_DECISION = "other_decision"  # decyzja innego organu (PUP, ZUS, sanepid...)
    DISABILITY_CERTIFICATE = "disability_certificate"  # orzeczenie o niepełnosprawności
    APPLICATION = "application"  # the application itself, scanned or photographed
    CORRESPONDENCE = "correspondence"  # a letter or an e-mail from the applicant
    OTHER = "other"


class DocumentChannel(StrEnum):
    """How the document reached the centre."""

    EMAIL = "email"
    EPUAP = "epuap"
    EMPATIA = "empatia"
    POST = "post"
    DROP_BOX = "drop_box"
    IN_PERSON = "in_person"
    PHONE_PHOTO = "phone_photo"  # a photo sent from the applicant's phone (MMS, messenger)
    WORKER_PHOTO = "worker_photo"  # photographed by the worker (a visit, the front desk)
    INSTITUTION = "institution"  # from another body (art. 105: police, ZUS, courts, schools...)
    OTHER = "other"


class CaseDocument(SQLModel, table=True):
    """One received file: its bytes and hash, what it is, how and when it arrived, who added it.

    A document added by mistake is withdrawn, not deleted: its bytes are dropped, its name, hash and the reason stay,
    so a report signed while it was on the case still lists exactly what it listed.
    """

    __tablename__ = "case_document"
    __table_args__ = (Index("ix_case_document_case_uploaded", "case_id", "uploaded_at"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    case_id: int = Field(foreign_key="case_file.id", ondelete="CASCADE")
    # The interview the document belongs to; None for the case as a whole.
    interview_id: int | None = Field(default=None, foreign_key="interview.id", index=True)
    kind: DocumentKind = Field(sa_column=Column(String(30), nullable=False))
    channel: DocumentChannel = Field(sa_column=Column(String(20), nullable=False))
    received_on: date
    description: str = Field(default="", max_length=300)
    filename: str = Field(max_length=200)
    media_type: str = Field(max_length=100)
    size_bytes: int
    sha256: str = Field(max_length=64, index=True)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    # The worker chose to append it (an image or a PDF) to the signed report as an annex.
    annex: bool = Field(default=False)
    uploaded_by_id: int = Field(foreign_key="user_account.id")
    uploaded_at: datetime = Field(default_factory=utcnow)
    withdrawn_at: datetime | None = Field(default=None)
    withdrawn_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    withdrawal_reason: str = Field(default="", max_length=300)
