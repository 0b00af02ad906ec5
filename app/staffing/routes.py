"""The rota: this week's (or any week's) office and remote days per section, the set-up, absences."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from app.auth.access import me, roles_required
from app.auth.models import STAFF_ROLES, Role
from app.clock import local_now
from app.db import get_session
from app.errors import InvalidInput
from app.fields import query_day
from app.staffing import absences, labels, rota, setup
from app.staffing.models import AbsenceKind, PatternKind
from app.web.htmx import render

bp = Blueprint("rota", __name__)



@bp.app_template_filter("day_name")
def _day_name(value: object) -> str:
    """A day as "poniedziałek 6.04" in the user's language."""
    return format_date(value, "EEEE d.MM") if isinstance(value, date) else ""


@bp.app_template_global("weekday_name")
def _weekday_name(weekday: int) -> str:
    return labels.weekday_label(weekday)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"absence_label": labels.absence_label, "PatternKind": PatternKind, "AbsenceKind": AbsenceKind,
            "pattern_label": labels.pattern_label, "Where": rota.Where, "Alert": rota.Alert}


def requested_monday(raw: str | None, today: date) -> date:
    """The Monday of the week asked for (`?week=` any day of it), this week when absent or unreadable."""
    return rota.monday_of(query_day(raw) or today)


@bp.route("/rota")
@roles_required(*STAFF_ROLES)
def week() -> Response:
    """Who works in the office and who remotely, per day and section, with the sections left uncovered."""
    today = local_now().date()
    monday = requested_monday(request.args.get("week"), today)
    db = get_session()
    days = rota.week_days(monday)
    loaded = rota.load_rota(db, me().office_id, days[0], days[-1])
    return render(
        "staffing/week.html",
        monday=monday,
        days=[rota.plan_day(loaded, d) for d in days],
        configured=loaded.configured,
        today=today,
        previous_week=(monday - timedelta(days=7)).isoformat(),
        next_week=(monday + timedelta(days=7)).isoformat(),
    )


def _setup_page(form: setup.SetupForm, errors: dict[str, str], *, status: int = 200) -> Response:
    db = get_session()
    return render("staffing/setup.html", status=status, form=form, errors=errors,
                  sections=setup.sections_for_form(db, me().office_id), weekdays=list(rota.WORKDAYS))


@bp.route("/rota/setup", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def configure() -> Response:
    """Groups, everyone's section and group, and how the groups take turns; saved as a whole."""
    db = get_session()
    if request.method == "GET":
        return _setup_page(setup.current_form(db, me().office_id), {})
    form = setup.posted_form(db, me().office_id, request.form, request.form.getlist)
    try:
        setup.save_setup(db, actor=me(), form=form)
    except InvalidInput as exc:
        return _setup_page(form, exc.errors, status=422)
    flash(str(_l("Zapisano grafik.")), "success")
    return redirect(url_for("rota.week"))  # type: ignore[return-value]


def _absences_page(form: absences.AbsenceForm, errors: dict[str, str], *, status: int = 200) -> Response:
    db = get_session()
    today = local_now().date()
    return render("staffing/absences.html", status=status, form=form, errors=errors, today=today,
                  staff=setup.office_staff(db, me().office_id),
                  absences=absences.upcoming_absences(db, me().office_id, today))


@bp.route("/rota/absences", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def absence_list() -> Response:
    """Sick leave, care leave, quarantine, leave: who is out of the rota and until when; add one."""
    if request.method == "GET":
        today = local_now().date().isoformat()
        return _absences_page(absences.AbsenceForm(starts_on=today, ends_on=today), {})
    form = absences.AbsenceForm.from_mapping(request.form)
    try:
        absences.add_absence(get_session(), actor=me(), form=form, today=local_now().date())
    except InvalidInput as exc:
        return _absences_page(form, exc.errors, status=422)
    flash(str(_l("Zapisano nieobecność.")), "success")
    return redirect(url_for("rota.absence_list"))  # type: ignore[return-value]


@bp.route("/rota/absences/<int:absence_id>/remove", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def remove_absence(absence_id: int) -> Response:
    """Delete an absence (entered by mistake, or the person is back)."""
    try:
        absences.remove_absence(get_session(), actor=me(), absence_id=absence_id)
    except LookupError:
        abort(404)
    flash(str(_l("Usunięto nieobecność.")), "success")
    return redirect(url_for("rota.absence_list"))  # type: ignore[return-value]
