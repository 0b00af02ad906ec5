"""Telephone duty pages: the week's duties, the duty number, adding and cancelling duties, calls taken on duty."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from app.auth.access import me, roles_required
from app.auth.models import STAFF_ROLES, Role
from app.clock import LOCAL_TZ, local_now, utcnow
from app.config import get_settings
from app.db import get_session
from app.errors import InvalidInput
from app.staffing import duty, duty_calls
from app.staffing.rota import week_days
from app.staffing.routes import requested_monday
from app.web.htmx import render

bp = Blueprint("duty", __name__)


def _page(*, status: int = 200, **extra: Any) -> Response:
    db = get_session()
    principal = me()
    now = utcnow()
    today = local_now().date()
    monday = requested_monday(request.args.get("week"), today)
    settings = duty.duty_settings(db, principal.office_id)
    my_slot = duty.todays_slot(db, principal.id, principal.office_id, now) if principal.has(Role.WORKER) else None
    since = datetime.combine(today, time(0), tzinfo=LOCAL_TZ)
    context: dict[str, Any] = {
        "monday": monday,
        "days": week_days(monday),
        "previous_week": (monday - timedelta(days=7)).isoformat(),
        "next_week": (monday + timedelta(days=7)).isoformat(),
        "slots": duty.week_slots(db, principal.office_id, monday),
        "duty_settings": settings,
        "settings_form": duty.SettingsForm.of(settings),
        "settings_errors": {},
        "slot_form": duty.SlotForm(day=today.isoformat(), start=settings.default_start.strftime("%H:%M"),
                                   end=settings.default_end.strftime("%H:%M")),
        "slot_errors": {},
        "workers": duty.duty_workers(db, principal.office_id) if principal.has(Role.SUPERVISOR) else [],
        "my_slot": my_slot,
        "call_form": duty_calls.DutyCallForm(),
        "call_errors": {},
        "caller": None,
        "matches": None,
        "taken": duty_calls.calls_taken(db, actor=principal, since=since) if my_slot else [],
        "today": today,
        "now": now,
    }
    context.update(extra)
    return render("staffing/duty.html", status=status, **context)


@bp.route("/duty")
@roles_required(*STAFF_ROLES)
def index() -> Response:
    """This week's duties, who is on duty now, the duty number."""
    return _page()


@bp.route("/duty/settings", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def settings() -> Response:
    """The duty number and the usual hours of an evening duty."""
    form = duty.SettingsForm.from_mapping(request.form)
    try:
        duty.save_settings(get_session(), actor=me(), form=form)
    except InvalidInput as exc:
        return _page(status=422, settings_form=form, settings_errors=exc.errors)
    flash(str(_l("Zapisano ustawienia dyżuru.")), "success")
    return redirect(url_for("duty.index"))  # type: ignore[return-value]


@bp.route("/duty/slots", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def add_slot() -> Response:
    """Add a duty (weekday evening by default; weekends and holidays when needed)."""
    form = duty.SlotForm.from_mapping(request.form)
    try:
        slots = duty.add_slots(get_session(), actor=me(), form=form, now=utcnow())
    except InvalidInput as exc:
        return _page(status=422, slot_form=form, slot_errors=exc.errors)
    flash(str(_l("Dodano dyżury: %(n)d.", n=len(slots))), "success")
    return redirect(url_for("duty.index", week=form.day if len(form.day) == 10 else None))  # type: ignore[return-value]


@bp.route("/duty/slots/<int:slot_id>/remove", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def remove_slot(slot_id: int) -> Response:
    """Cancel a duty."""
    try:
        duty.remove_slot(get_session(), actor=me(), slot_id=slot_id)
    except LookupError:
        abort(404)
    flash(str(_l("Odwołano dyżur.")), "success")
    return redirect(url_for("duty.index"))  # type: ignore[return-value]


@bp.route("/duty/calls", methods=["POST"])
@roles_required(Role.WORKER)
def calls() -> Response:
    """A call taken on duty: find the caller's cases by number, then record it on one (or register a new one)."""
    db = get_session()
    form = duty_calls.DutyCallForm.from_mapping(request.form)
    if request.form.get("action") == "record":
        try:
            duty_calls.record_duty_contact(db, actor=me(), form=form, threshold=get_settings().calls_before_other_route,
                                           now=utcnow())
        except InvalidInput as exc:
            return _page(status=422, call_form=form, call_errors=exc.errors)
        flash(str(_l("Zapisano telefon z dyżuru w sprawie.")), "success")
        return redirect(url_for("duty.index"))  # type: ignore[return-value]
    try:
        caller, matches = duty_calls.find_caller(db, actor=me(), form=form, now=utcnow())
    except InvalidInput as exc:
        return _page(status=422, call_form=form, call_errors=exc.errors)
    return _page(call_form=form, caller=caller, matches=matches)
