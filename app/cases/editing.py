"""Editing a case after registration: contact data, address, urgency, permanent help, the assigned worker.

Every changed field leaves a CaseChange row (old → new, who, when) shown on the case page, and one audit event
naming the fields (never their values). Corrections made in segment A of an interview come here too
(app/interviews/carry.py), so the case and its history stay the one source.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, col, select

from app import audit
from app.auth.models import User
from app.auth.services import Principal
from app.cases import deadlines, office_settings
from app.cases.access import sees_whole_office
from app.cases.assignment import assign_case, office_workers
from app.cases.models import Case, search_name_of
from app.cases.record_models import CaseChange
from app.clock import utcnow
from app.errors import InvalidInput
from app.fields import collect, parse_address, parse_email, parse_name, parse_pesel
from app.web.forms import PostedForm

# Fields of the case a worker may edit, in the order the form shows them.
TEXT_FIELDS = ("applicant_name", "pesel", "email", "address")
FLAG_FIELDS = ("urgent", "permanent_help")
FIELD_LABELS = {
    "applicant_name": _l("Imię i nazwisko"),
    "pesel": _l("PESEL"),
    "email": _l("E-mail"),
    "address": _l("Adres"),
    "urgent": _l("Sprawa pilna"),
    "permanent_help": _l("Pomoc stała"),
    "assigned_worker_id": _l("Pracownik"),
    "state": _l("Stan sprawy"),
    "phone": _l("Telefon"),
}


class NothingChanged(InvalidInput):
    """The form was sent without any change."""


@dataclass
class EditForm(PostedForm):
    """What was typed into the edit form, verbatim, so a refused value is shown again as typed."""

    applicant_name: str = ""
    pesel: str = ""
    email: str = ""
    address: str = ""
    urgent: bool = False
    permanent_help: bool = False
    worker_id: str = ""

    @classmethod
    def from_case(cls, case: Case) -> EditForm:
        """The form as it opens: the case's current data."""
        return cls(
            applicant_name=case.applicant_name,
            pesel=case.pesel or "",
            email=case.email,
            address=case.address,
            urgent=case.urgent,
            permanent_help=case.permanent_help,
            worker_id=str(case.assigned_worker_id or ""),
        )


def _stored(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value)


_CASES = Case.__table__  # type: ignore[attr-defined]
_CHANGES = CaseChange.__table__  # type: ignore[attr-defined]
# Text fields a correction may set without loading the case (applicant_name also keeps search_name, as the ORM
# listener in app/cases/models.py does).
CORRECTABLE = frozenset({"applicant_name", "pesel", "email", "address"})


def _correction(field: str) -> Any:
    values: dict[str, Any] = {field: bindparam("b_new")}
    if field == "applicant_name":
        values["search_name"] = bindparam("b_search")
    return (update(_CASES)
            .where(_CASES.c.id == bindparam("b_id"), _CASES.c[field].is_not_distinct_from(bindparam("b_old")))
            .values(values))


# Built once (a statement built per call costs ~0.1 ms of Python, and these run under SQLite's writer turn).
_CORRECTIONS = {field: _correction(field) for field in CORRECTABLE}
_NOTE_CHANGE = insert(_CHANGES)


def correct_if_unchanged(
    session: Session, *, actor: Principal, case_id: int, field: str, old: str | None, new: str, source: str,
    interview_id: int | None = None,
) -> bool:
    """Set one text field of a case if it still holds `old` (as read before), with its history row; False (nothing
    written) when it holds something else by now.

    Two statements and no ORM object, for a correction made while typing (segment A's autosave, under SQLite's
    writer turn); a case already loaded in the session gets the new value too.
    """
    if field not in CORRECTABLE:
        raise ValueError(field)
    values: dict[str, Any] = {field: new}
    params: dict[str, Any] = {"b_id": case_id, "b_old": old, "b_new": new}
    if field == "applicant_name":
        values["search_name"] = params["b_search"] = search_name_of(new)
    connection = session.connection()
    moved = connection.execute(_CORRECTIONS[field], params).rowcount
    if moved != 1:
        return False
    if _stored(old) != _stored(new):
        connection.execute(_NOTE_CHANGE, {
            "case_id": case_id, "field": field, "old": _stored(old), "new": _stored(new), "source": source,
            "interview_id": interview_id, "changed_at": utcnow(), "changed_by_id": actor.id})
    loaded = session.identity_map.get(identity_key(Case, case_id))
    if loaded is not None:
        for name, value in values.items():
            set_committed_value(loaded, name, value)
    return True


def note_change(
    session: Session,
    *,
    actor: Principal,
    case: Case,
    field: str,
    old: object,
    new: object,
    source: str = "edit",
    interview_id: int | None = None,
) -> CaseChange | None:
    """Keep one change of a case field in its history; nothing when the value did not change."""
    before, after = _stored(old), _stored(new)
    if before == after:
        return None
    change = CaseChange(
        case_id=case.id or 0,
        field=field,
        old=before,
        new=after,
        source=source,
        interview_id=interview_id,
        changed_by_id=actor.id,
    )
    session.add(change)
    return change


def _clean(form: EditForm) -> dict[str, Any]:
    """Validated new values of the text and flag fields, or InvalidInput naming every bad field."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    parsers = (("applicant_name", parse_name), ("pesel", parse_pesel), ("email", parse_email), ("address", parse_address))
    for key, parse in parsers:
        values[key] = collect(errors, key, parse, getattr(form, key))
    values["urgent"] = form.urgent
    values["permanent_help"] = form.permanent_help
    if errors:
        raise InvalidInput(errors)
    return values


def _worker_choice(session: Session, actor: Principal, case: Case, raw: str) -> tuple[bool, int | None]:
    """(whether the assignment changes, the new worker id); only staff who see the whole office reassign."""
    if not sees_whole_office(actor):
        return False, case.assigned_worker_id
    if raw == "":
        return case.assigned_worker_id is not None, None
    if not raw.isdigit() or int(raw) not in {u.id for u in office_workers(session, actor.office_id)}:
        raise InvalidInput({"worker_id": str(_l("Wybierz pracownika socjalnego z tego ośrodka."))})
    return int(raw) != case.assigned_worker_id, int(raw)


def edit_case(session: Session, *, actor: Principal, case: Case, form: EditForm) -> list[CaseChange]:
    """Apply the edit form: everything checked first, then every changed field stored with its history row."""
    if case.office_id != actor.office_id:
        raise InvalidInput({"": str(_l("Tej sprawy nie można edytować."))})
    values = _clean(form)
    reassign, worker_id = _worker_choice(session, actor, case, form.worker_id)
    changes = []
    for key, new in values.items():
        change = note_change(session, actor=actor, case=case, field=key, old=getattr(case, key), new=new)
        if change is not None:
            changes.append(change)
            setattr(case, key, new)
    if "urgent" in {c.field for c in changes}:
        days, urgent_days = office_settings.interview_deadlines(session, case.office_id)
        case.due_on = deadlines.interview_due(case.received_on, urgent=case.urgent, days=days, urgent_days=urgent_days)
    if reassign:
        previous = case.assigned_worker_id
        assign_case(session, actor=actor, case=case, worker_id=worker_id)
        change = note_change(session, actor=actor, case=case, field="assigned_worker_id", old=previous, new=worker_id)
        if change is not None:
            changes.append(change)
    if not changes:
        raise NothingChanged({"": str(_l("Nic nie zmieniono."))})
    session.add(case)
    session.flush()
    audit.log(session, "case.edit", actor=actor, obj=case, fields=sorted({c.field for c in changes}))
    return changes


def history(session: Session, case_id: int) -> list[CaseChange]:
    """Changes of the case's data, newest first."""
    return list(
        session.exec(
            select(CaseChange).where(CaseChange.case_id == case_id).order_by(col(CaseChange.changed_at).desc(),
                                                                              col(CaseChange.id).desc())
        ).all()
    )


def field_label(field: str) -> str:
    """The changed field's name in the current language."""
    label = FIELD_LABELS.get(field)
    return str(label) if label is not None else field


def shown_value(change_field: str, value: str, people: Mapping[int, User]) -> str:
    """A stored history value as people read it (yes/no, a worker's name, "not given")."""
    if change_field in FLAG_FIELDS:
        return str(_l("tak")) if value == "1" else str(_l("nie"))
    if change_field == "assigned_worker_id":
        if not value:
            return str(_l("nieprzydzielona"))
        person = people.get(int(value)) if value.isdigit() else None
        return person.full_name if person else value
    if change_field == "state":
        from app.cases.labels import state_label

        return state_label(value) if value else "—"
    return value or str(_l("nie podano"))


def people_in(session: Session, changes: Iterable[CaseChange]) -> dict[int, User]:
    """Users named in the history: who changed, and workers assigned or unassigned."""
    ids: set[int] = set()
    for change in changes:
        ids.add(change.changed_by_id)
        if change.field == "assigned_worker_id":
            ids.update(int(v) for v in (change.old, change.new) if v.isdigit())
    if not ids:
        return {}
    return {u.id: u for u in session.exec(select(User).where(col(User.id).in_(ids))).all() if u.id is not None}
