"""The case's history of changes and its closings in the GDPR export, and in retention (anonymised with the case)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, delete, select, update

from app.cases.closing import help_kinds_of, outcome_label
from app.cases.editing import field_label
from app.cases.labels import requested_label
from app.cases.models import Case
from app.cases.record_models import CaseChange, CaseClosing
from app.clock import to_local


def _time(value: datetime | None) -> str | None:
    return to_local(value).isoformat(timespec="seconds") if value else None


def export(session: Session, case: Case) -> dict[str, list[dict[str, Any]]]:
    """Every change of the case's data (old and new values) and every closing, as plain data."""
    changes = session.exec(select(CaseChange).where(CaseChange.case_id == case.id).order_by(col(CaseChange.id))).all()
    closings = session.exec(select(CaseClosing).where(CaseClosing.case_id == case.id).order_by(col(CaseClosing.id))).all()
    return {
        "changes": [
            {"field": field_label(c.field), "old": c.old, "new": c.new, "source": c.source,
             "interview_id": c.interview_id, "changed_at": _time(c.changed_at), "changed_by_id": c.changed_by_id}
            for c in changes
        ],
        "closings": [
            {"id": c.id, "outcome": outcome_label(c.outcome), "help": [requested_label(k) for k in help_kinds_of(c)],
             "decision_number": c.decision_number, "decision_on": c.decision_on.isoformat() if c.decision_on else None,
             "transferred_to": c.transferred_to, "note": c.note, "closed_at": _time(c.closed_at),
             "closed_by_id": c.closed_by_id, "reopened_at": _time(c.reopened_at), "reopen_reason": c.reopen_reason}
            for c in closings
        ],
    }


def anonymise(session: Session, case_ids: list[int]) -> None:
    """Old values of names, addresses and PESEL go with the case's own; closing facts stay, their free texts blanked."""
    if not case_ids:
        return
    session.exec(delete(CaseChange).where(col(CaseChange.case_id).in_(case_ids)))
    session.exec(update(CaseClosing).where(col(CaseClosing.case_id).in_(case_ids)).values(note="", reopen_reason=""))
