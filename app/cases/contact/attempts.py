"""What the case's attempts and call-backs say so far: open call-backs, the streak of failed calls."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.cases.models import (
    FAILED_OUTCOMES,
    CallAttempt,
    Callback,
    CallOutcome,
    Case,
    CasePhone,
    OtherContact,
)


def open_callbacks(session: Session, case: Case) -> list[Callback]:
    return list(
        session.exec(select(Callback).where(Callback.case_id == case.id, col(Callback.done_at).is_(None))).all()
    )


def _streak_starts(session: Session, case_id: int) -> datetime | None:
    """Since when failed calls count: the last letter or e-mail sent, or the last number added to the case."""
    contact = session.exec(select(func.max(OtherContact.created_at)).where(OtherContact.case_id == case_id)).one()
    added = session.exec(select(func.max(CasePhone.added_at)).where(CasePhone.case_id == case_id)).one()
    moments = [m if m.tzinfo else m.replace(tzinfo=UTC) for m in (contact, added) if m is not None]
    return max(moments) if moments else None


def failed_streak(session: Session, case_id: int) -> int:
    """Failed attempts (no answer, busy, voicemail, wrong number) since the person was last reached.

    A letter or e-mail sent, or a number added to the case, starts the count afresh: what failed before has been
    answered by another route.
    """
    query = select(CallAttempt.outcome).where(CallAttempt.case_id == case_id)
    since = _streak_starts(session, case_id)
    if since is not None:
        query = query.where(col(CallAttempt.at) > since)
    outcomes = session.exec(query.order_by(col(CallAttempt.at).desc(), col(CallAttempt.id).desc())).all()
    streak = 0
    for outcome in outcomes:
        if CallOutcome(outcome) not in FAILED_OUTCOMES:
            break
        streak += 1
    return streak
