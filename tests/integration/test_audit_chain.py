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


def _aged(db: Session, events: list[AuditEvent], days: int) -> None:
    """Backdate events (raw SQL; the hash covers `at`, so rehash as if they had been written then)."""
    from datetime import timedelta

    from app.audit.models import AuditHead
    from app.audit.services import _digest

    prev = "0" * 64
    for event in db.exec(select(AuditEvent).order_by(AuditEvent.id)).all():  # type: ignore[arg-type]
        if event.id in {e.id for e in events}:
            event.at = event.at - timedelta(days=days)
        event.prev_hash = prev
        event.hash = _digest(prev, event)
        prev = event.hash
        db.add(event)
    head = db.get(AuditHead, 1)
    assert head is not None
    head.last_hash = prev
    db.add(head)
    db.commit()


def test_trimming_the_oldest_events_keeps_the_chain_valid(app, db: Session) -> None:  # type: ignore[no-untyped-def]
    """Retention deletes the old prefix whole and appends a checkpoint; verify starts from it and passes."""
    from datetime import timedelta

    from app.audit.services import TRIM_ACTION, trim
    from app.clock import utcnow

    old = _three_events(db)
    _aged(db, old[:2], days=400)
    deleted = trim(db, before=utcnow() - timedelta(days=365))
    db.commit()
    assert deleted == [old[0].id, old[1].id]
    remaining = db.exec(select(AuditEvent).order_by(AuditEvent.id)).all()  # type: ignore[arg-type]
    assert [e.id for e in remaining][0] == old[2].id and remaining[-1].action == TRIM_ACTION
    assert verify(db) == []
    record(db, "case.view", actor_id=1, office_id=1, object_type="case", object_id=4)
    db.commit()
    assert verify(db) == []


def test_removing_more_old_events_after_a_trim_is_detected(app, db: Session) -> None:  # type: ignore[no-untyped-def]
    """Deleting the first kept event (or the checkpoint with everything before it) still breaks the chain."""
    from datetime import timedelta

    from app.audit.services import TRIM_ACTION, trim
    from app.clock import utcnow

    old = _three_events(db)
    record(db, "case.view", actor_id=1, office_id=1, object_type="case", object_id=5)
    db.commit()
    _aged(db, old[:1], days=400)
    trim(db, before=utcnow() - timedelta(days=365))
    db.commit()
    db.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": old[1].id})
    db.commit()
    db.expire_all()
    assert [p.event_id for p in verify(db)] == [old[2].id]
    checkpoint = db.exec(select(AuditEvent).where(AuditEvent.action == TRIM_ACTION)).one()
    db.execute(text("DELETE FROM audit_event WHERE id <= :id"), {"id": checkpoint.id})
    db.commit()
    db.expire_all()
    assert verify(db)


def test_a_forged_prefix_deletion_without_checkpoint_is_detected(app, db: Session) -> None:  # type: ignore[no-untyped-def]
    """Deleting the oldest events by hand (no checkpoint) is reported at the first remaining event."""
    events = _three_events(db)
    db.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": events[0].id})
    db.commit()
    db.expire_all()
    assert [p.event_id for p in verify(db)] == [events[1].id]
