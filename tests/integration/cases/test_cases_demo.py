"""The demo seed: about twenty cases with call-backs due today, idempotent."""

from __future__ import annotations

from flask import Flask
from sqlmodel import col, select

from app.auth.services import find_user, load_principal
from app.cases.models import Callback, Case, CasePhone
from app.cases.services import today_for
from app.db import get_session
from app.demo.seed import seed


def test_demo_seed_creates_realistic_cases_once(app: Flask) -> None:
    """Seeding twice gives the same ~20 cases, some unassigned, one for another route, call-backs due today."""
    with app.app_context():
        session = get_session()
        seed(session, "Demo-Hasło-Testowe-2026")
        session.commit()
        count = len(session.exec(select(Case)).all())
        seed(session, "Demo-Hasło-Testowe-2026")
        session.commit()
        cases = session.exec(select(Case)).all()
        assert len(cases) == count and 18 <= count <= 25
        assert len({c.channel for c in cases}) == 8
        assert any(c.assigned_worker_id is None for c in cases)
        assert any(c.needs_other_route for c in cases)
        assert any(any(ch in c.applicant_name for ch in "ąćęłńóśźżŁŚŻŹ") for c in cases)
        assert session.exec(select(CasePhone).where(col(CasePhone.case_id).in_([c.id for c in cases]))).first()
        worker = find_user(session, "demo-worker")
        assert worker is not None and worker.id is not None
        principal = load_principal(session, worker.id)
        assert principal is not None
        today = today_for(session, actor=principal)
        assert len(today.callbacks) >= 2 and today.to_call and today.unassigned_count >= 1
        assert session.exec(select(Callback)).first() is not None
