"""Calls taken on the duty phone: found by the caller's number, recorded as a contact on a case.

A call from someone without a case becomes a new application (channel "telefon dyżurny") through the ordinary
registration form, pre-filled from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from app import audit
from app.auth.services import Principal
from app.cases.contact.calls import CallForm, log_call
from app.cases.models import CallOutcome, Case, Channel
from app.cases.registration import Duplicate, find_duplicates
from app.clock import to_local
from app.errors import InvalidInput
from app.fields import collect, require_phone
from app.staffing.duty import todays_slot
from app.staffing.models import DutyCall, DutySlot
from app.web.forms import PostedForm
from app.web.ids import parse_id

NOTE_MAX = 2000


@dataclass
class DutyCallForm(PostedForm):
    """A call taken on duty as typed: the caller's number, what it was about, and the case chosen."""

    number: str = ""
    note: str = ""
    case_id: str = ""


def _checked(form: DutyCallForm) -> tuple[str, str]:
    errors: dict[str, str] = {}
    number = collect(errors, "number", require_phone, form.number,
                     missing=str(_l("Podaj numer, z którego dzwoniono (jest na ekranie telefonu dyżurnego).")))
    note = form.note.strip()
    if len(note) > NOTE_MAX:
        errors["note"] = str(_l("Notatka może mieć najwyżej %(n)d znaków.", n=NOTE_MAX))
    if errors or number is None:
        raise InvalidInput(errors)
    return number, note


def _slot_of(session: Session, actor: Principal, now: datetime) -> DutySlot:
    slot = todays_slot(session, actor.id, actor.office_id, now)
    if slot is None:
        raise InvalidInput({"": str(_l("Nie masz dziś dyżuru telefonicznego: telefony z dyżuru zapisuje osoba dyżurna."))})
    return slot


def find_caller(session: Session, *, actor: Principal, form: DutyCallForm, now: datetime) -> tuple[str, list[Duplicate]]:
    """The caller's number (E.164) and the office's cases with that number (nothing is stored)."""
    _slot_of(session, actor, now)
    number, _ = _checked(form)
    return number, find_duplicates(session, actor=actor, pesel=None, phones=[number])


def record_duty_contact(
    session: Session, *, actor: Principal, form: DutyCallForm, threshold: int, now: datetime
) -> DutyCall:
    """Record the call as an answered call on the chosen case (the caller's number must be one of the case's)."""
    slot = _slot_of(session, actor, now)
    number, note = _checked(form)
    case_id = parse_id(form.case_id)
    case = session.get(Case, case_id) if case_id is not None else None
    if case is None or case.office_id != actor.office_id:
        raise InvalidInput({"case_id": str(_l("Wybierz sprawę z listy znalezionych."))})
    attempt = log_call(session, actor=actor, case=case, threshold=threshold, now=now,
                       form=CallForm(number=number, outcome=CallOutcome.ANSWERED.value, note=note))
    call = DutyCall(office_id=actor.office_id, slot_id=slot.id, worker_id=actor.id, case_id=case.id or 0,
                    call_attempt_id=attempt.id or 0, at=now)
    session.add(call)
    session.flush()
    audit.log(session, "duty.call", actor=actor, obj=call, case_id=case.id, call_attempt_id=attempt.id)
    return call


@dataclass(frozen=True)
class TakenCall:
    """A call taken on duty, for the duty page: the case reference and when."""

    at: datetime
    case_id: int
    reference: str
    new_application: bool


def calls_taken(session: Session, *, actor: Principal, since: datetime) -> list[TakenCall]:
    """The actor's duty calls since `since`: contacts recorded and applications registered as "telefon dyżurny"."""
    contacts = session.exec(
        select(DutyCall.at, Case.id, Case.reference)
        .join(Case, col(Case.id) == col(DutyCall.case_id))
        .where(DutyCall.worker_id == actor.id, col(DutyCall.at) >= since)
    ).all()
    registered = session.exec(
        select(Case.created_at, Case.id, Case.reference).where(
            Case.created_by_id == actor.id, Case.channel == Channel.DUTY_PHONE, col(Case.created_at) >= since
        )
    ).all()
    taken = [TakenCall(at, cid or 0, ref, False) for at, cid, ref in contacts]
    taken += [TakenCall(at, cid or 0, ref, True) for at, cid, ref in registered]
    return sorted(taken, key=lambda t: to_local(t.at), reverse=True)
