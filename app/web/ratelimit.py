"""Per-user request rate limits kept in the database, so they hold across every app process and restart.

Used for expensive uploads (PDF signature verification); login has its own throttle (app/auth/throttle.py).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import Index
from sqlmodel import Field, Session, SQLModel, col, select

from app.clock import utcnow

# Rows older than this are pruned as new ones arrive; no limit uses a longer window.
KEEP = timedelta(hours=1)


class RateEvent(SQLModel, table=True):
    """One counted request of one user in one bucket (e.g. `report.verify`); holds ids only."""

    __tablename__ = "rate_event"
    __table_args__ = (Index("ix_rate_event_bucket_user_at", "bucket", "user_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    bucket: str = Field(max_length=40)
    user_id: int
    at: datetime = Field(default_factory=utcnow)


def retry_after(session: Session, *, bucket: str, user_id: int, limit: int, window: timedelta) -> timedelta:
    """How long the user must wait before the next request in the bucket (zero when allowed)."""
    now = utcnow()
    recent = session.exec(
        select(RateEvent.at)
        .where(RateEvent.bucket == bucket, RateEvent.user_id == user_id, RateEvent.at > now - window)
        .order_by(col(RateEvent.at).desc())
        .limit(limit)
    ).all()
    if len(recent) < limit:
        return timedelta(0)
    # The oldest of the last `limit` requests leaves the window first.
    return max(recent[-1] + window - now, timedelta(seconds=1))


def count(session: Session, *, bucket: str, user_id: int) -> None:
    """Count one request; rows past the longest window are pruned as we go."""
    session.add(RateEvent(bucket=bucket, user_id=user_id))
    cutoff = utcnow() - KEEP
    for old in session.exec(select(RateEvent).where(RateEvent.at < cutoff).limit(200)).all():
        session.delete(old)


def seconds(wait: timedelta) -> int:
    """Whole seconds to show the user, never zero while limited."""
    return max(1, math.ceil(wait.total_seconds()))
