"""The phone directory for staff, each person's own entry, and the administrators' editing pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from app.auth.access import me, require_same_office, roles_required
from app.auth.models import STAFF_ROLES, Office, Role, User
from app.clock import local_now
from app.db import get_session
from app.directory import files, services
from app.directory.labels import KIND_LABELS, kind_label, weekday_label
from app.directory.models import NumberKind
from app.directory.view import directory_on, has_ended, is_current, is_upcoming
from app.errors import InvalidInput
from app.staffing import sections
from app.web.htmx import render

bp = Blueprint("directory", __name__)



@bp.app_template_filter("long_day")
def _long_day(value: object) -> str:
    """A date written out ("8 czerwca 2020"): for the day a number stopped or the page's date."""
    return format_date(value, "long") if isinstance(value, date) else ""


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"kind_label": kind_label, "weekday_label": weekday_label, "NumberKind": NumberKind,
            "KIND_LABELS": KIND_LABELS}


def _office() -> Office:
    office = get_session().get(Office, me().office_id)
    if office is None:
        abort(404)
    return office


@bp.route("/directory")
@roles_required(*STAFF_ROLES)
def index() -> Response:
    """Sections, numbers and colleagues' work numbers as of today (the staff see every entry)."""
    return render("directory/index.html", directory=directory_on(get_session(), _office(), local_now().date(),
                                                                 public=False))


def _entry_page(user: User, form: services.StaffForm, errors: dict[str, str], *, status: int = 200) -> Response:
    return render("directory/staff_entry.html", status=status, person=user, form=form, errors=errors,
                  own=user.id == me().id)


def _edit_entry(user: User, done: str) -> Response:
    db = get_session()
    if request.method == "GET":
        return _entry_page(user, services.StaffForm.of(services.staff_entry(db, user)), {})
    form = services.StaffForm.from_mapping(request.form)
    try:
        services.save_staff_entry(db, actor=me(), user=user, form=form)
    except InvalidInput as exc:
        return _entry_page(user, form, exc.errors, status=422)
    flash(str(_l("Zapisano wpis w książce telefonicznej.")), "success")
    return redirect(done)  # type: ignore[return-value]


@bp.route("/directory/me", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def my_entry() -> Response:
    """My work number and e-mail, and whether each appears on the public contact page."""
    user = get_session().get(User, me().id)
    if user is None:
        abort(404)
    return _edit_entry(user, url_for("directory.index"))


@bp.route("/admin/directory/staff/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def staff_entry(user_id: int) -> Response:
    """An administrator corrects a colleague's work number or e-mail (publishing stays the person's choice)."""
    user = get_session().get(User, user_id)
    if user is None:
        abort(404)
    require_same_office(user.office_id)
    return _edit_entry(user, url_for("directory.manage"))


def _manage_page(*, status: int = 200, **extra: Any) -> Response:
    db = get_session()
    office = _office()
    today = local_now().date()
    context: dict[str, Any] = {
        "office": office,
        "contact_form": services.ContactForm.of(services.office_contact(db, office.id or 0)),
        "contact_errors": {},
        "sections": sections.office_sections(db, office.id or 0),
        "numbers": services.office_numbers(db, office.id or 0),
        "templates": files.list_templates(db, office.id or 0),
        "template_errors": {},
        "template_title": "",
        "staff": services.staff_entries(db, office.id or 0),
        "today": today,
        "is_current": is_current,
        "has_ended": has_ended,
        "is_upcoming": is_upcoming,
        "max_template_mb": files.MAX_BYTES // (1024 * 1024),
    }
    context.update(extra)
    return render("directory/manage.html", status=status, **context)


@bp.route("/admin/directory")
@roles_required(Role.ADMIN)
def manage() -> Response:
    """Everything an administrator edits: contact details, sections, numbers, templates, staff entries."""
    return _manage_page()


@bp.route("/admin/directory/contact", methods=["POST"])
@roles_required(Role.ADMIN)
def contact() -> Response:
    """The office's public contact details: short name, where to send applications, hours, visiting rules."""
    form = services.ContactForm.from_mapping(request.form)
    try:
        services.save_contact(get_session(), actor=me(), form=form)
    except InvalidInput as exc:
        return _manage_page(status=422, contact_form=form, contact_errors=exc.errors)
    flash(str(_l("Zapisano dane kontaktowe ośrodka.")), "success")
    return redirect(url_for("directory.manage"))  # type: ignore[return-value]


def _section_page(form: sections.SectionForm, errors: dict[str, str], section_id: int | None, *,
                  status: int = 200) -> Response:
    return render("directory/section.html", status=status, form=form, errors=errors, section_id=section_id)


@bp.route("/admin/directory/sections/new", methods=["GET", "POST"])
@bp.route("/admin/directory/sections/<int:staff_section_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def section(staff_section_id: int | None = None) -> Response:
    """Add a section or change its name and e-mail."""
    db = get_session()
    existing = None
    if staff_section_id is not None:
        try:
            existing = sections.office_section(db, me().office_id, staff_section_id)
        except LookupError:
            abort(404)
    if request.method == "GET":
        form = sections.SectionForm.of(existing) if existing else sections.SectionForm()
        return _section_page(form, {}, staff_section_id)
    form = sections.SectionForm.from_mapping(request.form)
    try:
        sections.save_section(db, actor=me(), form=form, section=existing)
    except InvalidInput as exc:
        return _section_page(form, exc.errors, staff_section_id, status=422)
    flash(str(_l("Zapisano sekcję.")), "success")
    return redirect(url_for("directory.manage", _anchor="h-sections"))  # type: ignore[return-value]


@bp.route("/admin/directory/sections/<int:staff_section_id>/remove", methods=["POST"])
@roles_required(Role.ADMIN)
def remove_section(staff_section_id: int) -> Response:
    """Remove a section and its numbers; its staff stay, without a section."""
    db = get_session()
    try:
        found = sections.office_section(db, me().office_id, staff_section_id)
    except LookupError:
        abort(404)
    services.section_numbers_removed(db, actor=me(), section=found)
    sections.delete_section(db, actor=me(), section=found)
    flash(str(_l("Usunięto sekcję.")), "success")
    return redirect(url_for("directory.manage", _anchor="h-sections"))  # type: ignore[return-value]


def _number_page(form: services.NumberForm, errors: dict[str, str], number_id: int | None, *,
                 status: int = 200) -> Response:
    return render("directory/number.html", status=status, form=form, errors=errors, number_id=number_id,
                  sections=sections.office_sections(get_session(), me().office_id))


@bp.route("/admin/directory/numbers/new", methods=["GET", "POST"])
@bp.route("/admin/directory/numbers/<int:number_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def number(number_id: int | None = None) -> Response:
    """Add a number or change it (a special number that stops: set the day it stops)."""
    db = get_session()
    existing = None
    if number_id is not None:
        try:
            existing = services.office_number(db, me().office_id, number_id)
        except LookupError:
            abort(404)
    if request.method == "GET":
        kind = request.args.get("kind", "")
        form = services.NumberForm.of(existing) if existing else services.NumberForm(
            kind=kind if kind in {k.value for k in NumberKind} else NumberKind.SECTION.value)
        return _number_page(form, {}, number_id)
    form = services.NumberForm.from_mapping(request.form)
    try:
        services.save_number(db, actor=me(), form=form, entry=existing)
    except InvalidInput as exc:
        return _number_page(form, exc.errors, number_id, status=422)
    flash(str(_l("Zapisano numer.")), "success")
    return redirect(url_for("directory.manage", _anchor="h-numbers"))  # type: ignore[return-value]


@bp.route("/admin/directory/numbers/<int:number_id>/remove", methods=["POST"])
@roles_required(Role.ADMIN)
def remove_number(number_id: int) -> Response:
    """Remove a number from the directory."""
    db = get_session()
    try:
        entry = services.office_number(db, me().office_id, number_id)
    except LookupError:
        abort(404)
    services.delete_number(db, actor=me(), entry=entry)
    flash(str(_l("Usunięto numer.")), "success")
    return redirect(url_for("directory.manage", _anchor="h-numbers"))  # type: ignore[return-value]


@bp.route("/admin/directory/templates", methods=["POST"])
@roles_required(Role.ADMIN)
def add_template() -> Response:
    """Upload an application template for the public page."""
    upload = request.files.get("file")
    data = upload.read(files.MAX_BYTES + 1) if upload is not None else None
    title = str(request.form.get("title", "") or "")
    try:
        files.add_template(get_session(), actor=me(), title=title, filename=(upload.filename or "") if upload else "",
                           data=data)
    except InvalidInput as exc:
        return _manage_page(status=422, template_errors=exc.errors, template_title=title)
    flash(str(_l("Dodano wzór wniosku.")), "success")
    return redirect(url_for("directory.manage", _anchor="h-templates"))  # type: ignore[return-value]


@bp.route("/admin/directory/templates/<int:template_id>/remove", methods=["POST"])
@roles_required(Role.ADMIN)
def remove_template(template_id: int) -> Response:
    """Take a template off the public page."""
    try:
        files.delete_template(get_session(), actor=me(), template_id=template_id)
    except LookupError:
        abort(404)
    flash(str(_l("Usunięto wzór wniosku.")), "success")
    return redirect(url_for("directory.manage", _anchor="h-templates"))  # type: ignore[return-value]
