"""Absences entered by a supervisor (sick leave, care leave, quarantine, leave): out of the rota for those days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from app import audit
from app.auth.models import User
from app.auth.services import Principal
from app.dates import day_text
from app.db import office_row
from app.errors import InvalidInput
from app.fields import collect, parse_day
from app.staffing.models import AbsenceKind, RotaException
from app.web.forms import PostedForm
from app.web.ids import parse_id

MAX_DAYS = 366
NOTE_MAX = 200


@dataclass
class AbsenceForm(PostedForm):
    """An absence as typed, kept verbatim for re-display."""

    user_id: str = ""
    kind: str = ""
    starts_on: str = ""
    ends_on: str = ""
    note: str = ""


def upcoming_absences(session: Session, office_id: int, today: date) -> list[tuple[RotaException, User]]:
    """Absences that have not ended yet, soonest first, with the person."""
    return [
        (absence, user)
        for absence, user in session.exec(
            select(RotaException, User)
            .join(User, col(User.id) == col(RotaException.user_id))
            .where(RotaException.office_id == office_id, col(RotaException.ends_on) >= today)
            .order_by(col(RotaException.starts_on), col(User.full_name))
        ).all()
    ]


def add_absence(session: Session, *, actor: Principal, form: AbsenceForm, today: date) -> RotaException:
    """Record an absence after checking the person, the kind, the days and that it does not overlap another."""
    errors: dict[str, str] = {}
    user_id = parse_id(form.user_id)
    user = session.get(User, user_id) if user_id is not None else None
    if user is None or user.office_id != actor.office_id or not user.active:
        errors["user_id"] = str(_l("Wybierz pracownika z listy."))
    kind: AbsenceKind | None = AbsenceKind(form.kind) if form.kind in {k.value for k in AbsenceKind} else None
    if kind is None:
        errors["kind"] = str(_l("Wybierz rodzaj nieobecności."))
    starts = collect(errors, "starts_on", parse_day, form.starts_on, missing=str(_l("Podaj pierwszy dzień nieobecności.")))
    ends = collect(errors, "ends_on", parse_day, form.ends_on, missing=str(_l("Podaj ostatni dzień nieobecności.")))
    if starts and ends and ends < starts:
        errors["ends_on"] = str(_l("Ostatni dzień nie może być wcześniejszy niż pierwszy."))
    elif starts and ends and (ends - starts).days >= MAX_DAYS:
        errors["ends_on"] = str(_l("Nieobecność może trwać najwyżej rok; dłuższą wpisz jako „poza grafikiem”."))
    elif ends and ends < today - timedelta(days=31):
        errors["ends_on"] = str(_l("Ta nieobecność skończyła się ponad miesiąc temu: nie zmieni już grafiku."))
    note = " ".join(form.note.split())
    if len(note) > NOTE_MAX:
        errors["note"] = str(_l("Uwaga może mieć najwyżej %(n)d znaków.", n=NOTE_MAX))
    if not errors and user is not None and starts and ends:
        clash = session.exec(
            select(RotaException).where(
                RotaException.user_id == user.id, col(RotaException.starts_on) <= ends, col(RotaException.ends_on) >= starts
            )
        ).first()
        if clash is not None:
            errors["starts_on"] = str(_l("Ta osoba ma już wpisaną nieobecność w tych dniach (%(a)s – %(b)s).",
                                         a=day_text(clash.starts_on), b=day_text(clash.ends_on)))
    if errors or user is None or kind is None or starts is None or ends is None:
        raise InvalidInput(errors)
    absence = RotaException(office_id=actor.office_id, user_id=user.id or 0, kind=kind, starts_on=starts, ends_on=ends,
                            note=note, created_by_id=actor.id)
    session.add(absence)
    session.flush()
    audit.log(session, "rota.absence_add", actor=actor, obj=absence, user_id=user.id, kind=kind.value)
    return absence


def remove_absence(session: Session, *, actor: Principal, absence_id: int) -> None:
    """Delete an absence of the office (entered by mistake, or the person came back); LookupError if none."""
    absence = office_row(session, RotaException, absence_id, actor.office_id)
    audit.log(session, "rota.absence_remove", actor=actor, obj=absence, user_id=absence.user_id, kind=str(absence.kind))
    session.delete(absence)
    session.flush()
