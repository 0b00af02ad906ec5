"""Role start pages: where each user lands after logging in."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, url_for
from flask_login import login_required

from app.auth.models import Role
from app.auth.services import Principal
from app.web.access import me

bp = Blueprint("home", __name__)

# First matching role decides the start page of a user holding several roles.
START_PAGES: list[tuple[Role, str]] = [
    (Role.WORKER, "cases.today"),
    (Role.SUPERVISOR, "reports.queue"),
    (Role.PSYCHOLOGIST, "referrals.list"),
    (Role.ADMIN, "admin.users"),
    (Role.RECEPTION, "appointments.day"),
]


def home_for(principal: Principal) -> str:
    """URL of the start page for the user's main role."""
    for role, endpoint in START_PAGES:
        if principal.has(role):
            return url_for(endpoint)
    return url_for("auth.account")


@bp.route("/")
@login_required
def index() -> Response:
    """Send the user to their start page."""
    return redirect(home_for(me()))  # type: ignore[return-value]
