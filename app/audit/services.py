"""Write and verify the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlmodel import Session, select

from app.audit.models import AuditEvent, AuditHead
from app.clock import utcnow

GENESIS = "0" * 64


def _digest(prev_hash: str, event: AuditEvent) -> str:
    payload = json.dumps(
        [
            prev_hash,
            event.at.astimezone(UTC).isoformat(timespec="microseconds"),
            event.office_id,
            event.actor_id,
            event.action,
            event.object_type,
            event.object_id,
            event.details,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    session: Session,
    action: str,
    *,
    actor_id: int | None = None,
    office_id: int | None = None,
    object_type: str = "",
    object_id: int | str | None = None,
    **details: Any,
) -> AuditEvent:
    """Append one event to the chain in the caller's transaction; details must be ids or codes."""
    head = session.exec(select(AuditHead).where(AuditHead.id == 1).with_for_update()).first()
    if head is None:
        head = AuditHead(id=1, last_hash=GENESIS, last_id=0)
        session.add(head)
    event = AuditEvent(
        at=utcnow(),
        office_id=office_id,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        details=json.dumps(details, ensure_ascii=False, sort_keys=True, default=str),
        prev_hash=head.last_hash,
        hash="",
    )
    event.hash = _digest(head.last_hash, event)
    session.add(event)
    session.flush()
    head.last_hash = event.hash
    head.last_id = event.id or 0
    session.add(head)
    return event


def record_view(object_type: str, object_id: int | None, *, actor_id: int | None, office_id: int | None,
                **details: Any) -> None:
    """Log that a user opened a record (GET views run in a read transaction, so this is its own short write)."""
    from app.db import standalone_session

    with standalone_session() as session:
        record(session, f"{object_type}.view", actor_id=actor_id, office_id=office_id, object_type=object_type,
               object_id=object_id, **details)


@dataclass(frozen=True)
class ChainProblem:
    """A place where the audit chain does not hold."""

    event_id: int | None
    problem: str


def verify_chain(events: Iterable[AuditEvent], head: AuditHead | None) -> list[ChainProblem]:
    """Recompute every link; an edited, inserted or deleted event breaks the chain."""
    problems: list[ChainProblem] = []
    prev = GENESIS
    last: AuditEvent | None = None
    for event in events:
        if event.prev_hash != prev:
            problems.append(ChainProblem(event.id, "link to the previous event is broken (deleted or reordered)"))
        if _digest(event.prev_hash, event) != event.hash:
            problems.append(ChainProblem(event.id, "content does not match its hash (edited)"))
        prev = event.hash
        last = event
    if head is not None and last is not None and (head.last_hash != last.hash or head.last_id != last.id):
        problems.append(ChainProblem(last.id, "events after this one were removed (chain head differs)"))
    if head is not None and last is None and head.last_hash != GENESIS:
        problems.append(ChainProblem(None, "all events were removed (chain head differs)"))
    return problems


def verify(session: Session) -> list[ChainProblem]:
    """Verify the whole stored chain."""
    events = session.exec(select(AuditEvent).order_by(AuditEvent.id))  # type: ignore[arg-type]
    head = session.get(AuditHead, 1)
    return verify_chain(events, head)
