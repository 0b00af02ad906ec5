"""The psychologists' list is paged: 50 referrals a page in list order, the overdue count covers every page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from app.auth.models import Role
from app.clock import utcnow
from app.referrals.models import Priority, ReasonCategory, Referral, ReferralState


def _referrals(db: Session, case: Any, worker: Any, count: int, *, prefix: str, state: ReferralState,
               after: int = 0, overdue: bool = False) -> None:
    """`count` normal-priority referrals of one case, created a minute apart from `after` minutes on."""
    now = utcnow()
    for n in range(count):
        db.add(Referral(office_id=case.office_id, case_id=case.id, person_name=f"{prefix} {n:03d}", phone="+48600100200",
                        reason=ReasonCategory.ANXIETY, priority=Priority.NORMAL, raised_by_id=worker.id,
                        consent_given=True, state=state, created_at=now - dt.timedelta(days=3) + dt.timedelta(minutes=after + n),
                        due_at=now + dt.timedelta(hours=-1 if overdue else 24)))
    db.commit()


@pytest.mark.dates
def test_list_pages_fifty_at_a_time_and_counts_overdue_on_every_page(
    client: FlaskClient, db: Session, login_as: Any, user_factory: Any, make_case: Any
) -> None:
    """52 open referrals fill two pages; the two overdue ones are on page 2 but the warning on page 1 counts them;
    closed ones appear only with show=all, which the page links keep."""
    worker = user_factory(Role.WORKER, username="pracownik")
    case = make_case(worker)
    _referrals(db, case, worker, 50, prefix="Otwarta", state=ReferralState.NEW)
    _referrals(db, case, worker, 2, prefix="Spóźniona", state=ReferralState.ACCEPTED, after=50, overdue=True)
    _referrals(db, case, worker, 3, prefix="Zamknięta", state=ReferralState.CLOSED, after=52)
    login_as(Role.PSYCHOLOGIST)

    first = client.get("/referrals").get_data(as_text=True)
    assert first.count('class="card referral ') == 50
    assert "Otwarta 049" in first and "Spóźniona" not in first and "Zamknięta" not in first
    assert "Po terminie: 2" in first
    assert 'rel="next" href="/referrals?page=2"' in first
    assert 'href="/referrals" aria-label="Strona 1 z 2" aria-current="page"' in first

    second = client.get("/referrals?page=2").get_data(as_text=True)
    assert second.count('class="card referral ') == 2
    assert "Spóźniona 001" in second and "referral-overdue" in second and "Po terminie: 2" in second

    everything = client.get("/referrals?show=all&page=2").get_data(as_text=True)
    assert everything.count('class="card referral ') == 5
    assert "Zamknięta 002" in everything
    assert 'rel="prev" href="/referrals?show=all"' in everything
