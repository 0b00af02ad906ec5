""""Who is on duty now" for the staff header: one query per page, remembered for the rest of the request."""

from __future__ import annotations

import logging

from flask import g
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from app.clock import utcnow
from app.db import get_session
from app.staffing.duty import OnDuty, on_duty_now

log = logging.getLogger("telewywiad.staffing")
_MISSING = object()


def duty_now() -> OnDuty | None:
    """The duty going on now in the logged-in user's office (None for visitors, or when nobody is on duty)."""
    if not current_user or not current_user.is_authenticated:
        return None
    cached = g.get("duty_now", _MISSING)
    if cached is not _MISSING:
        return cached
    try:
        found = on_duty_now(get_session(), int(current_user.office_id), utcnow())
    except SQLAlchemyError:
        # The header must never turn a page (an error page above all) into a second failure.
        log.warning("duty header skipped request_id=%s", g.get("request_id"))
        found = None
    g.duty_now = found
    return found
