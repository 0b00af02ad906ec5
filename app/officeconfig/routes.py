"""The settings page of an office: one form per group; a bad value is named at its field and nothing is saved."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from app.auth.access import me, roles_required
from app.auth.models import Office, Role
from app.db import get_session
from app.officeconfig import registry, store
from app.offices.access import managed_office
from app.web.htmx import is_htmx, render

bp = Blueprint("officeconfig", __name__, url_prefix="/admin/offices")


def _group_view(office: Office, group: registry.Group, *, values: dict[str, str] | None = None,
                errors: dict[str, str] | None = None, saved: bool = False) -> dict[str, Any]:
    db = get_session()
    assert office.id is not None  # noqa: S101
    settings = registry.definitions(group.key, form_only=True)
    return {
        "group": group,
        "settings": settings,
        "values": values if values is not None else store.form_values(db, office.id, group.key),
        "defaults": {s.key: s.show(s.default()) for s in settings},
        "errors": errors or {},
        "saved": saved,
    }


def _page(office: Office, *, status: int = 200, override: dict[str, Any] | None = None) -> Response:
    views = []
    for group in registry.groups():
        if not registry.definitions(group.key, form_only=True):
            continue
        views.append(override if override and override["group"].key == group.key else _group_view(office, group))
    return render("officeconfig/settings.html", status=status, office=office, views=views)


@bp.route("/<int:office_id>/settings")
@roles_required(Role.ADMIN)
def page(office_id: int) -> Response:
    """Every setting of the office, by group, with the installation default beside each."""
    return _page(managed_office(office_id))


@bp.route("/<int:office_id>/settings/<group_key>", methods=["POST"])
@roles_required(Role.ADMIN)
def save(office_id: int, group_key: str) -> Response:
    """Save one group; effective from the next request on every app host (read from the database)."""
    office = managed_office(office_id)
    try:
        group = registry.group(group_key)
    except KeyError:
        abort(404)
    if not registry.definitions(group.key, form_only=True):
        abort(404)
    values = {s.key: request.form.get(s.key, "") for s in registry.definitions(group.key, form_only=True)}
    errors = store.save_group(get_session(), office_id=office_id, group=group.key, form=values, actor_id=me().id)
    if errors:
        view = _group_view(office, group, values=values, errors=errors)
        if is_htmx():  # htmx swaps 2xx only: the group with its messages comes back as 200
            return render("officeconfig/_group.html", office=office, view=view)
        return _page(office, status=422, override=view)
    if is_htmx():
        return render("officeconfig/_group.html", office=office, view=_group_view(office, group, saved=True))
    flash(str(_l("Zapisano: %(group)s.", group=group.title)), "success")
    return redirect(url_for("officeconfig.page", office_id=office_id, _anchor=f"g-{group.key}"))  # type: ignore[return-value]
