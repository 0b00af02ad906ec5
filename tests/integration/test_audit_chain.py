"""The audit log is hash-chained: edits and deletions are detected."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.audit.services import record, verify


def _three_events(db: Session) -> list[AuditEvent]:
    events = [record(db, "case.view", actor_id=1, office_id=1, object_type="case", object_id=n) for n in (1, 2, 3)]
    db.commit()
    return events


def test_chain_verifies(app, db: Session) -> None:  # type: ignore[no-untyped-def]
    """An untouched chain has no problems."""
    _three_events(db)
    assert verify(db) == []


def test_edited_event_is_detected(app, db: Session) -> None:  # type: ignore[no-untyped-def]
    """Changing any field of a stored event breaks its hash."""
    events = _three_events(db)
    db.execute(text("UPDATE audit_event SET object_id = '99' WHERE id = :id"), {"id": events[1].id})
    db.commit()
    db.expire_all()
    problems = verify(db)
    assert [p.event_id for p in problems] == [events[1].id]


def test_deleted_event_is_detected(app, db: Session) -> None:  # type: ignore[no-untyped-def]
    """Removing an event from the middle or the end is detected."""
    events = _three_events(db)
    db.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": events[1].id})
    db.commit()
    db.expire_all()
    assert verify(db)
    db.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": events[2].id})
    db.commit()
    db.expire_all()
    assert verify(db)


def test_details_never_hold_what_is_not_passed(app, db: Session) -> None:  # type: ignore[no-untyped-def]
    """Details are exactly the ids and codes given."""
    event = record(db, "answer.change", actor_id=2, office_id=1, object_type="interview", object_id=7, question="a_pesel")
    db.commit()
    stored = db.exec(select(AuditEvent).where(AuditEvent.id == event.id)).one()
    assert stored.details == '{"question": "a_pesel"}'
