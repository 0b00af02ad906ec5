"""A case's contact history: calls, other contacts and call-backs, in time order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlmodel import Session, col, select

from app.auth.models import User
from app.cases.models import (
    CallAttempt,
    Callback,
    OtherContact,
)
from app.clock import LOCAL_TZ, to_local


@dataclass
class HistoryEntry:
    """One line of a case's contact history: a call attempt or a letter / e-mail sent."""

    at: datetime
    worker: User | None
    attempt: CallAttempt | None = None
    contact: OtherContact | None = None


def _contact_moment(contact: OtherContact) -> datetime:
    """Where a letter sorts among calls: when it was recorded, or midday of the day it went out if that was earlier."""
    recorded = contact.created_at if contact.created_at.tzinfo else contact.created_at.replace(tzinfo=UTC)
    if to_local(recorded).date() <= contact.sent_on:
        return recorded
    return datetime.combine(contact.sent_on, time(12, 0), tzinfo=LOCAL_TZ)


def contact_history(session: Session, case_id: int) -> list[HistoryEntry]:
    """A case's calls and letters / e-mails, newest first, with who made them."""
    entries = [HistoryEntry(at=a.at, worker=u, attempt=a) for a, u in call_history(session, case_id)]
    rows = session.exec(
        select(OtherContact, User)
        .join(User, col(User.id) == col(OtherContact.by_id), isouter=True)
        .where(OtherContact.case_id == case_id)
    ).all()
    entries += [HistoryEntry(at=_contact_moment(c), worker=u, contact=c) for c, u in rows]
    return sorted(entries, key=lambda e: to_local(e.at), reverse=True)


def users_by_id(session: Session, ids: Iterable[int | None]) -> dict[int, User]:
    """Users by id (for "marked by" and similar names on a page)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id or 0: u for u in session.exec(select(User).where(col(User.id).in_(wanted))).all()}


def call_history(session: Session, case_id: int) -> list[tuple[CallAttempt, User | None]]:
    """A case's call attempts, newest first, with the worker who called."""
    rows = session.exec(
        select(CallAttempt, User)
        .join(User, col(User.id) == col(CallAttempt.worker_id), isouter=True)
        .where(CallAttempt.case_id == case_id)
        .order_by(col(CallAttempt.at).desc(), col(CallAttempt.id).desc())
    ).all()
    return [(a, u) for a, u in rows]


def case_callbacks(session: Session, case_id: int) -> list[Callback]:
    """A case's call-backs, open ones first, then by time."""
    rows = session.exec(select(Callback).where(Callback.case_id == case_id).order_by(col(Callback.due_at))).all()
    return sorted(rows, key=lambda c: c.done_at is not None)
