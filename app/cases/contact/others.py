"""Contact by another route than the phone (letter, e-mail, visit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from app import audit
from app.auth.services import Principal
from app.cases.models import (
    OPEN_STATES,
    Case,
    CaseState,
    ContactRoute,
    OtherContact,
)
from app.clock import local_today
from app.errors import InvalidInput, NotFound
from app.fields import (
    NOTE_MAX,
    FieldError,
    parse_past_date,
)
from app.web.forms import PostedForm

# --- letters and e-mails -------------------------------------------------------------------------------------


@dataclass
class OtherContactForm(PostedForm):
    """A letter or e-mail being recorded, kept verbatim for re-display."""

    route: str = ""
    sent_on: str = ""
    note: str = ""


def may_record_other_contact(case: Case) -> bool:
    """A letter or e-mail can be recorded while the case still waits for its interview."""
    return case.state in OPEN_STATES and case.state != CaseState.INTERVIEW


def record_other_contact(
    session: Session, *, actor: Principal, case: Case, form: OtherContactForm, today: date | None = None
) -> OtherContact:
    """Record a letter or e-mail sent: the case waits for the reply (other route) and no longer needs one."""
    today = today or local_today()
    if case.office_id != actor.office_id:
        raise NotFound()
    errors: dict[str, str] = {}
    if not may_record_other_contact(case):
        errors[""] = str(_l("Ta sprawa nie czeka już na kontakt: listu ani e-maila nie trzeba zapisywać."))
    route: ContactRoute | None = None
    if form.route in {r.value for r in ContactRoute}:
        route = ContactRoute(form.route)
    else:
        errors["route"] = str(_l("Wybierz, czy wysłano list, czy e-mail."))
    sent_on: date | None = None
    try:
        sent_on = parse_past_date(form.sent_on, today=today, earliest=case.received_on)
    except FieldError as exc:
        errors["sent_on"] = exc.message
    note = form.note.strip()
    if len(note) > NOTE_MAX:
        errors["note"] = str(_l("Notatka może mieć najwyżej %(n)d znaków.", n=NOTE_MAX))
    if errors or route is None or sent_on is None:
        raise InvalidInput(errors)
    contact = OtherContact(case_id=case.id or 0, route=route, sent_on=sent_on, note=note, by_id=actor.id)
    session.add(contact)
    case.needs_other_route = False
    if case.state in (CaseState.NEW, CaseState.CONTACTING):
        case.state = CaseState.OTHER_ROUTE
    session.add(case)
    session.flush()
    audit.log(session, "case.other_contact", actor=actor, obj=contact, office_id=case.office_id, case_id=case.id,
              route=route.value)
    return contact


def last_other_contact(session: Session, case_id: int) -> OtherContact | None:
    """The latest letter or e-mail recorded for the case."""
    return session.exec(
        select(OtherContact)
        .where(OtherContact.case_id == case_id)
        .order_by(col(OtherContact.sent_on).desc(), col(OtherContact.id).desc())
    ).first()
