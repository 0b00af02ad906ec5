"""Where each user lands after logging in: the start page of their main role (endpoint names only)."""

from __future__ import annotations

from flask import url_for

from app.auth.models import Role
from app.auth.services import Principal

# First matching role decides the start page of a user holding several roles.
START_PAGES: list[tuple[Role, str]] = [
    (Role.WORKER, "worklist.today"),
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
