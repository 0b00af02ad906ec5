"""An office's helplines page: the numbers shown with risk flags, each with its hours and dates of service."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from app.auth.access import me, roles_required
from app.auth.models import Role
from app.clock import local_now
from app.db import get_session
from app.officeconfig import store
from app.offices.access import managed_office
from app.referrals import helpline_edit as edit
from app.referrals.helplines import GUIDANCE_KEYS
from app.referrals.office_settings import HELPLINES, all_office_helplines
from app.web.htmx import render

bp = Blueprint("helplines", __name__, url_prefix="/admin/offices")

GUIDANCE_LABELS = {
    "crisis": _l("kryzys psychiczny / zagrożenie życia"),
    "niebieska_karta": _l("przemoc domowa"),
    "basic_needs": _l("brak żywności lub leków"),
}


@bp.route("/<int:office_id>/helplines")
@roles_required(Role.ADMIN)
def index(office_id: int) -> Response:
    """Every helpline of the office, with which are in service today."""
    office = managed_office(office_id)
    db = get_session()
    return render("helplines/index.html", office=office, lines=all_office_helplines(db, office_id),
                  today=local_now().date(), own=store.is_own(db, office_id, HELPLINES), labels=GUIDANCE_LABELS)


def _form_page(office_id: int, *, line_id: str | None, form: edit.HelplineForm, errors: dict[str, str],
               emergency: bool = False) -> Response:
    office = managed_office(office_id)
    return render("helplines/edit.html", status=422 if errors else 200, office=office, line_id=line_id, form=form,
                  errors=errors, emergency=emergency, keys=GUIDANCE_KEYS, labels=GUIDANCE_LABELS)


@bp.route("/<int:office_id>/helplines/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new(office_id: int) -> Response:
    """Add a helpline."""
    managed_office(office_id)
    if request.method == "POST":
        form = edit.HelplineForm.from_mapping(request.form)
        try:
            line = edit.save_line(get_session(), office_id=office_id, actor_id=me().id, line_id=None, form=form)
        except edit.HelplineError as exc:
            return _form_page(office_id, line_id=None, form=form, errors=exc.errors)
        flash(str(_l("Dodano numer %(number)s.", number=line.number)), "success")
        return redirect(url_for("helplines.index", office_id=office_id))  # type: ignore[return-value]
    return _form_page(office_id, line_id=None, form=edit.HelplineForm(), errors={})


@bp.route("/<int:office_id>/helplines/<line_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def change(office_id: int, line_id: str) -> Response:
    """Change a helpline's number, names, hours or dates of service."""
    managed_office(office_id)
    db = get_session()
    try:
        line = edit.find_line(all_office_helplines(db, office_id), line_id)
    except edit.HelplineMissing:
        abort(404)
    if request.method == "POST":
        form = edit.HelplineForm.from_mapping(request.form)
        try:
            saved = edit.save_line(db, office_id=office_id, actor_id=me().id, line_id=line_id, form=form)
        except edit.HelplineError as exc:
            return _form_page(office_id, line_id=line_id, form=form, errors=exc.errors, emergency=line.emergency)
        except edit.HelplineMissing:
            abort(404)
        flash(str(_l("Zapisano numer %(number)s.", number=saved.number)), "success")
        return redirect(url_for("helplines.index", office_id=office_id))  # type: ignore[return-value]
    return _form_page(office_id, line_id=line_id, form=edit.HelplineForm.of(line), errors={}, emergency=line.emergency)


@bp.route("/<int:office_id>/helplines/<line_id>/delete", methods=["POST"])
@roles_required(Role.ADMIN)
def remove(office_id: int, line_id: str) -> Response:
    """Remove a helpline (ending it with a date keeps it listed; removing forgets it)."""
    managed_office(office_id)
    try:
        line = edit.remove_line(get_session(), office_id=office_id, actor_id=me().id, line_id=line_id)
    except edit.HelplineMissing:
        abort(404)
    except edit.HelplineError as exc:
        flash(next(iter(exc.errors.values())), "error")
    else:
        flash(str(_l("Usunięto numer %(number)s.", number=line.number)), "success")
    return redirect(url_for("helplines.index", office_id=office_id))  # type: ignore[return-value]
