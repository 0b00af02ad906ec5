"""What is said to the person: the confirmation read aloud and e-mailed (with an .ics), changes, cancellations and the
reminder the working day before. E-mails go through the outbox; they carry only what the person gave for contact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import update
from sqlmodel import Session, col, select

from app import audit
from app.appointments.calendar import local_moment
from app.appointments.ics import build_ics
from app.appointments.models import Appointment, AppointmentState
from app.appointments.summary import VisitSummary, summaries
from app.clock import to_local, utcnow
from app.fields import display_phone
from app.referrals.mail import queue_message
from app.workdays import add_working_days, is_working_day

KIND_CONFIRMATION = "appointment.confirmation"
KIND_CHANGE = "appointment.change"
KIND_CANCEL = "appointment.cancel"
KIND_REMINDER = "appointment.reminder"
ICS_TYPE = "text/calendar; method={method}; charset=utf-8"


@dataclass
class Confirmation:
    """The confirmation in sentences: shown on the page the worker reads aloud, and the body of the e-mails."""

    heading: str
    when: str
    where: str
    reason: str
    checklist: list[str] = field(default_factory=list)
    entry_rules: list[str] = field(default_factory=list)
    contact: str = ""


def when_text(summary: VisitSummary) -> str:
    """"wtorek, 14 kwietnia 2026, 10:30–10:45" in the current language."""
    return f"{format_date(summary.starts.date(), 'full')}, {summary.starts:%H:%M}–{summary.ends:%H:%M}"


def confirmation(summary: VisitSummary) -> Confirmation:
    """What the person is told, in the current language (Polish for e-mails)."""
    office = summary.office
    if summary.in_person:
        heading = _("Wizyta w: %(office)s", office=office.name)
        where = summary.where
    else:
        phone = display_phone(summary.appointment.phone) if summary.appointment.phone else ""
        heading = _("Rozmowa telefoniczna z pracownikiem: %(office)s", office=office.name)
        where = _("Zadzwonimy na numer %(phone)s.", phone=phone)
    contact = _("Jeśli termin nie pasuje, prosimy o telefon: %(phone)s.", phone=office.phone) if office.phone else ""
    return Confirmation(
        heading=heading,
        when=when_text(summary),
        where=where,
        reason=summary.reason.name,
        checklist=summary.reason.checklist_items,
        entry_rules=[line.strip() for line in summary.entry_rules.splitlines() if line.strip()] if summary.in_person else [],
        contact=contact,
    )


def _body(summary: VisitSummary, opening: str) -> str:
    text = confirmation(summary)
    lines = [_("Dzień dobry,"), "", opening, "", text.heading, _("Termin: %(when)s", when=text.when)]
    lines.append(_("Miejsce: %(where)s", where=text.where) if summary.in_person else text.where)
    lines.append(_("Sprawa: %(reason)s", reason=text.reason))
    if text.checklist:
        lines += ["", _("Prosimy przygotować:")] + [f"– {item}" for item in text.checklist]
    if text.entry_rules:
        lines += ["", _("Zasady wejścia do budynku:")] + [f"– {item.lstrip('–-• ')}" for item in text.entry_rules]
    if text.contact:
        lines += ["", text.contact]
    lines += ["", _("W załączniku jest wpis do kalendarza (plik .ics).")]
    return "\n".join(lines) + "\n"


def _queue(session: Session, summary: VisitSummary, *, kind: str, subject: str, opening: str,
           cancel: bool = False) -> None:
    appointment = summary.appointment
    body = _body(summary, opening)
    title = _("%(office)s: %(reason)s", office=summary.office.name, reason=summary.reason.name)
    ics = build_ics(summary, description=body, title=title, cancel=cancel)
    message = queue_message(
        session, office_id=appointment.office_id, kind=kind, recipients=appointment.email, subject=subject, body=body,
        attachments=(("wizyta.ics", ICS_TYPE.format(method="CANCEL" if cancel else "PUBLISH"), ics),),
    )
    audit.log(session, "appointment.mail_queued", obj=appointment, kind=kind, message_id=message.id)


def queue_confirmation(session: Session, summary: VisitSummary, *, changed: bool = False) -> None:
    """Queue the confirmation (or, after a change of time, the new confirmation) when the person gave an e-mail."""
    if not summary.appointment.email:
        return
    with force_locale("pl"):
        when = when_text(summary)
        if changed:
            _queue(session, summary, kind=KIND_CHANGE, subject=_("Zmiana terminu: %(when)s", when=when),
                   opening=_("termin został zmieniony. Obowiązuje nowy termin:"))
        else:
            _queue(session, summary, kind=KIND_CONFIRMATION, subject=_("Potwierdzenie terminu: %(when)s", when=when),
                   opening=_("potwierdzamy umówiony termin."))


def queue_cancellation(session: Session, summary: VisitSummary) -> None:
    """Queue the notice that the appointment is cancelled (the .ics removes it from the person's calendar)."""
    if not summary.appointment.email:
        return
    with force_locale("pl"):
        _queue(session, summary, kind=KIND_CANCEL,
               subject=_("Odwołany termin: %(when)s", when=when_text(summary)),
               opening=_("ten termin został odwołany. Prosimy nie przychodzić; skontaktujemy się w sprawie nowego."),
               cancel=True)


def reminder_window(today: date) -> tuple[datetime, datetime] | None:
    """Appointments a run on `today` reminds of: from tomorrow to the end of the next working day.

    None on a day off (the reminder goes out the working day before). A Friday run covers Saturday to Monday.
    """
    if not is_working_day(today):
        return None
    start = local_moment(today + timedelta(days=1), time.min)
    end = local_moment(add_working_days(today, 1) + timedelta(days=1), time.min)
    return start, end


@dataclass
class ReminderRun:
    """What a reminder run did."""

    queued: list[int] = field(default_factory=list)
    skipped_day_off: bool = False


def queue_reminders(session: Session, *, now: datetime | None = None) -> ReminderRun:
    """Queue one reminder per booked appointment with an e-mail starting by the end of the next working day.

    Idempotent and safe to overlap: each appointment is claimed by a conditional UPDATE of `reminder_queued_at`
    before its message is queued, in the same transaction. Appointments booked today are skipped (their
    confirmation has only just gone out).
    """
    now = now or utcnow()
    today = to_local(now).date()
    window = reminder_window(today)
    if window is None:
        return ReminderRun(skipped_day_off=True)
    booked_before = local_moment(today, time.min)
    due = session.exec(
        select(Appointment).where(
            Appointment.state == AppointmentState.BOOKED, col(Appointment.reminder_queued_at).is_(None),
            col(Appointment.email) != "", col(Appointment.starts_at) >= window[0],
            col(Appointment.starts_at) < window[1], col(Appointment.created_at) < booked_before,
        ).order_by(col(Appointment.starts_at))
    ).all()
    run = ReminderRun()
    for summary in summaries(session, due):
        appointment = summary.appointment
        claimed = session.exec(
            update(Appointment)
            .where(col(Appointment.id) == appointment.id, col(Appointment.reminder_queued_at).is_(None))
            .values(reminder_queued_at=now)
        ).rowcount == 1
        if not claimed:
            continue
        with force_locale("pl"):
            _queue(session, summary, kind=KIND_REMINDER,
                   subject=_("Przypomnienie: %(when)s", when=when_text(summary)),
                   opening=_("przypominamy o jutrzejszym terminie.") if to_local(appointment.starts_at).date()
                   == today + timedelta(days=1) else _("przypominamy o najbliższym terminie."))
        run.queued.append(appointment.id or 0)
    return run
