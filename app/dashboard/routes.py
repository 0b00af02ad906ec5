"""The supervisor's dashboard page."""

from __future__ import annotations

from flask import Blueprint, Response

from app.auth.access import me, roles_required
from app.auth.models import Role
from app.dashboard.services import dashboard
from app.db import get_session
from app.reports.states import STATE_LABELS
from app.web.htmx import render

bp = Blueprint("dashboard", __name__)


@bp.route("/review/dashboard")
@roles_required(Role.SUPERVISOR)
def index() -> Response:
    """Interviews per state, overdue deadlines and open referrals of the office."""
    board = dashboard(get_session(), office_id=me().office_id)
    return render("dashboard/index.html", board=board, state_labels=STATE_LABELS)
