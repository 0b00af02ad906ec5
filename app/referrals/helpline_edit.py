"""Administrators edit an office's helplines line by line: checked field by field, every change audited old → new."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from app.errors import InvalidInput
from app.fields import optional_day
from app.formdefs.model import LocalText
from app.officeconfig import store
from app.referrals.helplines import GUIDANCE_KEYS, Helpline
from app.referrals.office_settings import HELPLINES, encode_line
from app.web.forms import PostedForm

_NUMBER = re.compile(r"^\d[\d ]{1,14}\d$")
MAX_TEXT = 200
MAX_LINES = 30


class HelplineError(InvalidInput):
    """The typed helpline cannot be stored; `errors` maps form fields to messages in Polish."""


class HelplineMissing(LookupError):
    """No helpline with this id in the office (the web layer answers 404)."""


@dataclass
class HelplineForm(PostedForm):
    """What was typed into the helpline form, kept as typed."""

    number: str = ""
    name_pl: str = ""
    name_en: str = ""
    hours_pl: str = ""
    hours_en: str = ""
    show_with: list[str] = field(default_factory=lambda: ["crisis"])
    valid_from: str = ""
    valid_until: str = ""

    @classmethod
    def from_mapping(cls, data: Any) -> HelplineForm:
        """From a request form (`show_with` may repeat)."""
        form = super().from_mapping(data)
        form.show_with = [str(v) for v in data.getlist("show_with")]
        return form

    @classmethod
    def of(cls, line: Helpline) -> HelplineForm:
        """A stored helpline as form values."""
        return cls(
            number=line.number, name_pl=line.name.pl, name_en=line.name.en, hours_pl=line.hours.pl,
            hours_en=line.hours.en, show_with=sorted(line.show_with),
            valid_from=line.valid_from.isoformat() if line.valid_from else "",
            valid_until=line.valid_until.isoformat() if line.valid_until else "",
        )


def _text(text: str, field_name: str, errors: dict[str, str], *, required: Any = None) -> str:
    value = " ".join(text.split())
    if required and not value:
        errors[field_name] = str(required)
    elif len(value) > MAX_TEXT:
        errors[field_name] = str(_l("Najwyżej 200 znaków."))
    return value


def check_form(form: HelplineForm, *, line_id: str, emergency: bool) -> Helpline:
    """The helpline the form describes, or HelplineError naming every field with a problem."""
    errors: dict[str, str] = {}
    number = " ".join(form.number.split())
    if not _NUMBER.match(number):
        errors["number"] = str(_l("Numer: same cyfry (spacje dozwolone), od 3 do 16 znaków, np. 800 70 2222."))
    name_pl = _text(form.name_pl, "name_pl", errors, required=_l("Podaj nazwę telefonu wsparcia."))
    name_en = _text(form.name_en, "name_en", errors)
    hours_pl = _text(form.hours_pl, "hours_pl", errors, required=_l("Podaj godziny działania, np. „całą dobę”."))
    hours_en = _text(form.hours_en, "hours_en", errors)
    show_with = [key for key in form.show_with if key in GUIDANCE_KEYS]
    if not show_with:
        errors["show_with"] = str(_l("Wybierz, przy jakich sygnałach pokazywać ten numer."))
    valid_from = optional_day(errors, "valid_from", form.valid_from)
    valid_until = optional_day(errors, "valid_until", form.valid_until)
    if valid_from and valid_until and valid_until < valid_from:
        errors["valid_until"] = str(_l("Data końcowa nie może być wcześniejsza niż początkowa."))
    if emergency and (valid_from or valid_until):
        errors["valid_until"] = str(_l("Numer alarmowy działa zawsze: nie ustawia się mu dat."))
    if errors:
        raise HelplineError(errors)
    return Helpline(
        id=line_id, number=number, name=LocalText(name_pl, name_en or name_pl),
        hours=LocalText(hours_pl, hours_en or hours_pl), show_with=frozenset(show_with), emergency=emergency,
        valid_from=valid_from, valid_until=valid_until,
    )


def find_line(lines: tuple[Helpline, ...], line_id: str) -> Helpline:
    """The line with this id; HelplineMissing otherwise."""
    for line in lines:
        if line.id == line_id:
            return line
    raise HelplineMissing(line_id)


def _new_id(lines: tuple[Helpline, ...]) -> str:
    taken = {line.id for line in lines}
    number = len(lines) + 1
    while f"line_{number}" in taken:
        number += 1
    return f"line_{number}"


def _describe(line_id: str, old_line: Helpline | None, new_line: Helpline | None) -> dict[str, Any]:
    return {"line": line_id, "old": encode_line(old_line) if old_line else None,
            "new": encode_line(new_line) if new_line else None}


def save_line(session: Session, *, office_id: int, actor_id: int, line_id: str | None, form: Mapping[str, Any] | HelplineForm) -> Helpline:
    """Add a helpline (line_id None) or change one; checked first, then applied to the current list under a lock."""
    typed = form if isinstance(form, HelplineForm) else HelplineForm.from_mapping(form)
    current = store.get(session, office_id, HELPLINES)
    if line_id is None:
        if len(current) >= MAX_LINES:
            raise HelplineError({"number": str(_l("Ośrodek ma już 30 telefonów wsparcia."))})
        target_id, emergency = _new_id(current), False
    else:
        existing = find_line(current, line_id)
        target_id, emergency = existing.id, existing.emergency
    line = check_form(typed, line_id=target_id, emergency=emergency)
    audit: dict[str, Any] = {}

    def update(lines: tuple[Helpline, ...]) -> tuple[Helpline, ...]:
        if line_id is None:
            # Another administrator may have added one meanwhile: take a free id in the list as it is now.
            added = replace(line, id=_new_id(lines))
            audit.update(_describe(added.id, None, added))
            return (*lines, added)
        audit.update(_describe(line_id, find_line(lines, line_id), line))
        return tuple(line if item.id == line_id else item for item in lines)

    _, lines = store.change(session, office_id=office_id, setting=HELPLINES, update=update, actor_id=actor_id,
                            describe=lambda _old, _new: audit)
    return find_line(lines, audit["line"])


def remove_line(session: Session, *, office_id: int, actor_id: int, line_id: str) -> Helpline:
    """Remove a helpline (not the emergency number); audited with what it was."""
    line = find_line(store.get(session, office_id, HELPLINES), line_id)
    if line.emergency:
        raise HelplineError({"": str(_l("Numeru alarmowego nie można usunąć."))})

    def update(lines: tuple[Helpline, ...]) -> tuple[Helpline, ...]:
        find_line(lines, line_id)
        return tuple(item for item in lines if item.id != line_id)

    store.change(session, office_id=office_id, setting=HELPLINES, update=update, actor_id=actor_id,
                 describe=lambda _o, _n: _describe(line_id, line, None))
    return line
