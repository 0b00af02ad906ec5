"""Telephone duty: the duty number, duty slots (never two at once), who is on duty now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from app import audit
from app.auth.models import Office, Role, User, UserRole
from app.auth.services import Principal
from app.clock import LOCAL_TZ, to_local
from app.db import office_row
from app.errors import InvalidInput
from app.fields import collect, parse_clock, parse_day, parse_phone
from app.staffing.models import DutySettings, DutySlot
from app.staffing.rota import is_working, monday_of
from app.web.forms import PostedForm
from app.web.ids import parse_id

NOTE_MAX = 300
# Slots are booked for the coming year at most, never in the past.
HORIZON = timedelta(days=366)


def duty_settings(session: Session, office_id: int) -> DutySettings:
    """The office's duty settings (defaults, not stored, when none were saved yet)."""
    return session.get(DutySettings, office_id) or DutySettings(office_id=office_id)


@dataclass
class SettingsForm(PostedForm):
    """Duty settings as typed, kept verbatim for re-display."""

    number: str = ""
    default_start: str = ""
    default_end: str = ""
    note: str = ""

    @classmethod
    def of(cls, settings: DutySettings) -> SettingsForm:
        """The form showing stored settings."""
        return cls(settings.number, settings.default_start.strftime("%H:%M"), settings.default_end.strftime("%H:%M"),
                   settings.note)


def _hours(start_raw: str, end_raw: str, errors: dict[str, str], prefix: str = "") -> tuple[time | None, time | None]:
    start = collect(errors, f"{prefix}start", parse_clock, start_raw, missing=str(_l("Podaj godzinę początku dyżuru.")))
    end = collect(errors, f"{prefix}end", parse_clock, end_raw, missing=str(_l("Podaj godzinę końca dyżuru.")))
    if start is not None and end is not None and end <= start:
        errors[f"{prefix}end"] = str(_l("Dyżur musi kończyć się później, niż się zaczyna (tego samego dnia)."))
    return start, end


def save_settings(session: Session, *, actor: Principal, form: SettingsForm) -> DutySettings:
    """Store the duty number and usual hours after checking them all."""
    errors: dict[str, str] = {}
    number = collect(errors, "number", parse_phone, form.number)
    start, end = _hours(form.default_start, form.default_end, errors, prefix="default_")
    note = " ".join(form.note.split())
    if len(note) > NOTE_MAX:
        errors["note"] = str(_l("Uwaga może mieć najwyżej %(n)d znaków.", n=NOTE_MAX))
    if errors or start is None or end is None:
        raise InvalidInput(errors)
    settings = session.get(DutySettings, actor.office_id) or DutySettings(office_id=actor.office_id)
    settings.number, settings.default_start, settings.default_end, settings.note = number or "", start, end, note
    settings.updated_by_id = actor.id
    session.add(settings)
    session.flush()
    audit.log(session, "duty.settings", actor=actor, object_type="duty_settings", object_id=actor.office_id,
              has_number=bool(number))
    return settings


def duty_workers(session: Session, office_id: int) -> list[User]:
    """Active social workers of the office: who may take a duty."""
    return list(
        session.exec(
            select(User)
            .join(UserRole, col(UserRole.user_id) == col(User.id))
            .where(User.office_id == office_id, col(User.active).is_(True), UserRole.role == Role.WORKER)
            .order_by(col(User.full_name))
        ).all()
    )


@dataclass
class SlotForm(PostedForm):
    """A duty being added, kept verbatim for re-display."""

    worker_id: str = ""
    day: str = ""
    start: str = ""
    end: str = ""
    whole_week: bool = False


def _moment(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LOCAL_TZ)


def _slot_label(slot: DutySlot) -> str:
    return f"{format_datetime(slot.starts_at, 'EEE d.MM HH:mm')}–{format_datetime(slot.ends_at, 'HH:mm')}"


def add_slots(session: Session, *, actor: Principal, form: SlotForm, now: datetime) -> list[DutySlot]:
    """Add a duty (or the same hours on every remaining working day of that week); any overlap refuses them all."""
    errors: dict[str, str] = {}
    worker_id = parse_id(form.worker_id)
    worker = session.get(User, worker_id) if worker_id is not None else None
    if worker is None or worker.id not in {w.id for w in duty_workers(session, actor.office_id)}:
        errors["worker_id"] = str(_l("Wybierz pracownika socjalnego z listy."))
    day = collect(errors, "day", parse_day, form.day, missing=str(_l("Podaj dzień dyżuru.")))
    start, end = _hours(form.start, form.end, errors)
    if errors or worker is None or day is None or start is None or end is None:
        raise InvalidInput(errors)
    days = [day]
    if form.whole_week:
        days += [d for d in (monday_of(day) + timedelta(days=i) for i in range(5)) if d > day and is_working(d)]
    wanted = [(_moment(d, start), _moment(d, end)) for d in days]
    if wanted[0][1] <= now:
        raise InvalidInput({"day": str(_l("Ten dyżur już się skończył. Wybierz dzisiejszy albo przyszły dzień."))})
    if wanted[-1][0] > now + HORIZON:
        raise InvalidInput({"day": str(_l("Dyżury planuje się najwyżej rok naprzód."))})
    # One duty phone: serialise additions per office so two supervisors cannot book the same evening twice.
    session.exec(select(Office.id).where(Office.id == actor.office_id).with_for_update()).first()
    for starts, ends in wanted:
        clash = session.exec(
            select(DutySlot, User)
            .join(User, col(User.id) == col(DutySlot.worker_id))
            .where(DutySlot.office_id == actor.office_id, col(DutySlot.starts_at) < ends, col(DutySlot.ends_at) > starts)
        ).first()
        if clash is not None:
            slot, who = clash
            raise InvalidInput({"start": str(_l("Ten dyżur nakłada się na dyżur %(when)s (%(who)s). Jednocześnie może być "
                                              "tylko jeden dyżur: zmień godziny albo usuń tamten dyżur.",
                                              when=_slot_label(slot), who=who.full_name))})
    slots = [DutySlot(office_id=actor.office_id, worker_id=worker.id or 0, starts_at=s, ends_at=e, created_by_id=actor.id)
             for s, e in wanted]
    for slot in slots:
        session.add(slot)
    session.flush()
    for slot in slots:
        audit.log(session, "duty.slot_add", actor=actor, obj=slot, office_id=actor.office_id, worker_id=worker.id)
    return slots


def remove_slot(session: Session, *, actor: Principal, slot_id: int) -> None:
    """Cancel a duty of the office; LookupError when there is no such duty."""
    slot = office_row(session, DutySlot, slot_id, actor.office_id)
    audit.log(session, "duty.slot_remove", actor=actor, obj=slot, worker_id=slot.worker_id)
    session.delete(slot)
    session.flush()


@dataclass(frozen=True)
class OnDuty:
    """Who answers the duty phone right now."""

    worker_id: int
    name: str
    number: str
    ends_at: datetime


def on_duty_now(session: Session, office_id: int, now: datetime) -> OnDuty | None:
    """The duty going on now, with the duty number (one query: it runs on every staff page)."""
    row = session.exec(
        select(DutySlot.worker_id, User.full_name, DutySettings.number, DutySlot.ends_at)
        .join(User, col(User.id) == col(DutySlot.worker_id))
        .join(DutySettings, col(DutySettings.office_id) == col(DutySlot.office_id), isouter=True)
        .where(DutySlot.office_id == office_id, col(DutySlot.starts_at) <= now, col(DutySlot.ends_at) > now)
        .limit(1)
    ).first()
    if row is None:
        return None
    worker_id, name, number, ends_at = row
    return OnDuty(worker_id=worker_id, name=name, number=number or "", ends_at=ends_at)


def slots_between(session: Session, office_id: int, first: datetime, last: datetime) -> list[tuple[DutySlot, User]]:
    """Duties starting in [first, last), in time order, with the worker."""
    return [
        (slot, user)
        for slot, user in session.exec(
            select(DutySlot, User)
            .join(User, col(User.id) == col(DutySlot.worker_id))
            .where(DutySlot.office_id == office_id, col(DutySlot.starts_at) >= first, col(DutySlot.starts_at) < last)
            .order_by(col(DutySlot.starts_at))
        ).all()
    ]


def week_slots(session: Session, office_id: int, monday: date) -> list[tuple[DutySlot, User]]:
    """The duties of the week starting on `monday`."""
    return slots_between(session, office_id, _moment(monday, time(0)), _moment(monday + timedelta(days=7), time(0)))


def todays_slot(session: Session, worker_id: int, office_id: int, now: datetime) -> DutySlot | None:
    """The worker's duty of today that has already begun (calls are often written down after it ends)."""
    today = to_local(now).date()
    return session.exec(
        select(DutySlot)
        .where(DutySlot.office_id == office_id, DutySlot.worker_id == worker_id,
               col(DutySlot.starts_at) >= _moment(today, time(0)), col(DutySlot.starts_at) <= now)
        .order_by(col(DutySlot.starts_at).desc())
    ).first()
