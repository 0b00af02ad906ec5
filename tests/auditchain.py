"""Test helper: move audit events into the past and rewrite their chains as if they had been recorded then."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from sqlmodel import Session, col, select

from app.audit.models import AuditEvent, AuditHead, chain_of
from app.audit.services import GENESIS, _digest


def backdate(db: Session, days: int, ids: Collection[int | None] | None = None) -> None:
    """Shift `at` of the events `ids` (all when None) by `days` into the past and rehash every chain."""
    prev: dict[int, str] = {}
    for event in db.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all():
        if ids is None or event.id in ids:
            event.at = event.at - timedelta(days=days)
        chain = chain_of(event.office_id)
        event.prev_hash = prev.get(chain, GENESIS)
        event.hash = _digest(event.prev_hash, event)
        prev[chain] = event.hash
        db.add(event)
    for chain, last_hash in prev.items():
        head = db.get(AuditHead, chain)
        assert head is not None
        head.last_hash = last_hash
        db.add(head)
    db.commit()
