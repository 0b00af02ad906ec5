"""Documents in the subject-access export (with the files themselves) and in retention (deleted with their case)."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, delete, select

from app.cases.models import Case
from app.clock import to_local
from app.documents.labels import channel_label, kind_label
from app.documents.models import CaseDocument

RECORD_TYPE = "case_document"


def _time(value: datetime | None) -> str | None:
    return to_local(value).isoformat(timespec="seconds") if value else None


def export(session: Session, case: Case) -> list[dict[str, Any]]:
    """The case's documents as plain data for the GDPR export: what, when, how, hash, and the file (base64)."""
    rows = session.exec(select(CaseDocument).where(CaseDocument.case_id == case.id).order_by(col(CaseDocument.id))).all()
    return [
        {
            "id": d.id, "interview_id": d.interview_id, "kind": kind_label(d.kind), "channel": channel_label(d.channel),
            "received_on": d.received_on.isoformat(), "description": d.description, "filename": d.filename,
            "media_type": d.media_type, "size_bytes": d.size_bytes, "sha256": d.sha256, "annex": d.annex,
            "uploaded_at": _time(d.uploaded_at), "uploaded_by_id": d.uploaded_by_id,
            "withdrawn_at": _time(d.withdrawn_at), "withdrawal_reason": d.withdrawal_reason,
            "content_base64": base64.b64encode(d.data).decode("ascii") if d.data else None,
        }
        for d in rows
    ]


def of_cases(session: Session, case_ids: list[int]) -> list[int]:
    """Ids of the documents of these cases (retention deletes them with the case's anonymisation)."""
    if not case_ids:
        return []
    ids = session.exec(select(CaseDocument.id).where(col(CaseDocument.case_id).in_(case_ids))).all()
    return sorted(int(i) for i in ids if i is not None)


def delete_documents(session: Session, document_ids: list[int]) -> None:
    """Delete the documents whole: the files, their names and descriptions (the audit log keeps ids and hashes)."""
    if document_ids:
        session.exec(delete(CaseDocument).where(col(CaseDocument.id).in_(document_ids)))
