"""The demo seed: about twenty cases with call-backs due today, idempotent."""

from __future__ import annotations

from flask import Flask
from sqlmodel import col, select

from app.auth.services import find_user, load_principal
from app.cases.contact.attempts import failed_streak
from app.cases.models import Callback, Case, CasePhone, CaseState, OtherContact
from app.db import get_session
from app.demo.seed import seed
from app.worklist.today import today_for


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


def test_demo_seed_shows_a_wrong_number_and_a_letter_sent(app: Flask) -> None:
    """One case has a crossed-out number beside a working one; one had a letter sent and waits for the reply."""
    with app.app_context():
        session = get_session()
        seed(session, "Demo-Hasło-Testowe-2026")
        session.commit()
        wrong = session.exec(select(CasePhone).where(col(CasePhone.wrong_since).is_not(None))).all()
        assert len(wrong) == 1
        siblings = session.exec(select(CasePhone).where(CasePhone.case_id == wrong[0].case_id)).all()
        assert any(p.wrong_since is None for p in siblings)
        letter = session.exec(select(OtherContact)).one()
        waiting = session.get(Case, letter.case_id)
        assert waiting is not None and waiting.state == CaseState.OTHER_ROUTE and not waiting.needs_other_route
        assert failed_streak(session, letter.case_id) == 0
