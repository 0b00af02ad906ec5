"""The audit log is hash-chained: edits and deletions are detected."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.audit.services import record, verify
from tests.auditchain import backdate


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
    """Backdate events (the hash covers `at`, so their chains are rehashed as if they had been written then)."""
    backdate(db, days, {e.id for e in events})


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


def _per_office(db: Session) -> dict[int | None, list[AuditEvent]]:
    """Two events in each of two offices' chains and in the chain without an office, interleaved."""
    events: dict[int | None, list[AuditEvent]] = {1: [], 2: [], None: []}
    for n in range(2):
        for office in (1, None, 2):
            events[office].append(
                record(db, "case.view", actor_id=1, office_id=office, object_type="case", object_id=n)
            )
    db.commit()
    return events


def test_each_office_has_its_own_chain(app, db: Session) -> None:  # type: ignore[no-untyped-def]
    """Events link to the previous event of their own office; one head per chain; all verify."""
    from app.audit.models import AuditHead

    events = _per_office(db)
    for chain in events.values():
        assert chain[0].prev_hash == "0" * 64 and chain[1].prev_hash == chain[0].hash
    heads = {head.chain: head.last_id for head in db.exec(select(AuditHead)).all()}
    assert heads == {1: events[1][1].id, 2: events[2][1].id, 0: events[None][1].id}
    assert verify(db) == []


def test_tampering_in_one_office_names_that_event_only(app, db: Session) -> None:  # type: ignore[no-untyped-def]
    """An edited event is reported in its own chain; the other chains still verify."""
    events = _per_office(db)
    db.execute(text("UPDATE audit_event SET action = 'x' WHERE id = :id"), {"id": events[2][0].id})
    db.commit()
    db.expire_all()
    assert [p.event_id for p in verify(db)] == [events[2][0].id]


def test_moving_an_event_to_another_office_is_detected(app, db: Session) -> None:  # type: ignore[no-untyped-def]
    """The office is covered by the hash and chooses the chain: moving an event breaks both chains."""
    events = _per_office(db)
    db.execute(text("UPDATE audit_event SET office_id = 1 WHERE id = :id"), {"id": events[2][1].id})
    db.commit()
    db.expire_all()
    problems = verify(db)
    assert events[2][1].id in {p.event_id for p in problems}
    assert any("removed" in p.problem for p in problems)  # office 2's head no longer matches its last event


def test_reordering_events_of_a_chain_is_detected(app, db: Session) -> None:  # type: ignore[no-untyped-def]
    """Swapping two events' places (their ids) breaks the links."""
    events = _per_office(db)
    first, second = events[1]
    db.execute(text("UPDATE audit_event SET id = -1 WHERE id = :id"), {"id": first.id})
    db.execute(text("UPDATE audit_event SET id = :a WHERE id = :b"), {"a": first.id, "b": second.id})
    db.execute(text("UPDATE audit_event SET id = :b WHERE id = -1"), {"b": second.id})
    db.commit()
    db.expire_all()
    assert any("broken" in p.problem for p in verify(db))


def test_truncating_the_tail_of_one_chain_is_detected(app, db: Session) -> None:  # type: ignore[no-untyped-def]
    """The newest event of an office removed: its chain head no longer matches; removing the head too is seen."""
    events = _per_office(db)
    db.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": events[1][1].id})
    db.commit()
    db.expire_all()
    assert [(p.event_id, "head differs" in p.problem) for p in verify(db)] == [(events[1][0].id, True)]
    db.execute(text("DELETE FROM audit_head WHERE chain = 1"))
    db.commit()
    db.expire_all()
    assert [(p.event_id, "head is missing" in p.problem) for p in verify(db)] == [(events[1][0].id, True)]
    db.execute(text("DELETE FROM audit_event WHERE office_id = 2"))
    db.commit()
    db.expire_all()
    assert any(p.event_id is None and "all events of chain 2" in p.problem for p in verify(db))


def test_trimming_every_chain_including_one_that_is_all_old(app, db: Session) -> None:  # type: ignore[no-untyped-def]
    """Each chain loses its own old prefix and gets its own checkpoint; a chain whose events were all old is
    anchored at its checkpoint; removing that checkpoint afterwards is detected."""
    from datetime import timedelta

    from app.audit.services import TRIM_ACTION, trim
    from app.clock import utcnow

    events = _per_office(db)
    backdate(db, 400, {events[1][0].id, events[1][1].id, events[None][0].id})
    deleted = trim(db, before=utcnow() - timedelta(days=365))
    db.commit()
    assert deleted == sorted([events[1][0].id, events[1][1].id, events[None][0].id])  # type: ignore[type-var]
    checkpoints = db.exec(select(AuditEvent).where(AuditEvent.action == TRIM_ACTION)).all()
    assert sorted((c.office_id or 0) for c in checkpoints) == [0, 1]
    assert verify(db) == []
    record(db, "case.view", actor_id=1, office_id=1, object_type="case", object_id=9)
    db.commit()
    assert verify(db) == []
    office_checkpoint = next(c for c in checkpoints if c.office_id == 1)
    db.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": office_checkpoint.id})
    db.commit()
    db.expire_all()
    assert verify(db)


def test_offices_append_without_waiting_for_each_other(app) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL: while one office's transaction holds its chain head, another office appends at once, and a
    second writer of the same office waits (its chain cannot fork). SQLite serialises all writers anyway."""
    import pytest
    from sqlalchemy.exc import OperationalError

    from app.db import ENGINE_KEY

    engine = app.extensions[ENGINE_KEY]
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks per chain are a PostgreSQL matter; SQLite has one writer at a time")
    with Session(engine) as first, Session(engine) as second:
        record(first, "case.view", office_id=1)  # holds office 1's head until it commits
        second.execute(text("SET LOCAL lock_timeout = '2s'"))
        record(second, "case.view", office_id=2)
        record(second, "case.view", office_id=None)
        second.commit()
        second.execute(text("SET LOCAL lock_timeout = '300ms'"))
        with pytest.raises(OperationalError):
            record(second, "case.view", office_id=1)
        second.rollback()
        first.commit()
    with Session(engine) as check:
        assert verify(check) == []
