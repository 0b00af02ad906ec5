"""The site root: sends each user to their role's start page."""

from __future__ import annotations

from flask import Blueprint, Response, redirect
from flask_login import login_required

from app.auth.access import me
from app.auth.landing import home_for

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index() -> Response:
    """Send the user to their start page."""
    return redirect(home_for(me()))  # type: ignore[return-value]
