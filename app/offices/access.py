"""Who may open an office's management pages: its own administrators, and installation administrators for all."""

from __future__ import annotations

from app.auth.access import me
from app.auth.models import Office
from app.db import get_session
from app.errors import Forbidden, NotFound
from app.offices.services import is_installation_admin, may_manage


def managed_office(office_id: int) -> Office:
    """The office if the user may manage it; 404 otherwise (another office's id reveals nothing)."""
    db = get_session()
    office = db.get(Office, office_id)
    if office is None or office.id is None or not may_manage(db, me(), office.id):
        raise NotFound()
    return office


def require_installation_admin() -> None:
    """403 unless the user administers the whole installation."""
    if not is_installation_admin(get_session(), me().id):
        raise Forbidden()


def installation_admin() -> bool:
    """Whether the logged-in user administers the whole installation."""
    return is_installation_admin(get_session(), me().id)
