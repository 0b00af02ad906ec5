"""Write and verify the hash-chained audit log.

Events are never edited. Retention may delete the *oldest* events as a whole (`trim`): it then appends a
`retention.trim` checkpoint naming the first kept event and that event's `prev_hash`, so `verify` starts the chain
there instead of at the genesis hash. Removing any further old event (or the checkpoint itself, which is newer than
every trimmed event) still shows as a break.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, delete, func, select

from app.audit.models import AuditEvent, AuditHead
from app.clock import utcnow
from app.db import dialect_insert

GENESIS = "0" * 64
TRIM_ACTION = "retention.trim"


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
        # The very first event: two writers may both find no head; the second one's insert does nothing, waits for
        # the first to commit, and both then append to the same chain (no unique-key error).
        session.exec(
            dialect_insert(session, AuditHead).values(id=1, last_hash=GENESIS, last_id=0).on_conflict_do_nothing()
        )
        head = session.exec(
            select(AuditHead).where(AuditHead.id == 1).with_for_update().execution_options(populate_existing=True)
        ).one()
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
    """Recompute every link; an edited, inserted or deleted event breaks the chain.

    The chain starts at the genesis hash, or, after retention trimmed the oldest events, at the anchor the newest
    `retention.trim` checkpoint recorded (the first kept event's id and its prev_hash).
    """
    problems: list[ChainProblem] = []
    prev = GENESIS
    first: AuditEvent | None = None
    last: AuditEvent | None = None
    anchor: tuple[int, str] | None = None
    for event in events:
        if first is None:
            first = event
            prev = event.prev_hash  # where the chain starts is checked against the anchor below
        if event.prev_hash != prev:
            problems.append(ChainProblem(event.id, "link to the previous event is broken (deleted or reordered)"))
        if _digest(event.prev_hash, event) != event.hash:
            problems.append(ChainProblem(event.id, "content does not match its hash (edited)"))
        if event.action == TRIM_ACTION:
            anchor = _anchor_of(event)
            if anchor is None:
                problems.append(ChainProblem(event.id, "retention checkpoint is unreadable"))
        prev = event.hash
        last = event
    if first is not None:
        if anchor is None and first.prev_hash != GENESIS:
            problems.append(ChainProblem(first.id, "events before this one were removed (no retention checkpoint)"))
        if anchor is not None and (first.id, first.prev_hash) != anchor:
            problems.append(
                ChainProblem(first.id, "the oldest events differ from the last retention checkpoint (removed)")
            )
    if head is not None and last is not None and (head.last_hash != last.hash or head.last_id != last.id):
        problems.append(ChainProblem(last.id, "events after this one were removed (chain head differs)"))
    if head is not None and last is None and head.last_hash != GENESIS:
        problems.append(ChainProblem(None, "all events were removed (chain head differs)"))
    return problems


def _anchor_of(event: AuditEvent) -> tuple[int, str] | None:
    try:
        details = json.loads(event.details)
        return int(details["first_kept_id"]), str(details["first_kept_prev_hash"])
    except (ValueError, KeyError, TypeError):
        return None


def trimmable(session: Session, before: datetime) -> tuple[int | None, list[int]]:
    """(first kept id, ids to delete): the contiguous run of oldest events recorded before `before`.

    When every event is older, the first kept id is None and all ids are listed: a retention run appends its
    own event before trimming, so that event is then the first one kept.
    """
    first_kept = session.exec(select(func.min(AuditEvent.id)).where(col(AuditEvent.at) >= before)).one()
    query = select(AuditEvent.id).order_by(col(AuditEvent.id))
    if first_kept is not None:
        query = query.where(col(AuditEvent.id) < first_kept)
    ids = [int(i) for i in session.exec(query).all() if i is not None]
    return (None if first_kept is None else int(first_kept)), ids


def trim(session: Session, *, before: datetime, actor_id: int | None = None) -> list[int]:
    """Delete the oldest events recorded before `before` (whole events, never edited) and append a checkpoint.

    Returns the deleted ids; runs in the caller's transaction.
    """
    first_kept_id, ids = trimmable(session, before)
    if not ids or first_kept_id is None:
        return []  # nothing old, or nothing newer to anchor the chain at (record the run's own event first)
    first_kept = session.get(AuditEvent, first_kept_id)
    assert first_kept is not None  # noqa: S101 - found by the query above in the same transaction
    session.exec(delete(AuditEvent).where(col(AuditEvent.id) < first_kept_id))
    record(
        session,
        TRIM_ACTION,
        actor_id=actor_id,
        object_type="audit_event",
        object_id=first_kept_id,
        first_kept_id=first_kept_id,
        first_kept_prev_hash=first_kept.prev_hash,
        deleted=len(ids),
        deleted_from=ids[0],
        deleted_to=ids[-1],
    )
    return ids


def verify(session: Session) -> list[ChainProblem]:
    """Verify the whole stored chain."""
    events = session.exec(select(AuditEvent).order_by(AuditEvent.id))  # type: ignore[arg-type]
    head = session.get(AuditHead, 1)
    return verify_chain(events, head)
