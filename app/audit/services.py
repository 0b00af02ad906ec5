"""Write and verify the hash-chained audit log: one chain per office, and one for events without an office.

Each chain has its own head row, locked while appending, so the writes of one office never wait for another's.
Events are never edited. Retention may delete the *oldest* events of a chain as a whole (`trim`): it then appends
to that chain a `retention.trim` checkpoint naming the first kept event and that event's `prev_hash` (or, when it
deleted every event of the chain, itself and the hash it follows), so `verify` starts the chain there instead of at
the genesis hash. Removing any further old event (or the checkpoint itself, which is newer than every trimmed
event) still shows as a break.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, col, delete, func, select

from app.audit.models import NO_OFFICE_CHAIN, AuditEvent, AuditHead, chain_of
from app.clock import utcnow
from app.db import dialect_insert

GENESIS = "0" * 64
TRIM_ACTION = "retention.trim"


@dataclass(frozen=True, slots=True)
class Recorded:
    """An event as appended: the row's values (the row is written with one statement, not kept in the session)."""

    id: int
    at: datetime
    office_id: int | None
    actor_id: int | None
    action: str
    object_type: str
    object_id: str
    details: str
    prev_hash: str
    hash: str


def _digest(prev_hash: str, event: AuditEvent | Recorded) -> str:
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
) -> Recorded:
    """Append one event to its office's chain in the caller's transaction; details must be ids or codes."""
    # What the session holds is written first, before the chain's head is locked (PostgreSQL: row locks in the
    # same order as always, the head last).
    session.flush()
    chain = chain_of(office_id)
    prev_hash = _locked_head_hash(session, chain)
    event = Recorded(0, utcnow(), office_id, actor_id, action, object_type, "" if object_id is None else str(object_id),
                     json.dumps(details, ensure_ascii=False, sort_keys=True, default=str), prev_hash, "")
    event = replace(event, hash=_digest(prev_hash, event))
    # Prepared statements on the transaction's connection, no ORM object: an autosave records an event per save,
    # under SQLite's writer turn.
    connection = session.connection()
    event = replace(event, id=int(connection.execute(_INSERT_EVENT, {
        name: getattr(event, name) for name in _WRITTEN}).scalar_one()))
    connection.execute(_MOVE_HEAD, {"b_chain": chain, "b_hash": event.hash, "b_id": event.id})
    loaded = session.identity_map.get(identity_key(AuditHead, chain))
    if loaded is not None:
        set_committed_value(loaded, "last_hash", event.hash)
        set_committed_value(loaded, "last_id", event.id)
    return event


_EVENTS = AuditEvent.__table__  # type: ignore[attr-defined]
_HEADS = AuditHead.__table__  # type: ignore[attr-defined]
_HEAD_HASH = select(_HEADS.c.last_hash).where(_HEADS.c.chain == bindparam("b_chain")).with_for_update()
_INSERT_EVENT = insert(_EVENTS).returning(_EVENTS.c.id)
_WRITTEN = ("at", "office_id", "actor_id", "action", "object_type", "object_id", "details", "prev_hash", "hash")
_MOVE_HEAD = (update(_HEADS).where(_HEADS.c.chain == bindparam("b_chain"))
              .values(last_hash=bindparam("b_hash"), last_id=bindparam("b_id")))


def _locked_head_hash(session: Session, chain: int) -> str:
    """The newest hash of the chain, its head row locked until the transaction ends (created on first use)."""
    last_hash = session.connection().execute(_HEAD_HASH, {"b_chain": chain}).scalar()
    if last_hash is None:
        return lock_chain(session, None if chain == NO_OFFICE_CHAIN else chain).last_hash
    return str(last_hash)


def lock_chain(session: Session, office_id: int | None) -> AuditHead:
    """The head of the office's chain (None: the chain without an office), locked until the transaction ends.

    The very first event of a chain: two writers may both find no head; the second one's insert does nothing,
    waits for the first to commit, and both then append to the same chain (no unique-key error).
    """
    chain = chain_of(office_id)
    query = select(AuditHead).where(AuditHead.chain == chain).with_for_update()
    head = session.exec(query).first()
    if head is None:
        session.exec(
            dialect_insert(session, AuditHead).values(chain=chain, last_hash=GENESIS, last_id=0).on_conflict_do_nothing()
        )
        head = session.exec(query.execution_options(populate_existing=True)).one()
    return head


@dataclass(frozen=True)
class ChainProblem:
    """A place where the audit chain does not hold."""

    event_id: int | None
    problem: str


def verify_chain(events: Iterable[AuditEvent], head: AuditHead | None) -> list[ChainProblem]:
    """Recompute every link of one chain (events in id order); an edited, inserted or deleted event breaks it.

    The chain starts at the genesis hash, or, after retention trimmed the oldest events, at the anchor the newest
    `retention.trim` checkpoint recorded (the first kept event's id and its prev_hash). Without a head, a chain that
    has events is broken too (its head row was removed, which would hide a removed tail).
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
    if head is None and last is not None:
        problems.append(ChainProblem(last.id, "the chain's head is missing (events after this one may be removed)"))
    if head is not None and last is not None and (head.last_hash != last.hash or head.last_id != last.id):
        problems.append(ChainProblem(last.id, "events after this one were removed (chain head differs)"))
    if head is not None and last is None and head.last_hash != GENESIS:
        problems.append(ChainProblem(None, f"all events of chain {head.chain} were removed (chain head differs)"))
    return problems


def _anchor_of(event: AuditEvent) -> tuple[int, str] | None:
    """(first kept id, its prev_hash) of a checkpoint; a checkpoint that kept no older event anchors at itself."""
    try:
        details = json.loads(event.details)
        first_kept = event.id if details["first_kept_id"] is None else int(details["first_kept_id"])
        prev_hash = str(details["first_kept_prev_hash"])
    except (ValueError, KeyError, TypeError):
        return None
    return None if first_kept is None else (first_kept, prev_hash)


def _trim_plan(session: Session, before: datetime) -> dict[int | None, tuple[int | None, list[int]]]:
    """Per office (None: no office), the first kept id and the ids to delete.

    In each chain, the contiguous run of oldest events recorded before `before`; when every event of a chain is
    older, its first kept id is None and all its ids are listed (its checkpoint is then the first event kept).
    """
    first_kept: dict[int | None, int] = {
        office: int(first)
        for office, first in session.exec(
            select(AuditEvent.office_id, func.min(AuditEvent.id))
            .where(col(AuditEvent.at) >= before)
            .group_by(col(AuditEvent.office_id))
        ).all()
        if first is not None
    }
    old: dict[int | None, list[int]] = {}
    query = select(AuditEvent.office_id, AuditEvent.id).where(col(AuditEvent.at) < before).order_by(col(AuditEvent.id))
    for office, event_id in session.exec(query).all():
        if event_id is not None and event_id < first_kept.get(office, event_id + 1):
            old.setdefault(office, []).append(int(event_id))
    return {office: (first_kept.get(office), ids) for office, ids in old.items()}


def trimmable(session: Session, before: datetime) -> tuple[int | None, list[int]]:
    """(oldest first kept id of any chain, ids to delete): the oldest events of every chain recorded before `before`."""
    plan = _trim_plan(session, before)
    kept = [first for first, _ in plan.values() if first is not None]
    return (min(kept) if kept else None), sorted(i for _, ids in plan.values() for i in ids)


def trim(session: Session, *, before: datetime, actor_id: int | None = None) -> list[int]:
    """Delete the oldest events of each chain recorded before `before` (whole events, never edited) and append a
    checkpoint to every chain trimmed.

    Returns the deleted ids; runs in the caller's transaction. Chains are locked in one order (no-office first).
    """
    deleted: list[int] = []
    plan = _trim_plan(session, before)
    for office in sorted(plan, key=chain_of):
        first_kept_id, ids = plan[office]
        head = lock_chain(session, office)
        if first_kept_id is None:
            first_kept_prev_hash = head.last_hash  # every event goes: the checkpoint itself is the first kept
        else:
            first_kept = session.get(AuditEvent, first_kept_id)
            assert first_kept is not None  # noqa: S101 - found by the query above in the same transaction
            first_kept_prev_hash = first_kept.prev_hash
        same_chain = col(AuditEvent.office_id).is_(None) if office is None else col(AuditEvent.office_id) == office
        session.exec(delete(AuditEvent).where(same_chain, col(AuditEvent.id) <= ids[-1]))  # the chain's old prefix
        record(
            session,
            TRIM_ACTION,
            actor_id=actor_id,
            office_id=office,
            object_type="audit_event",
            object_id=first_kept_id,
            first_kept_id=first_kept_id,
            first_kept_prev_hash=first_kept_prev_hash,
            deleted=len(ids),
            deleted_from=ids[0],
            deleted_to=ids[-1],
        )
        deleted += ids
    return sorted(deleted)


def verify(session: Session) -> list[ChainProblem]:
    """Verify every stored chain (each office's, and the one without an office)."""
    heads = {head.chain: head for head in session.exec(select(AuditHead)).all()}
    problems: list[ChainProblem] = []
    events = session.exec(select(AuditEvent).order_by(col(AuditEvent.office_id), col(AuditEvent.id)))
    for office, chain in itertools.groupby(events, key=lambda event: event.office_id):
        problems += verify_chain(chain, heads.pop(chain_of(office), None))
    for head in heads.values():
        problems += verify_chain([], head)
    return problems
