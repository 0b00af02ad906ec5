"""Trying again after a call nobody answered (issue 15, point 4).

"Nie odbiera", "zajęte" or voicemail is one call, already recorded. Planning the next try books a call-back attached
to that failed call — it is not a second call: nothing is added to the call record, and the count of failed calls
that leads to a letter or an e-mail goes on counting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from app import audit
from app.auth.services import Principal
from app.cases.callbacks import RETRYABLE, callback_moment
from app.cases.models import CallAttempt, Callback, Case
from app.clock import LOCAL_TZ, utcnow
from app.errors import InvalidInput

NOTE_MAX = 300  # a call-back's note column


@dataclass
class RetryForm:
    """What the worker tapped or typed, kept verbatim for re-display."""

    preset: str = ""
    at: str = ""
    note: str = ""

    @classmethod
    def from_mapping(cls, data: Any) -> RetryForm:
        """Build from posted form data (missing fields are empty)."""
        return cls(str(data.get("retry_preset", "")), str(data.get("retry_at", "")), str(data.get("note", "")))


def last_failed_call(session: Session, case: Case) -> CallAttempt | None:
    """The case's latest call, when it is one worth trying again (no answer, busy, voicemail)."""
    last = session.exec(
        select(CallAttempt).where(CallAttempt.case_id == case.id).order_by(col(CallAttempt.at).desc(),
                                                                          col(CallAttempt.id).desc())
    ).first()
    return last if last is not None and last.outcome in RETRYABLE else None


def book_retry(
    session: Session, *, actor: Principal, case: Case, form: RetryForm, now: datetime | None = None,
    tz: tzinfo = LOCAL_TZ,
) -> Callback:
    """Book the next try of the latest failed call on the actor's list; an earlier plan for that call is moved."""
    now = now or utcnow()
    failed = last_failed_call(session, case)
    if failed is None:
        raise InvalidInput({"": str(_l("Ostatni telefon nie był nieudany: zapisz najpierw wynik rozmowy."))})
    note = form.note.strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput({"note": str(_l("Notatka może mieć najwyżej %(n)d znaków.", n=NOTE_MAX))})
    moment = callback_moment(form.preset, form.at, now, tz)
    form.at, due = moment.shown, moment.at
    if due is None:
        raise InvalidInput({"retry_at": moment.error})
    planned = session.exec(
        select(Callback).where(Callback.attempt_id == failed.id, col(Callback.done_at).is_(None))
    ).first()
    callback = planned or Callback(case_id=case.id or 0, worker_id=actor.id, due_at=due, attempt_id=failed.id)
    callback.worker_id, callback.due_at = actor.id, due
    if note:
        callback.note = note
    session.add(callback)
    session.flush()
    audit.log(session, "callback.retry", actor=actor, obj=case, attempt_id=failed.id, callback_id=callback.id,
              moved=planned is not None)
    return callback
