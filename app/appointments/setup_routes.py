"""Administrators' pages for visits: entry rules, places with weekly hours, date exceptions and desks, visit reasons."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from sqlmodel import col, select

from app.appointments import setup
from app.appointments.access import SETUP_ROLES
from app.appointments.booking import office_reasons
from app.appointments.calendar import entry_rules, office_places
from app.appointments.labels import WEEKDAY_LABELS
from app.appointments.models import HoursException, VisitDesk, VisitPlace, VisitReason
from app.appointments.setup import PlaceForm, ReasonForm
from app.appointments.slots import active_desks
from app.auth.access import me, require_same_office, roles_required
from app.db import get_session
from app.errors import InvalidInput
from app.web.htmx import render

bp = Blueprint("visit_setup", __name__, url_prefix="/appointments/setup")


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"WEEKDAY_LABELS": WEEKDAY_LABELS}


def _mine(model: Any, record_id: int) -> Any:
    """A record of the administrator's office (via its place for hours exceptions), else 404."""
    found = get_session().get(model, record_id)
    if found is None:
        abort(404)
    office_id = found.office_id if hasattr(found, "office_id") else getattr(
        get_session().get(VisitPlace, found.place_id), "office_id", None)
    require_same_office(office_id)
    return found


def _of_place(model: Any, record_id: int) -> tuple[Any, VisitPlace]:
    """A desk or date exception of the administrator's office, with its place."""
    found = _mine(model, record_id)
    place = get_session().get(VisitPlace, found.place_id)
    assert place is not None  # noqa: S101 - the foreign key holds
    return found, place


def _desk_values() -> dict[str, str]:
    return {"desk_name": request.form.get("desk_name", ""), "capacity": request.form.get("capacity", "")}


def _index_page(*, status: int = 200, **extra: Any) -> Response:
    db = get_session()
    desks: dict[int, int] = {}
    for _desk, place in active_desks(db, me().office_id):
        desks[place.id or 0] = desks.get(place.id or 0, 0) + 1
    context: dict[str, Any] = {
        "rules": entry_rules(db, me().office_id), "places": office_places(db, me().office_id), "desk_counts": desks,
        "reasons": office_reasons(db, me().office_id, active_only=False), "errors": {}, "place_values": PlaceForm(),
    }
    context.update(extra)
    return render("appointments/setup/index.html", status=status, **context)


@bp.route("")
@roles_required(*SETUP_ROLES)
def index() -> Response:
    """Entry rules, places and visit reasons of the office."""
    return _index_page()


@bp.route("/rules", methods=["POST"])
@roles_required(*SETUP_ROLES)
def rules() -> Response:
    """Save the entry rules (mask, gloves, disinfection, distance...)."""
    text = request.form.get("entry_rules", "")
    try:
        setup.save_entry_rules(get_session(), actor=me(), text=text)
    except InvalidInput as exc:
        return _index_page(status=422, errors=exc.errors, rules=text)
    flash(str(_l("Zapisano zasady wejścia.")), "success")
    return redirect(url_for("visit_setup.index"))  # type: ignore[return-value]


@bp.route("/places", methods=["POST"])
@roles_required(*SETUP_ROLES)
def new_place() -> Response:
    """Add a place; its hours and desks are set on its own page."""
    form = PlaceForm.from_mapping(request.form)
    try:
        place = setup.save_place(get_session(), actor=me(), place=None, form=form)
    except InvalidInput as exc:
        return _index_page(status=422, errors=exc.errors, place_values=form)
    flash(str(_l("Dodano miejsce „%(name)s”. Ustaw godziny przyjęć i stanowiska.", name=place.name)), "success")
    return redirect(url_for("visit_setup.place", place_id=place.id))  # type: ignore[return-value]


def _place_page(place: VisitPlace, *, status: int = 200, **extra: Any) -> Response:
    db = get_session()
    context: dict[str, Any] = {
        "place": place, "form": PlaceForm.of(db, place), "errors": {}, "failed": "", "values": {},
        "desks": db.exec(select(VisitDesk).where(VisitDesk.place_id == place.id, col(VisitDesk.removed_at).is_(None))
                         .order_by(col(VisitDesk.name), col(VisitDesk.id))).all(),
        "exceptions": db.exec(select(HoursException).where(HoursException.place_id == place.id)
                              .order_by(col(HoursException.day))).all(),
    }
    context.update(extra)
    return render("appointments/setup/place.html", status=status, **context)


@bp.route("/places/<int:place_id>", methods=["GET", "POST"])
@roles_required(*SETUP_ROLES)
def place(place_id: int) -> Response:
    """A place: name, address and weekly hours; its desks and date exceptions below."""
    found: VisitPlace = _mine(VisitPlace, place_id)
    if request.method == "GET":
        return _place_page(found)
    form = PlaceForm.from_mapping(request.form)
    try:
        setup.save_place(get_session(), actor=me(), place=found, form=form)
    except InvalidInput as exc:
        return _place_page(found, status=422, form=form, errors=exc.errors, failed="place")
    flash(str(_l("Zapisano godziny przyjęć.")), "success")
    return redirect(url_for("visit_setup.place", place_id=place_id))  # type: ignore[return-value]


@bp.route("/places/<int:place_id>/desks", methods=["POST"])
@roles_required(*SETUP_ROLES)
def add_desk(place_id: int) -> Response:
    """Add a desk (capacity 1 unless said otherwise)."""
    found: VisitPlace = _mine(VisitPlace, place_id)
    values = _desk_values()
    try:
        setup.save_desk(get_session(), actor=me(), place=found, desk=None, name_raw=values["desk_name"],
                        capacity_raw=values["capacity"])
    except InvalidInput as exc:
        return _place_page(found, status=422, errors=exc.errors, failed="new-desk", values=values)
    flash(str(_l("Dodano stanowisko.")), "success")
    return redirect(url_for("visit_setup.place", place_id=place_id, _anchor="h-desks"))  # type: ignore[return-value]


@bp.route("/desks/<int:desk_id>", methods=["POST"])
@roles_required(*SETUP_ROLES)
def desk(desk_id: int) -> Response:
    """Rename a desk or change how many clients it takes at a time."""
    found, place_found = _of_place(VisitDesk, desk_id)
    values = _desk_values()
    try:
        setup.save_desk(get_session(), actor=me(), place=place_found, desk=found, name_raw=values["desk_name"],
                        capacity_raw=values["capacity"])
    except InvalidInput as exc:
        return _place_page(place_found, status=422, errors=exc.errors, failed=f"desk-{desk_id}", values=values)
    flash(str(_l("Zapisano stanowisko.")), "success")
    return redirect(url_for("visit_setup.place", place_id=place_found.id, _anchor="h-desks"))  # type: ignore[return-value]


@bp.route("/desks/<int:desk_id>/remove", methods=["POST"])
@roles_required(*SETUP_ROLES)
def remove_desk(desk_id: int) -> Response:
    """Take a desk out of service (refused while visits are booked at it)."""
    found, place_found = _of_place(VisitDesk, desk_id)
    if found.removed_at is None:
        try:
            setup.remove_desk(get_session(), actor=me(), desk=found)
        except InvalidInput as exc:
            return _place_page(place_found, status=422, errors=exc.errors, failed=f"desk-{desk_id}")
        flash(str(_l("Stanowisko „%(name)s” wycofane.", name=found.name)), "success")
    return redirect(url_for("visit_setup.place", place_id=place_found.id, _anchor="h-desks"))  # type: ignore[return-value]


@bp.route("/places/<int:place_id>/exceptions", methods=["POST"])
@roles_required(*SETUP_ROLES)
def add_exception(place_id: int) -> Response:
    """Close the place on a date or set other hours that day."""
    found: VisitPlace = _mine(VisitPlace, place_id)
    values = {k: request.form.get(k, "") for k in ("day", "exc_opens", "exc_closes", "note")}
    try:
        setup.add_exception(get_session(), actor=me(), place=found, day_raw=values["day"], opens_raw=values["exc_opens"],
                            closes_raw=values["exc_closes"], note=values["note"])
    except InvalidInput as exc:
        return _place_page(found, status=422, errors=exc.errors, failed="exception", values=values)
    flash(str(_l("Dodano wyjątek w godzinach przyjęć.")), "success")
    return redirect(url_for("visit_setup.place", place_id=place_id, _anchor="h-exceptions"))  # type: ignore[return-value]


@bp.route("/exceptions/<int:exception_id>/remove", methods=["POST"])
@roles_required(*SETUP_ROLES)
def remove_exception(exception_id: int) -> Response:
    """Remove a date exception (the usual hours, or the holiday, apply again)."""
    found, place_found = _of_place(HoursException, exception_id)
    try:
        setup.remove_exception(get_session(), actor=me(), exception=found)
    except InvalidInput as exc:
        return _place_page(place_found, status=422, errors=exc.errors, failed="exception")
    flash(str(_l("Usunięto wyjątek.")), "success")
    return redirect(url_for("visit_setup.place", place_id=place_found.id, _anchor="h-exceptions"))  # type: ignore[return-value]


def _reason_page(reason: VisitReason | None, form: ReasonForm, *, errors: dict[str, str], status: int = 200) -> Response:
    return render("appointments/setup/reason.html", status=status, reason=reason, form=form, errors=errors)


@bp.route("/reasons/new", methods=["GET", "POST"])
@roles_required(*SETUP_ROLES)
def new_reason() -> Response:
    """Add a visit reason with its duration, kinds and checklist."""
    if request.method == "GET":
        return _reason_page(None, ReasonForm(), errors={})
    form = ReasonForm.from_mapping(request.form)
    try:
        setup.save_reason(get_session(), actor=me(), reason=None, form=form)
    except InvalidInput as exc:
        return _reason_page(None, form, errors=exc.errors, status=422)
    flash(str(_l("Dodano sprawę „%(name)s”.", name=form.name.strip())), "success")
    return redirect(url_for("visit_setup.index", _anchor="h-reasons"))  # type: ignore[return-value]


@bp.route("/reasons/<int:reason_id>", methods=["GET", "POST"])
@roles_required(*SETUP_ROLES)
def reason(reason_id: int) -> Response:
    """Change a visit reason (or take it off the booking list: reasons are never deleted)."""
    found: VisitReason = _mine(VisitReason, reason_id)
    if request.method == "GET":
        return _reason_page(found, ReasonForm.of(found), errors={})
    form = ReasonForm.from_mapping(request.form)
    try:
        setup.save_reason(get_session(), actor=me(), reason=found, form=form)
    except InvalidInput as exc:
        return _reason_page(found, form, errors=exc.errors, status=422)
    flash(str(_l("Zapisano sprawę „%(name)s”.", name=found.name)), "success")
    return redirect(url_for("visit_setup.index", _anchor="h-reasons"))  # type: ignore[return-value]
