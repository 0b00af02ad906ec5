"""Office signing CA, users' signing certificates, reports under review, their immutable signed files and comments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, LargeBinary, String, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.reports.states import ReportState


class OfficeCA(SQLModel, table=True):
    """The office's own signing CA; its private key is encrypted with the installation's PKI passphrase."""

    __tablename__ = "office_ca"

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", unique=True)
    cert_pem: str = Field(sa_column=Column(Text, nullable=False))
    key_pem: str = Field(sa_column=Column(Text, nullable=False))
    fingerprint: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class CertificateSource:
    """Where a signing certificate came from."""

    OFFICE = "office"  # issued by the office CA
    UPLOADED = "pkcs12"  # the user's own PKCS#12, e.g. a qualified certificate


class SigningCertificate(SQLModel, table=True):
    """A user's signing certificate and private key, the key wrapped with the user's password (never stored plain)."""

    __tablename__ = "signing_certificate"
    __table_args__ = (Index("ix_signing_certificate_user_revoked", "user_id", "revoked"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    user_id: int = Field(foreign_key="user_account.id")
    source: str = Field(default=CertificateSource.OFFICE, max_length=10)
    cert_pem: str = Field(sa_column=Column(Text, nullable=False))
    # Further certificates of an uploaded PKCS#12 (its issuers), PEM concatenated; empty for office certificates.
    chain_pem: str = Field(default="", sa_column=Column(Text, nullable=False))
    wrapped_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    subject_cn: str = Field(max_length=200)
    serial_hex: str = Field(max_length=64)
    fingerprint: str = Field(max_length=64, index=True)
    not_after: datetime
    created_at: datetime = Field(default_factory=utcnow)
    revoked: bool = Field(default=False)
    revoked_at: datetime | None = Field(default=None)
    revoked_reason: str = Field(default="", max_length=40)


class Report(SQLModel, table=True):
    """The review of one interview's report: its state and the current version number."""

    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("interview_id", name="uq_report_interview"),
        Index("ix_report_office_state", "office_id", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    interview_id: int = Field(foreign_key="interview.id")
    case_id: int = Field(foreign_key="case_file.id", index=True)
    worker_id: int = Field(foreign_key="user_account.id", index=True)
    state: ReportState = Field(sa_column=Column(String(20), nullable=False))
    version: int = Field(default=1)
    submitted_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = Field(default=None)
    decided_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)


class FileKind:
    """What a stored PDF is."""

    WORKER_SIGNED = "worker_signed"  # signed by the worker on submission
    APPROVED = "approved"  # the same bytes plus the supervisor's counter-signature (incremental update)


class ReportFile(SQLModel, table=True):
    """One signed PDF exactly as produced; never changed after insert (see the listener below)."""

    __tablename__ = "report_file"
    __table_args__ = (UniqueConstraint("report_id", "version", "kind", name="uq_report_file_version_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    version: int
    kind: str = Field(max_length=20)
    pdf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sha256: str = Field(max_length=64, index=True)
    size_bytes: int
    signed_by_id: int = Field(foreign_key="user_account.id")
    certificate_id: int = Field(foreign_key="signing_certificate.id")
    # The stored answers the report was built from, so the HTML view shows exactly what was signed.
    answers_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


@event.listens_for(ReportFile, "before_update")
def _refuse_update(_mapper: Any, _connection: Any, target: ReportFile) -> None:
    """Archived PDFs are evidence: a code path that tries to change one fails loudly."""
    raise RuntimeError(f"report_file {target.id} is immutable")


class ReviewComment(SQLModel, table=True):
    """A supervisor's comment on one answer (answer key) of a returned report version."""

    __tablename__ = "review_comment"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    interview_id: int = Field(foreign_key="interview.id", index=True)
    version: int
    # An answer key (formdefs convention), or "" for a comment on the report as a whole.
    answer_key: str = Field(default="", max_length=200)
    text: str = Field(sa_column=Column(Text, nullable=False))
    author_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
