"""The typed registry of per-office settings: each feature defines its own keys, with parsing and a default.

A feature adds a setting by calling `define(...)` (or one of the kind helpers `integer`, `clock_time`,
`email_list`, `optional_years`) at import time of one of its modules that the application imports anyway (its
routes import it), e.g. ``app/cases/office_settings.py``::

    CALLS = integer("cases.calls_before_other_route", group="cases", label=_l("..."), minimum=1, maximum=20,
                    default=lambda: get_settings().calls_before_other_route)

and reads it with ``store.get(session, office_id, CALLS)``. The settings page lists every definition of a
registered group with `form=True`; values of other shapes (e.g. the helplines list) set `form=False` and get a page
of their own, but share the store, its per-request cache and its audit trail. The default is the
installation-wide value (usually an environment variable), used while the office has not set its own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask_babel import lazy_gettext as _l

from app.fields import FieldError, parse_email

T = TypeVar("T")


class SettingError(ValueError):
    """A value that cannot be used for a setting; the message (Polish) is shown at the field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Group:
    """A heading on the settings page and the unit saved by one form."""

    key: str
    title: Any
    order: int
    description: Any = None


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True, eq=False)
class SettingDef(Generic[T]):
    """One setting: how its text is parsed and shown, its installation default, how it is stored as JSON."""

    key: str
    group: str
    label: Any
    parse: Callable[[str], T]
    show: Callable[[T], str]
    default: Callable[[], T]
    hint: Any = None
    encode: Callable[[T], Any] = _same
    decode: Callable[[Any], T] = _same
    form: bool = True
    input_type: str = "text"
    inputmode: str | None = None


_DEFINITIONS: dict[str, SettingDef[Any]] = {}
_GROUPS: dict[str, Group] = {}


def define_group(key: str, title: Any, *, order: int, description: Any = None) -> Group:
    """Register a group of settings (idempotent for the same key)."""
    group = _GROUPS.setdefault(key, Group(key, title, order, description))
    return group


def define(definition: SettingDef[T]) -> SettingDef[T]:
    """Register a setting; its key must be new and its group registered."""
    if definition.key in _DEFINITIONS:
        raise ValueError(f"setting {definition.key!r} is defined twice")
    if definition.group not in _GROUPS:
        raise ValueError(f"setting {definition.key!r}: unknown group {definition.group!r}")
    _DEFINITIONS[definition.key] = definition
    return definition


def definition(key: str) -> SettingDef[Any]:
    """The setting registered under the key; KeyError if none."""
    return _DEFINITIONS[key]


def groups() -> list[Group]:
    """Groups in page order."""
    return sorted(_GROUPS.values(), key=lambda g: (g.order, g.key))


def group(key: str) -> Group:
    """A registered group; KeyError if none."""
    return _GROUPS[key]


def definitions(group_key: str | None = None, *, form_only: bool = False) -> list[SettingDef[Any]]:
    """Registered settings (of one group), in definition order."""
    return [
        d for d in _DEFINITIONS.values()
        if (group_key is None or d.group == group_key) and (d.form or not form_only)
    ]


# --------------------------------------------------------------------------- kinds


_WHOLE = re.compile(r"^-?[0-9]{1,12}$")


def _whole_number(text: str, minimum: int, maximum: int) -> int:
    value = text.strip()
    if not _WHOLE.match(value):  # ASCII digits only, and not thousands of them
        raise SettingError(str(_l("Wpisz liczbę całkowitą, np. %(example)s.", example=minimum)))
    number = int(value)
    if not minimum <= number <= maximum:
        raise SettingError(str(_l("Dozwolone wartości: od %(lo)s do %(hi)s.", lo=minimum, hi=maximum)))
    return number


def integer(key: str, *, group: str, label: Any, minimum: int, maximum: int, default: Callable[[], int],
            hint: Any = None) -> SettingDef[int]:
    """A whole number between `minimum` and `maximum`."""
    return define(SettingDef(
        key=key, group=group, label=label, hint=hint, default=default, show=str, inputmode="numeric",
        parse=lambda text: _whole_number(text, minimum, maximum),
        decode=lambda raw: _whole_number(str(raw), minimum, maximum),
    ))


def _clock(text: str) -> dt.time:
    value = text.strip().replace(".", ":")
    try:
        hours, minutes = value.split(":")
        return dt.time(int(hours), int(minutes))
    except ValueError:
        raise SettingError(str(_l("Wpisz godzinę jako GG:MM, np. 16:00."))) from None


def clock_time(key: str, *, group: str, label: Any, default: Callable[[], dt.time], hint: Any = None) -> SettingDef[dt.time]:
    """A time of day, typed as HH:MM."""
    return define(SettingDef(
        key=key, group=group, label=label, hint=hint, default=default, input_type="time",
        parse=_clock, show=lambda t: t.strftime("%H:%M"), encode=lambda t: t.strftime("%H:%M"),
        decode=lambda raw: _clock(str(raw)),
    ))


MAX_ADDRESSES = 10


def _emails(text: str) -> tuple[str, ...]:
    parts = [p.strip() for p in text.replace(";", ",").replace("\n", ",").split(",") if p.strip()]
    if len(parts) > MAX_ADDRESSES:
        raise SettingError(str(_l("Podaj najwyżej 10 adresów.")))
    found: list[str] = []
    for part in parts:
        try:
            address = parse_email(part)
        except FieldError as exc:
            raise SettingError(f"{part}: {exc.message}") from None
        if address not in found:
            found.append(address)
    return tuple(found)


def email_list(key: str, *, group: str, label: Any, default: Callable[[], tuple[str, ...]],
               hint: Any = None) -> SettingDef[tuple[str, ...]]:
    """E-mail addresses separated by commas (or one per line)."""
    return define(SettingDef(
        key=key, group=group, label=label, hint=hint, default=default, input_type="text", inputmode="email",
        parse=_emails, show=", ".join, encode=list, decode=lambda raw: tuple(str(a) for a in raw),
    ))


def _years(text: str) -> float:
    value = text.strip().replace(",", ".")
    try:
        years = float(value)
    except ValueError:
        raise SettingError(str(_l("Wpisz liczbę lat, np. 10."))) from None
    if not 0 < years <= 100:
        raise SettingError(str(_l("Liczba lat musi być większa od 0 i nie większa niż 100.")))
    return years


def _show_years(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


def optional_years(key: str, *, group: str, label: Any, default: Callable[[], float | None],
                   hint: Any = None) -> SettingDef[float | None]:
    """A number of years, or none (keep forever) when the installation default has none."""
    return define(SettingDef(
        key=key, group=group, label=label, hint=hint, default=default, inputmode="decimal",
        parse=_years, show=_show_years, decode=lambda raw: None if raw is None else _years(str(raw)),
    ))
