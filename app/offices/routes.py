"""Office pages: the offices a user manages, an office's details and letterhead, new offices and their administrators."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from app.auth.access import me, roles_required
from app.auth.models import Office, Role
from app.auth.services import AccountError
from app.auth.signals import office_created
from app.config import get_settings
from app.db import get_session
from app.offices import services
from app.offices.access import installation_admin, managed_office, require_installation_admin
from app.web.htmx import render

bp = Blueprint("offices", __name__, url_prefix="/admin/offices")

ADMIN_FIELDS = ("username", "full_name", "email")


@bp.route("")
@roles_required(Role.ADMIN)
def index() -> Response:
    """The offices the user manages (their own; every office for an installation administrator)."""
    db = get_session()
    return render("offices/index.html", offices=services.manageable_offices(db, me()),
                  installation_admin=installation_admin())


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new() -> Response:
    """Create an office (installation administrators only)."""
    require_installation_admin()
    form = services.OfficeForm()
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = services.OfficeForm.from_mapping(request.form)
        try:
            office = services.create_office(get_session(), form=form, actor_id=me().id)
        except services.OfficeError as exc:
            errors = exc.errors
        else:
            _signing_ca(office)
            flash(str(_l("Utworzono ośrodek %(name)s. Dodaj jego pierwszego administratora.", name=office.name)),
                  "success")
            return redirect(url_for("offices.edit", office_id=office.id, _anchor="h-admins"))  # type: ignore[return-value]
    return render("offices/new.html", status=422 if errors else 200, form=form, errors=errors)


def _signing_ca(office: Office) -> None:
    """Tell the features a new office exists (reports makes its signing CA in production); show their warnings."""
    for _receiver, warning in office_created.send(office, session=get_session(), actor_id=me().id,
                                                  settings=get_settings()):
        if warning:
            flash(str(warning), "warning")


def _edit_page(office_id: int, *, form: services.OfficeForm | None = None, errors: dict[str, str] | None = None,
               admin_values: dict[str, str] | None = None, admin_errors: dict[str, str] | None = None) -> Response:
    office = managed_office(office_id)
    failed = bool(errors or admin_errors)
    return render(
        "offices/edit.html", status=422 if failed else 200, office=office,
        form=form or services.OfficeForm.of(office), errors=errors or {},
        installation_admin=installation_admin(),
        admin_values=admin_values or dict.fromkeys(ADMIN_FIELDS, ""), admin_errors=admin_errors or {},
    )


@bp.route("/<int:office_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(office_id: int) -> Response:
    """An office's details and letterhead (printed on reports)."""
    office = managed_office(office_id)
    if request.method == "POST":
        form = services.OfficeForm.from_mapping(request.form)
        try:
            changed = services.update_office(get_session(), office, form=form, actor_id=me().id)
        except services.OfficeError as exc:
            return _edit_page(office_id, form=form, errors=exc.errors)
        flash(str(_l("Zapisano dane ośrodka.") if changed else _l("Nic się nie zmieniło.")), "success")
        return redirect(url_for("offices.edit", office_id=office_id))  # type: ignore[return-value]
    return _edit_page(office_id)


@bp.route("/<int:office_id>/admins", methods=["POST"])
@roles_required(Role.ADMIN)
def add_admin(office_id: int) -> Response:
    """Create an administrator account in an office (installation administrators; e.g. a new office's first)."""
    office = managed_office(office_id)
    require_installation_admin()
    values = {name: request.form.get(name, "") for name in ADMIN_FIELDS}
    try:
        user = services.create_office_admin(
            get_session(), office=office, username=values["username"], full_name=values["full_name"],
            email=values["email"], password=request.form.get("password", ""), actor_id=me().id,
        )
    except AccountError as exc:
        return _edit_page(office_id, admin_values=values, admin_errors={exc.field or "username": exc.message})
    flash(str(_l("Utworzono konto administratora %(username)s.", username=user.username)), "success")
    return redirect(url_for("offices.edit", office_id=office_id))  # type: ignore[return-value]
