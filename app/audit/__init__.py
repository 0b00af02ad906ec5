"""Append-only, hash-chained audit events: who did what to which record, never the content.

The one way features write the trail: `audit.log(session, "case.edit", actor=principal, obj=case, fields=[...])`
in the caller's transaction, or `audit.view(actor=me(), obj=interview)` when a record is opened (its own short
write, since GET views read only). From the actor and the object it derives what every event repeats:

- the actor's id (`actor` is the acting principal or user, or only its id when that is all a caller has; None for
  the system, e.g. a command run from cron);
- the object's type and id: the row's table (`case` and `user` for the tables `case_file` and `user_account`, the
  names the trail used first) and its primary key;
- the office whose chain the event joins: the object's office (an office is its own), else the actor's.

Anything given explicitly (`object_type=`, `object_id=`, `office_id=`) wins over what would be derived: records
that are not rows (an office's setting by key, a day's list) name themselves. Details must be ids or codes.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Protocol

from sqlmodel import SQLModel

from app.audit.services import Recorded, record

__all__ = ["Actor", "log", "object_type_of", "view"]

# The trail's names for these tables predate the table names; every other table is named as it is.
_TYPE_NAMES = {"case_file": "case", "user_account": "user"}


class Actor(Protocol):
    """Who acts: a logged-in principal or a user row (only its id and office are read)."""

    @property
    def id(self) -> int | None: ...

    @property
    def office_id(self) -> int | None: ...


class _Derived(Enum):
    """Marks an argument left to be derived from the actor and the object."""

    VALUE = "derived"


DERIVED = _Derived.VALUE


def object_type_of(obj: SQLModel) -> str:
    """The audit name of a row's type (its table, or the trail's older name for it)."""
    table = str(getattr(type(obj), "__tablename__", type(obj).__name__.lower()))
    return _TYPE_NAMES.get(table, table)


def _office_of(obj: SQLModel | None, actor: Actor | int | None) -> int | None:
    if obj is not None and hasattr(obj, "office_id"):
        office: int | None = getattr(obj, "office_id")  # noqa: B009 - any row with an office
        return office
    if obj is not None and object_type_of(obj) == "office":
        own: int | None = getattr(obj, "id", None)
        return own
    if actor is not None and not isinstance(actor, int):
        return actor.office_id
    return None


def log(
    session: Any,
    action: str,
    *,
    actor: Actor | int | None = None,
    obj: SQLModel | None = None,
    object_type: str | None = None,
    object_id: int | str | None | _Derived = DERIVED,
    office_id: int | None | _Derived = DERIVED,
    **details: Any,
) -> Recorded:
    """Append one event (`action` by `actor` on `obj`) to its office's chain in the caller's transaction."""
    return record(
        session,
        action,
        actor_id=actor if actor is None or isinstance(actor, int) else actor.id,
        office_id=_office_of(obj, actor) if office_id is DERIVED else office_id,
        object_type=object_type if object_type is not None else ("" if obj is None else object_type_of(obj)),
        object_id=(None if obj is None else getattr(obj, "id", None)) if object_id is DERIVED else object_id,
        **details,
    )


def view(
    *,
    actor: Actor | int | None,
    obj: SQLModel | None = None,
    object_type: str | None = None,
    object_id: int | str | None | _Derived = DERIVED,
    office_id: int | None | _Derived = DERIVED,
    **details: Any,
) -> None:
    """Log that `actor` opened `obj` (action `<type>.view`) in a short transaction of its own."""
    from app.db import standalone_session

    kind = object_type if object_type is not None else ("" if obj is None else object_type_of(obj))
    with standalone_session() as session:
        log(session, f"{kind}.view", actor=actor, obj=obj, object_type=kind, object_id=object_id, office_id=office_id,
            **details)
