"""Reading referrals: the office's list and its pages, overdue counts, a case's or a worker's referrals, history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import case as sql_case
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from app.auth.models import User
from app.auth.services import Principal
from app.clock import utcnow
from app.referrals.models import (
    PRIORITY_ORDER,
    WAITING_STATES,
    Priority,
    Referral,
    ReferralContact,
    ReferralState,
    ReferralTransition,
)
from app.web.paging import PAGE_SIZE, Page, clamp

# --------------------------------------------------------------------------- reading


def sort_key(referral: Referral) -> tuple[int, datetime]:
    """Urgent first, then the oldest."""
    return (PRIORITY_ORDER[Priority(referral.priority)], referral.created_at)


def _office_referrals_query(office_id: int, *, include_finished: bool) -> SelectOfScalar[Referral]:
    """The office's referrals, open ones only unless asked (unordered)."""
    query = select(Referral).where(Referral.office_id == office_id)
    if not include_finished:
        query = query.where(col(Referral.state).not_in([ReferralState.CLOSED, ReferralState.RETURNED]))
    return query


def _list_order() -> tuple[Any, ...]:
    """Urgent first, then oldest (the id breaks ties so pages never overlap)."""
    order = sql_case(
        {Priority.URGENT.value: 0, Priority.HIGH.value: 1, Priority.NORMAL.value: 2}, value=col(Referral.priority), else_=3
    )
    return order, col(Referral.created_at), col(Referral.id)


def office_referrals(session: Session, office_id: int, *, include_finished: bool = False) -> list[Referral]:
    """The office's referrals, urgent first, then oldest; closed and returned ones only when asked."""
    query = _office_referrals_query(office_id, include_finished=include_finished)
    return list(session.exec(query.order_by(*_list_order())).all())


def office_referral_page(session: Session, office_id: int, *, include_finished: bool = False, page: int = 1,
                         size: int = PAGE_SIZE) -> Page[Referral]:
    """One page of the psychologists' list, in the order of `office_referrals`."""
    query = _office_referrals_query(office_id, include_finished=include_finished)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    number = clamp(page, total, size)
    rows = session.exec(query.order_by(*_list_order()).offset((number - 1) * size).limit(size)).all()
    return Page(rows, number, total, size)


def overdue_count(session: Session, office_id: int, now: datetime | None = None) -> int:
    """How many of the office's referrals wait past their target time for a first contact (as `is_overdue`)."""
    return session.exec(
        select(func.count()).select_from(Referral).where(
            Referral.office_id == office_id, col(Referral.state).in_(list(WAITING_STATES)),
            col(Referral.due_at) < (now or utcnow()),
        )
    ).one()


def raised_by(session: Session, user_id: int) -> list[Referral]:
    """Referrals a worker raised, newest first."""
    return list(
        session.exec(
            select(Referral).where(Referral.raised_by_id == user_id).order_by(col(Referral.created_at).desc())
        ).all()
    )


def of_case(session: Session, case_id: int) -> list[Referral]:
    """A case's referral history, newest first."""
    return list(
        session.exec(select(Referral).where(Referral.case_id == case_id).order_by(col(Referral.created_at).desc())).all()
    )


def contacts_of(session: Session, referral_id: int) -> list[ReferralContact]:
    """Every contact attempt, oldest first."""
    return list(
        session.exec(
            select(ReferralContact).where(ReferralContact.referral_id == referral_id).order_by(col(ReferralContact.at))
        ).all()
    )


def history_of(session: Session, referral_id: int) -> list[ReferralTransition]:
    """Every state change, oldest first."""
    return list(
        session.exec(
            select(ReferralTransition)
            .where(ReferralTransition.referral_id == referral_id)
            .order_by(col(ReferralTransition.id))
        ).all()
    )


def is_overdue(referral: Referral, now: datetime | None = None) -> bool:
    """Past its target time and still waiting for a first contact attempt."""
    return referral.state in WAITING_STATES and (now or utcnow()) > referral.due_at


def user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Full names of users by id (for who accepted, raised, decided)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.exec(select(User.id, User.full_name).where(col(User.id).in_(wanted))).all()
    return {row[0]: row[1] for row in rows if row[0] is not None}


def default_worker_contact(session: Session, principal: Principal) -> str:
    """The worker's e-mail, or the office phone, as the contact the psychologist can use."""
    from app.auth.models import Office

    user = session.get(User, principal.id)
    office = session.get(Office, principal.office_id)
    parts = [p for p in ((office.phone if office else ""), (user.email if user else "")) if p]
    return ", ".join(parts)[:120]
