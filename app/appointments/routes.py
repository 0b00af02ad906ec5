"""Appointment pages: booking (for a case or a new person), the confirmation read aloud, moving and cancelling,
and the front desk's day with arrived / no-show / done."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from app import audit
from app.appointments import booking, labels, notices, visits
from app.appointments.access import VISIT_ROLES, visible_appointment
from app.appointments.booking import BookingForm
from app.appointments.models import Appointment, AppointmentKind, AppointmentState
from app.appointments.slots import free_slots
from app.appointments.summary import summary
from app.auth.access import me, roles_required
from app.cases.access import visible_case
from app.cases.models import Case
from app.clock import to_local, utcnow
from app.db import get_session
from app.errors import InvalidInput, NotFound
from app.fields import query_day
from app.web.htmx import is_htmx, render

bp = Blueprint("appointments", __name__)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"kind_label": labels.kind_label, "visit_state_label": labels.state_label,
            "visit_event_label": labels.event_label, "AppointmentKind": AppointmentKind,
            "AppointmentState": AppointmentState}


@bp.app_template_filter("visit_day")
def _visit_day(value: object) -> str:
    """A day written out in the user's language ("wtorek, 14 kwietnia 2026")."""
    return format_date(value, "full") if isinstance(value, date) else ""


def _today() -> date:
    return to_local(utcnow()).date()


def _appointment(appointment_id: int) -> Appointment:
    try:
        return visible_appointment(get_session(), me(), appointment_id)
    except NotFound:
        abort(404)


# --- booking -------------------------------------------------------------------------------------------------


def _booking_page(form: BookingForm, case: Case | None, *, errors: dict[str, str], status: int = 200,
                  whole: bool = False) -> Response:
    """The booking page (or, for htmx after a change of reason or kind, only the slot list)."""
    db = get_session()
    reasons = booking.office_reasons(db, me().office_id)
    reason = booking.chosen_reason(db, me().office_id, form.reason_id)
    if reason is None and len(reasons) == 1:
        reason = reasons[0]
        form.reason_id = str(reason.id)
    kind = booking.chosen_kind(form.kind) or AppointmentKind.IN_PERSON
    if reason is not None and not (reason.in_person if kind is AppointmentKind.IN_PERSON else reason.phone):
        kind = AppointmentKind.IN_PERSON if reason.in_person else AppointmentKind.PHONE
        form.kind = kind.value
    worker_id = case.assigned_worker_id if case else None
    slots = free_slots(db, office_id=me().office_id, reason=reason, kind=kind, now=utcnow(),
                       from_day=booking.from_day_of(form.from_day, _today()),
                       worker_id=worker_id or me().id) if reason else None
    action = url_for("appointments.new_for_case", case_id=case.id) if case else url_for("appointments.new")
    response = render("appointments/book.html", None if whole else "appointments/_slots.html", status=status,
                      form=form, case=case, errors=errors, reasons=reasons, reason=reason, kind=kind, slots=slots,
                      action=action, phone_possible=case is not None)
    if whole and is_htmx():
        # A refusal names fields outside the slot list: the whole form comes back, never just the list.
        response.headers["HX-Retarget"] = "body"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


def _book(case: Case | None) -> Response:
    if request.method == "GET":
        form = BookingForm.for_case(get_session(), case) if case else BookingForm()
        form.reason_id = request.args.get("reason_id", "")
        return _booking_page(form, case, errors={})
    form = BookingForm.from_mapping(request.form)
    if not form.slot:
        # "Show free slots", "next days" or (htmx) a change of reason or kind: the list again, nothing booked.
        return _booking_page(form, case, errors={})
    try:
        appointment = booking.book(get_session(), actor=me(), form=form, case=case)
    except InvalidInput as exc:
        form.slot = ""
        return _booking_page(form, case, errors=exc.errors, status=422, whole=True)
    flash(str(_l("Umówiono: %(when)s. Przeczytaj osobie potwierdzenie.", when=notices.when_text(
        summary(get_session(), appointment)))), "success")
    return redirect(url_for("appointments.detail", appointment_id=appointment.id))  # type: ignore[return-value]


@bp.route("/appointments/new", methods=["GET", "POST"])
@roles_required(*VISIT_ROLES)
def new() -> Response:
    """Book a visit for a person without a case (name, phone and/or e-mail)."""
    return _book(None)


@bp.route("/cases/<int:case_id>/appointments/new", methods=["GET", "POST"])
@roles_required(*VISIT_ROLES)
def new_for_case(case_id: int) -> Response:
    """Book a visit or a telephone appointment for the case's applicant (prefilled contact data)."""
    return _book(visible_case(get_session(), me(), case_id))


# --- one appointment -----------------------------------------------------------------------------------------


def _detail_page(appointment: Appointment, *, status: int = 200, **extra: Any) -> Response:
    db = get_session()
    found = summary(db, appointment, with_events=True)
    context: dict[str, Any] = {"visit": found, "text": notices.confirmation(found), "errors": {}, "values": {},
                               "case": db.get(Case, appointment.case_id) if appointment.case_id else None}
    context.update(extra)
    return render("appointments/detail.html", status=status, **context)


@bp.route("/appointments/<int:appointment_id>")
@roles_required(*VISIT_ROLES)
def detail(appointment_id: int) -> Response:
    """The confirmation as the worker reads it aloud: when, where, what to bring, the rules at the door."""
    appointment = _appointment(appointment_id)
    audit.view(actor=me(), obj=appointment)
    return _detail_page(appointment)


@bp.route("/appointments/<int:appointment_id>/cancel", methods=["POST"])
@roles_required(*VISIT_ROLES)
def cancel(appointment_id: int) -> Response:
    """Cancel with a reason; the person gets a cancellation e-mail when they gave an address."""
    appointment = _appointment(appointment_id)
    reason = request.form.get("reason", "")
    try:
        visits.cancel(get_session(), actor=me(), appointment=appointment, reason=reason)
    except InvalidInput as exc:
        return _detail_page(appointment, status=422, errors=exc.errors, values={"reason": reason}, open_cancel=True)
    flash(str(_l("Wizyta odwołana.")), "success")
    return redirect(url_for("appointments.detail", appointment_id=appointment_id))  # type: ignore[return-value]


@bp.route("/appointments/<int:appointment_id>/reschedule", methods=["GET", "POST"])
@roles_required(*VISIT_ROLES)
def reschedule(appointment_id: int) -> Response:
    """Move the appointment to another free slot (same reason and kind), with a reason."""
    db = get_session()
    appointment = _appointment(appointment_id)
    values = {"reason": request.form.get("reason", ""), "from_day": request.values.get("from_day", "")}
    errors: dict[str, str] = {}
    status = 200
    slot = request.form.get("slot", "") if request.method == "POST" else ""
    if slot:
        try:
            visits.reschedule(db, actor=me(), appointment=appointment, slot=slot, reason=values["reason"])
        except InvalidInput as exc:
            errors, status = exc.errors, 422
        else:
            flash(str(_l("Termin zmieniony na: %(when)s.", when=notices.when_text(summary(db, appointment)))), "success")
            return redirect(url_for("appointments.detail", appointment_id=appointment_id))  # type: ignore[return-value]
    found = summary(db, appointment)
    slots = free_slots(db, office_id=appointment.office_id, reason=found.reason,
                       kind=AppointmentKind(appointment.kind), now=utcnow(),
                       from_day=booking.from_day_of(values["from_day"], _today()),
                       worker_id=appointment.worker_id)
    return render("appointments/reschedule.html", "appointments/_slots.html", status=status, visit=found,
                  slots=slots, errors=errors, values=values, kind=AppointmentKind(appointment.kind),
                  action=url_for("appointments.reschedule", appointment_id=appointment_id))


# --- the front desk's day ------------------------------------------------------------------------------------


@bp.route("/appointments/day")
@roles_required(*VISIT_ROLES)
def day() -> Response:
    """Who comes when, to which desk, why, with what; arrived / no-show / done in one tap."""
    shown = query_day(request.args.get("date")) or _today()
    found = visits.day_visits(get_session(), actor=me(), day=shown)
    # Who looked at whose visits: the day and the ids shown, never names.
    audit.view(actor=me(), object_type="appointment_day", day=shown.isoformat(),
               appointment_ids=[v.appointment.id for v in found])
    return render("appointments/day.html", day=shown, visits=found, today=_today(),
                  previous=shown - timedelta(days=1), following=shown + timedelta(days=1), errors={})


@bp.route("/appointments/<int:appointment_id>/mark", methods=["POST"])
@roles_required(*VISIT_ROLES)
def mark(appointment_id: int) -> Response:
    """Arrived, no-show or done; htmx gets the visit's card back, a plain form the day again."""
    db = get_session()
    appointment = _appointment(appointment_id)
    shown = to_local(appointment.starts_at).date()
    errors: dict[str, str] = {}
    try:
        visits.mark(db, actor=me(), appointment=appointment, what=request.form.get("what", ""))
    except InvalidInput as exc:
        errors = exc.errors
    if is_htmx():
        return render("appointments/_visit.html", status=422 if errors else 200, visit=summary(db, appointment),
                      errors={appointment.id: errors.get("mark", "")} if errors else {}, today=_today())
    if errors:
        return render("appointments/day.html", status=422, day=shown, visits=visits.day_visits(db, actor=me(), day=shown),
                      today=_today(), previous=shown - timedelta(days=1), following=shown + timedelta(days=1),
                      errors={appointment.id: errors.get("mark", "")})
    return redirect(url_for("appointments.day", date=shown.isoformat(), _anchor=f"visit-{appointment_id}"))  # type: ignore[return-value]
