"""Checking a PDF someone holds: its signatures against the office CA and whether it is an archived report file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from app import audit
from app.auth.services import Principal
from app.cases.models import Case
from app.reports import pki_store
from app.reports.errors import ReviewError
from app.reports.models import FileKind, Report, ReportFile
from app.reports.verify import VerificationReport, sha256_hex, verify_pdf

# A signed report is ~100-250 KB; a verification upload far larger than that is not one of ours.
MAX_VERIFY_UPLOAD_BYTES = 5 * 1024 * 1024
# Signature field names carry the stage and the version: Podpis_pracownika_v2, Zatwierdzenie_v2.
WORKER_FIELD = "Podpis_pracownika_v"
APPROVAL_FIELD = "Zatwierdzenie_v"


# --------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class DocumentCheck:
    """Signatures of an uploaded or given PDF and whether it is byte-for-byte an archived report file.

    When it is, `archived.kind` says the stage (signed by the worker, or approved with the supervisor's
    counter-signature) and `latest_approved` is the report's newest approved file, so a copy cut back to the
    worker's signature, or an older version, is never taken for the approved report.
    """

    sha256: str
    size_bytes: int
    verification: VerificationReport
    archived: ReportFile | None
    archived_reference: str | None = None
    latest_approved: ReportFile | None = None
    report_version: int | None = None

    @property
    def ok(self) -> bool:
        """Every signature intact and trusted, the last covering the whole file."""
        return self.verification.all_valid

    @property
    def approved_stage(self) -> bool:
        """The file is an approved (counter-signed) version, not the worker-signed one."""
        return self.archived is not None and self.archived.kind == FileKind.APPROVED

    @property
    def is_latest_approved(self) -> bool:
        """The file is exactly the report's newest approved version."""
        return (self.archived is not None and self.latest_approved is not None
                and self.archived.id == self.latest_approved.id)


def signature_stage(field_name: str) -> tuple[str, int] | None:
    """("worker_signed" | "approved", version) of one of our signature fields; None for any other field."""
    for prefix, stage in ((WORKER_FIELD, FileKind.WORKER_SIGNED), (APPROVAL_FIELD, FileKind.APPROVED)):
        rest = field_name.removeprefix(prefix)
        if rest != field_name and rest.isascii() and rest.isdigit():
            return stage, int(rest)
    return None


def check_document(session: Session, data: bytes, *, office_id: int | None,
                   extra_roots: Sequence[bytes] = ()) -> DocumentCheck:
    """Verify `data` against the office CA (all offices' CAs when office_id is None) and the configured extra
    CAs (TELEWYWIAD_TRUSTED_CA_FILE, e.g. qualified providers), and look it up by SHA-256."""
    digest = sha256_hex(data)
    roots = pki_store.trust_roots(session, office_id)
    if roots:
        roots = [*roots, *extra_roots]
        verification = verify_pdf(data, trust_roots=roots)
    else:
        verification = VerificationReport(signatures=(), error="no office CA exists yet (run `telewywiad pki init`)")
    query = select(ReportFile).where(ReportFile.sha256 == digest)
    if office_id is not None:
        query = query.where(ReportFile.office_id == office_id)
    archived = session.exec(query).first()
    if archived is None:
        return DocumentCheck(digest, len(data), verification, None)
    report = session.get(Report, archived.report_id)
    case = session.get(Case, report.case_id) if report else None
    latest_approved = session.exec(
        select(ReportFile)
        .where(ReportFile.report_id == archived.report_id, ReportFile.kind == FileKind.APPROVED)
        .order_by(col(ReportFile.version).desc())
    ).first()
    return DocumentCheck(digest, len(data), verification, archived, case.reference if case else None,
                         latest_approved, report.version if report else None)


def verify_upload(session: Session, *, actor: Principal, data: bytes,
                  extra_roots: Sequence[bytes] = ()) -> DocumentCheck:
    """A supervisor's uploaded PDF: size-limited, checked against the office CA and archive, audit-logged."""
    if not data:
        raise ReviewError(str(_l("Wybierz plik PDF do sprawdzenia.")), "pdf")
    if len(data) > MAX_VERIFY_UPLOAD_BYTES:
        raise ReviewError(str(_l("Plik jest za duży (najwyżej 5 MB).")), "pdf")
    if not data.lstrip()[:5] == b"%PDF-":
        raise ReviewError(str(_l("To nie jest plik PDF.")), "pdf")
    result = check_document(session, data, office_id=actor.office_id, extra_roots=extra_roots)
    audit.log(session, "report.verify", actor=actor, object_type="report_file",
              object_id=result.archived.id if result.archived else None, sha256=result.sha256, valid=result.ok,
              signatures=len(result.verification.signatures))
    return result
