"""Translated names of roles, for the UI."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.auth.models import Role

ROLE_LABELS = {
    Role.WORKER: _l("pracownik socjalny"),
    Role.PSYCHOLOGIST: _l("psycholog"),
    Role.SUPERVISOR: _l("kierownik"),
    Role.ADMIN: _l("administrator"),
    Role.RECEPTION: _l("recepcja"),
}


def role_label(role: Role | str) -> str:
    """The role's name in the current language."""
    return str(ROLE_LABELS[Role(role)])
