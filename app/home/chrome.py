"""What every staff page's header shows besides the menu: the reports back for corrections (the "Raporty" badge) and
who is on the duty phone now. At most two small statements per full page, none for a partial (app/web/chrome.py)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import g
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from app.auth.models import Role
from app.clock import utcnow
from app.db import get_session
from app.reports.returned import returned_count
from app.staffing.duty import on_duty_now

log = logging.getLogger("telewywiad.home")


def staff_chrome(given: Mapping[str, Any]) -> dict[str, Any]:
    """`nav_returned` (the badge; a view that lists the returned reports gives it) and `on_duty` (None: nobody)."""
    if not current_user or not current_user.is_authenticated:
        return {}
    session = get_session()
    office_id = int(current_user.office_id)
    try:
        chrome: dict[str, Any] = {"on_duty": on_duty_now(session, office_id, utcnow())}
        if "nav_returned" not in given:
            chrome["nav_returned"] = (
                returned_count(session, worker_id=int(current_user.id), office_id=office_id)
                if current_user.has(Role.WORKER) else 0
            )
    except SQLAlchemyError:
        # The header must never turn a page (an error page above all) into a second failure.
        log.warning("page header skipped request_id=%s", g.get("request_id"))
        return {}
    return chrome
