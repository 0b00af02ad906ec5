"""Storing one answer: validating it, the first insert, the change, its history row, the claim on the interview.

The autosave path (autosave.save_answer) reads the answers as plain values and writes with single statements
(no ORM unit of work): under SQLite's writer turn only the claim, the answer, its history row and the audit event
are sent. write_answer (section saves, members, the start of an interview) keeps ORM rows and shares the pieces.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, col, select

from app.auth.models import User
from app.auth.services import Principal
from app.db import dialect_insert
from app.formdefs import FormDefinition, LocalText, Question, to_storage, validate_answer
from app.interviews.answers import AnswerRow, Raw, StoredAnswer
from app.interviews.interview_state import AnswerState
from app.interviews.models import Answer, AnswerChange, Interview
from app.web.ids import parse_id

# Members of a repeat group without its own max_count (a household is never this large).
MAX_MEMBERS = 100


@dataclass
class Conflict:
    """The answer had been changed elsewhere since this device last saw it."""

    by_name: str
    at: dt.datetime


def normalise(question: Question, raw: Raw) -> tuple[Raw, str]:
    """The raw input as validated, and as stored in `Answer.raw` (JSON for multiple choice)."""
    if question.type == "select_multiple":
        values = [raw] if isinstance(raw, str) else list(raw or [])
        values = [v for v in values if v.strip()]
        return values, json.dumps(values, ensure_ascii=False) if values else ""
    if isinstance(raw, list):
        raw = raw[-1] if raw else ""
    text = raw or ""
    return text, text


@dataclass(frozen=True)
class Typed:
    """One answer as it is to be stored: raw text, validated storage value (JSON) and its validation error."""

    raw: str
    value: str | None
    error: LocalText | None

    @property
    def valid(self) -> bool:
        """Whether the value passed validation (the raw text is stored either way)."""
        return self.error is None

    def same_as(self, row: AnswerRow | None) -> bool:
        """Whether `row` already holds exactly this (then nothing is written)."""
        return row is not None and row.raw == self.raw and row.value == self.value and row.valid == self.valid


def typed_answer(form: FormDefinition, question: Question, key: str, raw: Raw, answers: Mapping[str, Any],
                 state: AnswerState[Any] | None) -> Typed:
    """Validate one answer against the interview's answers (and their evaluation, when the state has it)."""
    checked, raw_text = normalise(question, raw)
    if question.type == "repeat":
        # A member count posted by hand is bounded, so no one can make the screen render millions of members.
        count = min(parse_id(raw_text) or 0, question.max_count or MAX_MEMBERS)
        return Typed(str(count), json.dumps(count), None)
    # The state's evaluation only when the validation reads other answers (else the form is not evaluated).
    evaluation = state.evaluation_for(question) if state is not None else None
    result = validate_answer(form, answers, key, checked, evaluation=evaluation)
    stored = to_storage(question, result.value) if result.ok else None
    return Typed(raw_text, json.dumps(stored, ensure_ascii=False) if stored is not None else None, result.error)


def newer_elsewhere(session: Session, interview_id: int, row: AnswerRow, *, base_revision: int | None,
                    client_id: str) -> Conflict | None:
    """Who changed the answer since the screen saw `base_revision`, unless it was that same screen."""
    if base_revision is None or base_revision >= row.revision:
        return None
    last = session.exec(
        select(AnswerChange)
        .where(AnswerChange.interview_id == interview_id, AnswerChange.key == row.key)
        .order_by(col(AnswerChange.revision).desc())
    ).first()
    if last is not None and client_id and last.client_id == client_id:
        return None
    who = session.get(User, row.updated_by_id)
    return Conflict(who.full_name if who else "?", row.updated_at)


def insert_first(session: Session, actor: Principal, interview_id: int, key: str, typed: Typed,
                 now: dt.datetime) -> int | None:
    """Insert the answer's first value; its id, or None when another request inserted it first.

    INSERT ... ON CONFLICT DO NOTHING instead of "read, then insert": two first saves of one answer at the same
    moment (two devices, a retried request) both succeed instead of one failing on the unique key.
    """
    inserted: int | None = session.exec(
        dialect_insert(session, Answer)
        .values(interview_id=interview_id, key=key, raw=typed.raw, value=typed.value, valid=typed.valid, revision=1,
                updated_at=now, updated_by_id=actor.id)
        .on_conflict_do_nothing(index_elements=["interview_id", "key"])
        .returning(col(Answer.id))
    ).scalar()
    return inserted


def claim(session: Session, interview: Interview, seen: tuple[int, str], now: dt.datetime, section: str, *,
          alone: bool = False) -> bool:
    """Take the interview for this save if its answers and state are still those read (one UPDATE, under the lock).

    `alone`: a save that stands alone (interview_state.stands_alone) needs only the state to be the one read,
    whatever other answers were saved meanwhile; its own answer is checked when it is written (`write_claimed`).
    The UPDATE is also the interview's row lock on PostgreSQL (taken before the answer's, as everywhere).
    """
    version, state = seen
    params = {"b_id": interview.id, "b_state": state, "b_now": now, "b_section": section}
    statement = _CLAIM_ALONE if alone else _CLAIM
    found = session.connection().execute(statement, params if alone else params | {"b_version": version}).first()
    if found is None:
        return False
    for name, value in (("updated_at", now), ("current_section", section), ("answers_version", found[0])):
        set_committed_value(interview, name, value)
    return True


def write_claimed(session: Session, actor: Principal, interview_id: int, key: str, typed: Typed,
                  row: StoredAnswer | None, now: dt.datetime, client_id: str) -> tuple[StoredAnswer, int] | None:
    """Store the answer of a claimed interview and its history row, if the answer is still `row` (as read).

    After `claim` nothing changed the answers since they were read; after `claim(alone=True)` another save may have
    changed this very answer: then nothing is written and None comes back (the caller locks and reads again).
    Plain statements, no ORM objects; an `Answer` of this row loaded elsewhere in the session is expired, so it is
    read again if used. Returns the stored row and the history row's id.
    """
    connection = session.connection()
    if row is None:
        inserted = insert_first(session, actor, interview_id, key, typed, now)
        if inserted is None:  # not after a claim: every writer of the answers claims the interview first
            raise RuntimeError("answer inserted by a writer that did not claim the interview")
        stored = StoredAnswer(inserted, interview_id, key, typed.value, typed.raw, typed.valid, 1, now, actor.id)
    else:
        stored = StoredAnswer(row.id, interview_id, key, typed.value, typed.raw, typed.valid, row.revision + 1, now,
                              actor.id)
        changed = connection.execute(_CHANGE_ANSWER, {
            "b_id": row.id, "b_raw": stored.raw, "b_value": stored.value, "b_valid": stored.valid,
            "b_read": row.revision, "b_revision": stored.revision, "b_now": now, "b_by": actor.id,
        })
        if changed.rowcount != 1:
            return None
        loaded = session.identity_map.get(identity_key(Answer, row.id))
        if loaded is not None:
            session.expire(loaded)
    change_id = connection.execute(_INSERT_CHANGE, {
        "interview_id": interview_id, "key": key, "raw": stored.raw, "value": stored.value,
        "revision": stored.revision, "changed_at": now, "changed_by_id": actor.id, "client_id": client_id[:64],
    }).scalar_one()
    return stored, int(change_id)


# Prepared once: the autosave's statements under the writer turn are built and checked at import, not per save.
_INTERVIEWS = Interview.__table__  # type: ignore[attr-defined]
_ANSWERS = Answer.__table__  # type: ignore[attr-defined]
_CHANGES = AnswerChange.__table__  # type: ignore[attr-defined]
_CLAIM_ALONE = (
    update(_INTERVIEWS)
    .where(_INTERVIEWS.c.id == bindparam("b_id"), _INTERVIEWS.c.state == bindparam("b_state"))
    .values(updated_at=bindparam("b_now"), current_section=bindparam("b_section"),
            answers_version=_INTERVIEWS.c.answers_version + 1)
    .returning(_INTERVIEWS.c.answers_version)
)
_CLAIM = _CLAIM_ALONE.where(_INTERVIEWS.c.answers_version == bindparam("b_version"))
_CHANGE_ANSWER = (
    update(_ANSWERS).where(_ANSWERS.c.id == bindparam("b_id"), _ANSWERS.c.revision == bindparam("b_read"))
    .values(raw=bindparam("b_raw"), value=bindparam("b_value"), valid=bindparam("b_valid"),
            revision=bindparam("b_revision"), updated_at=bindparam("b_now"), updated_by_id=bindparam("b_by"))
)
_INSERT_CHANGE = insert(_CHANGES).returning(_CHANGES.c.id)
