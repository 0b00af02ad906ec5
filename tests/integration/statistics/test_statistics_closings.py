"""Closings and decisions in the head of the centre's figures: by outcome, with time to the closing."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlmodel import Session

from app.cases.models import CaseState
from app.cases.record_models import CaseClosing, CaseOutcome
from app.formdefs.extension import form_registry
from app.statistics.figures import figures
from app.statistics.period import Period
from tests.integration.statistics.conftest import NOW, March, at

MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))


@pytest.mark.usefixtures("pinned")
def test_closings_of_the_month_by_outcome(app: Flask, db: Session, march: March) -> None:
    """Closings in force made in March count (a reopened one does not); days from the application and interview."""
    cases = march.cases
    office_id, worker_id = march.office.id or 0, march.worker.id or 0
    # a: received 2.03, interview 16.03 (23:30 Polish time), closed Friday 20.03 → 14 and 4 working days.
    db.add(CaseClosing(office_id=office_id, case_id=cases["a"].id or 0, outcome=CaseOutcome.GRANTED,
                       decision_number="OPS.1", decision_on=dt.date(2026, 3, 20), closed_at=at("2026-03-20"),
                       closed_by_id=worker_id, state_before=CaseState.INTERVIEW_DONE))
    # e: no interview, passed on 31.03 (received that day) → 0 working days.
    db.add(CaseClosing(office_id=office_id, case_id=cases["e"].id or 0, outcome=CaseOutcome.TRANSFERRED,
                       transferred_to="MOPS Leszno", closed_at=at("2026-03-31"), closed_by_id=worker_id))
    # c: closed and reopened: not counted.
    db.add(CaseClosing(office_id=office_id, case_id=cases["c"].id or 0, outcome=CaseOutcome.REFUSED,
                       closed_at=at("2026-03-25"), closed_by_id=worker_id, reopened_at=at("2026-03-26"),
                       reopened_by_id=worker_id, reopen_reason="odwołanie"))
    db.commit()
    with app.test_request_context():
        result = figures(db, office_id=office_id, period=MARCH, now=NOW, today=NOW.date(),
                         form=form_registry().latest("rws"))
    table = result.table("closings")
    rows = {str(r[0]): r[1:] for r in table.rows}
    assert rows == {"przyznano świadczenie": (1, "14", "4"), "przekazano do innego ośrodka": (1, "0", "—")}
    assert table.footer == ("Razem", 2, "7", "4")
