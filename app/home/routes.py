"""Role start pages: where each user lands after logging in."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, url_for
from flask_login import login_required

from app.auth.models import Role
from app.auth.services import Principal
from app.web.access import me, roles_required
from app.web.htmx import render

bp = Blueprint("home", __name__)

# First matching role decides the start page of a user holding several roles.
START_PAGES: list[tuple[Role, str]] = [
    (Role.WORKER, "home.worker"),
    (Role.SUPERVISOR, "reports.queue"),
    (Role.PSYCHOLOGIST, "home.psychologist"),
    (Role.ADMIN, "admin.users"),
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


@bp.route("/today")
@roles_required(Role.WORKER)
def worker() -> Response:
    """The social worker's work for today."""
    return render("home/worker.html")


@bp.route("/referrals")
@roles_required(Role.PSYCHOLOGIST, Role.SUPERVISOR)
def psychologist() -> Response:
    """The psychologists' referral list."""
    return render("home/psychologist.html")
