"""A case's history of changes and its closings: in the person's export, and gone with the case at retention."""

from __future__ import annotations

import datetime as dt
import json

from flask import Flask
from sqlmodel import Session, SQLModel, select

from app.cases.record_models import CaseChange, CaseClosing, CaseOutcome
from app.clock import utcnow
from app.config import PrivacySettings, get_settings
from app.privacy.export import collect
from app.privacy.retention import run
from tests.integration.privacy.conftest import NAME, World

OLD_ADDRESS = "ul. Stara Źródlana 99"


def _history(db: Session, world: World) -> None:
    case_id = world.case.id or 0
    db.add(CaseChange(case_id=case_id, field="address", old=OLD_ADDRESS, new="ul. Nowa 1",
                      changed_by_id=world.worker.id or 0))
    db.add(CaseClosing(office_id=world.office.id or 0, case_id=case_id, outcome=CaseOutcome.GRANTED,
                       help_kinds='["food"]', decision_number="OPS.4011.7.2026", decision_on=dt.date(2026, 3, 20),
                       note=f"Rozmowa z {NAME}", closed_by_id=world.worker.id or 0))
    db.commit()


def test_export_holds_the_changes_and_the_closings(app: Flask, db: Session, world: World) -> None:
    """Old and new values, the outcome with its decision: all in the subject-access export."""
    _history(db, world)
    with app.test_request_context():
        data = collect(db, [world.case])
    (case,) = data["cases"]
    assert case["changes"][0]["old"] == OLD_ADDRESS and case["changes"][0]["field"] == "Adres"
    assert case["closings"][0]["decision_number"] == "OPS.4011.7.2026"
    assert case["closings"][0]["help"] == ["żywność"]


def test_retention_removes_old_values_and_free_texts(app: Flask, db: Session, world: World) -> None:
    """The old address goes with the case's own; the closing's facts stay, its note is blanked."""
    _history(db, world)
    world.case.state = "closed"
    db.add(world.case)
    db.commit()
    settings = PrivacySettings(retention_case_years=10)  # type: ignore[call-arg]
    get_settings(app).privacy = settings
    with app.test_request_context():
        run(db, settings, now=utcnow() + dt.timedelta(days=365 * 11))
    db.commit()
    db.expire_all()
    assert db.exec(select(CaseChange)).all() == []
    closing = db.exec(select(CaseClosing)).one()
    assert (closing.decision_number, closing.note) == ("OPS.4011.7.2026", "")
    everything = json.dumps([[str(v) for v in row] for t in SQLModel.metadata.sorted_tables
                             for row in db.execute(t.select()).all()], ensure_ascii=False)
    assert OLD_ADDRESS not in everything
