"""Translated names of directory number kinds (weekday names: app.staffing.labels)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.directory.models import NumberKind
from app.staffing.labels import weekday_label

__all__ = ["KIND_LABELS", "kind_label", "weekday_label"]

KIND_LABELS = {
    NumberKind.GENERAL: _l("numer ogólny ośrodka"),
    NumberKind.SECTION: _l("numer sekcji"),
    NumberKind.FAX: _l("faks"),
    NumberKind.SPECIAL: _l("numer specjalny"),
}



def kind_label(value: NumberKind | str) -> str:
    """The number kind in the current language."""
    return str(KIND_LABELS[NumberKind(value)])
