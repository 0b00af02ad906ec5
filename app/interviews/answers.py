"""The read interface of interviews for other features: an interview's form and its stored answers.

Every answer goes through `formdefs.validate_answer` (the single source of truth): `raw` keeps exactly what was
typed, `value` holds the validated storage form only when valid."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from flask import has_app_context
from sqlalchemy import bindparam
from sqlalchemy.orm import object_session
from sqlmodel import Session, select

from app.db import reading_session
from app.formdefs import (
    FormDefinition,
    Question,
)
from app.formdefs.extension import form_registry
from app.formstore import catalog
from app.interviews.models import Answer, Interview

Raw = str | list[str] | None


def form_of(interview: Interview) -> FormDefinition:
    """The form version the interview pinned when it started (a built-in file, or a version in the database)."""
    registry = form_registry()
    if not interview.form_hash and registry.has(interview.form_id, interview.form_version):
        return registry.get(interview.form_id, interview.form_version)
    session = object_session(interview)
    if session is None and has_app_context():
        with reading_session() as reader:
            return catalog.pinned(reader, registry, interview.form_id, interview.form_version, interview.form_hash)
    return catalog.pinned(session, registry, interview.form_id, interview.form_version,  # type: ignore[arg-type]
                          interview.form_hash)


# --------------------------------------------------------------------------- reading answers


class AnswerRow(Protocol):
    """What is read from a stored answer: an `Answer` row, or a `StoredAnswer` read without the ORM."""

    @property
    def id(self) -> int | None: ...
    @property
    def key(self) -> str: ...
    @property
    def value(self) -> str | None: ...
    @property
    def raw(self) -> str: ...
    @property
    def valid(self) -> bool: ...
    @property
    def revision(self) -> int: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def updated_by_id(self) -> int: ...


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """One answer row as read (a plain value: an autosave reads them all and writes one, without the ORM)."""

    id: int
    interview_id: int
    key: str
    value: str | None
    raw: str
    valid: bool
    revision: int
    updated_at: datetime
    updated_by_id: int


def stored_answers(session: Session, interview_id: int) -> dict[str, StoredAnswer]:
    """Every stored answer of an interview by key, as plain values (no ORM objects: several times cheaper)."""
    session.flush()  # answers changed through the ORM in this transaction are read as they are now
    rows = session.connection().execute(_STORED, {"b_interview": interview_id}).all()
    return {row.key: StoredAnswer(*row) for row in rows}


_ANSWERS = Answer.__table__  # type: ignore[attr-defined]
_STORED = select(
    *(_ANSWERS.c[name] for name in StoredAnswer.__dataclass_fields__)
).where(_ANSWERS.c.interview_id == bindparam("b_interview"))


def answer_rows(session: Session, interview_id: int) -> dict[str, Answer]:
    """Every stored answer row of an interview by key (invalid and blank ones included)."""
    rows = session.exec(select(Answer).where(Answer.interview_id == interview_id)).all()
    return {row.key: row for row in rows}


def decoded(rows: Mapping[str, AnswerRow]) -> dict[str, Any]:
    """Storage values of the valid, non-blank answers among `rows`."""
    return {key: json.loads(row.value) for key, row in rows.items() if row.valid and row.value is not None}


def load_answers(session: Session, interview_id: int) -> dict[str, Any]:
    """Decoded storage values of an interview's valid answers (what the formdefs functions take)."""
    return decoded(answer_rows(session, interview_id))


def raw_of(question: Question, row: AnswerRow | None) -> Raw:
    """The raw input of a stored row, as the form field shows it (a list for multiple choice)."""
    if row is None:
        return None
    if question.type == "select_multiple":
        try:
            values = json.loads(row.raw) if row.raw else []
        except ValueError:
            values = row.raw.split()
        return [str(v) for v in values] if isinstance(values, list) else [str(values)]
    return row.raw
