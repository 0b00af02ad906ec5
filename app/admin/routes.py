"""Administrators create, edit, disable and re-enable users of their own office."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from app.auth.access import me, require_same_office, roles_required
from app.auth.drafts import register_form
from app.auth.labels import role_label
from app.auth.models import Office, Role, User
from app.auth.services import (
    AccountError,
    create_user,
    office_users,
    reset_password,
    roles_of,
    set_active,
    update_user,
)
from app.db import get_session
from app.web.htmx import render

bp = Blueprint("admin", __name__, url_prefix="/admin")

_ACCOUNT_LABELS = {
    "full_name": _l("Imię i nazwisko"),
    "username": _l("Nazwa użytkownika"),
    "email": _l("E-mail służbowy"),
    "roles": _l("Role"),
}
register_form("admin.new_user", _l("Nowe konto użytkownika"), _ACCOUNT_LABELS, {"roles": role_label})
register_form("admin.edit_user", _l("Zmiana konta użytkownika"), _ACCOUNT_LABELS, {"roles": role_label})


def _roles_from_form() -> set[Role]:
    return {Role(value) for value in request.form.getlist("roles") if value in set(Role)}


def _user_in_my_office(user_id: int) -> User:
    user = get_session().get(User, user_id)
    if user is None:
        abort(404)
    require_same_office(user.office_id)
    return user


@bp.route("/users")
@roles_required(Role.ADMIN)
def users() -> Response:
    """List the office's accounts."""
    db = get_session()
    office = db.get(Office, me().office_id)
    return render("admin/users.html", office=office, users=office_users(db, me().office_id))


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_user() -> Response:
    """Create an account in the administrator's office."""
    values = {"username": "", "full_name": "", "email": "", "roles": [Role.WORKER.value]}
    if request.method == "POST":
        values = {
            "username": request.form.get("username", ""),
            "full_name": request.form.get("full_name", ""),
            "email": request.form.get("email", ""),
            "roles": request.form.getlist("roles"),
        }
        try:
            user = create_user(
                get_session(),
                office_id=me().office_id,
                username=values["username"],  # type: ignore[arg-type]
                full_name=values["full_name"],  # type: ignore[arg-type]
                email=values["email"],  # type: ignore[arg-type]
                password=request.form.get("password", ""),
                roles=_roles_from_form(),
                actor_id=me().id,
            )
        except AccountError as exc:
            return render("admin/user_new.html", status=422, values=values, errors={exc.field: exc.message})
        flash(str(_l("Utworzono konto %(username)s.", username=user.username)), "success")
        return redirect(url_for("admin.users"))  # type: ignore[return-value]
    return render("admin/user_new.html", values=values, errors={})


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_user(user_id: int) -> Response:
    """Change a user's name, e-mail and roles."""
    db = get_session()
    user = _user_in_my_office(user_id)
    roles = roles_of(db, user_id)
    values = {"full_name": user.full_name, "email": user.email, "roles": [r.value for r in roles]}
    if request.method == "POST":
        values = {
            "full_name": request.form.get("full_name", ""),
            "email": request.form.get("email", ""),
            "roles": request.form.getlist("roles"),
        }
        try:
            update_user(
                db,
                user,
                full_name=values["full_name"],  # type: ignore[arg-type]
                email=values["email"],  # type: ignore[arg-type]
                roles=_roles_from_form(),
                actor_id=me().id,
            )
        except AccountError as exc:
            return render(
                "admin/user_edit.html", status=422, user=user, values=values, errors={exc.field: exc.message}
            )
        flash(str(_l("Zapisano zmiany konta %(username)s.", username=user.username)), "success")
        return redirect(url_for("admin.users"))  # type: ignore[return-value]
    return render("admin/user_edit.html", user=user, values=values, errors={})


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles_required(Role.ADMIN)
def toggle_active(user_id: int) -> Response:
    """Disable or re-enable an account."""
    user = _user_in_my_office(user_id)
    active = request.form.get("active") == "1"
    try:
        set_active(get_session(), user, active=active, actor_id=me().id)
    except AccountError as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.users"))  # type: ignore[return-value]
    message = _l("Konto %(u)s jest aktywne.", u=user.username) if active else _l("Konto %(u)s zablokowano.", u=user.username)
    flash(str(message), "success")
    return redirect(url_for("admin.users"))  # type: ignore[return-value]


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@roles_required(Role.ADMIN)
def set_password(user_id: int) -> Response:
    """Set a new password for a user (e.g. one who forgot theirs)."""
    db = get_session()
    user = _user_in_my_office(user_id)
    try:
        reset_password(db, user, new=request.form.get("password", ""), actor_id=me().id)
    except AccountError as exc:
        roles = roles_of(db, user_id)
        values = {"full_name": user.full_name, "email": user.email, "roles": [r.value for r in roles]}
        return render(
            "admin/user_edit.html", status=422, user=user, values=values, errors={"password": exc.message}
        )
    flash(str(_l("Ustawiono nowe hasło dla %(u)s.", u=user.username)), "success")
    return redirect(url_for("admin.users"))  # type: ignore[return-value]
