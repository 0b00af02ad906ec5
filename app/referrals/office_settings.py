"""The referral feature's per-office settings: target times, end of the working day, notification addresses,
and the helplines shown with risk flags. The environment (TELEWYWIAD_REFERRAL_*, the helplines file) gives the
installation-wide defaults."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import has_app_context
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from app.clock import local_now
from app.config import ReferralSettings, get_settings
from app.formdefs.model import LocalText
from app.officeconfig import store
from app.officeconfig.registry import SettingDef, clock_time, define, define_group, email_list, integer
from app.referrals.helplines import GUIDANCE_KEYS, Helpline, Helplines, load_helplines

define_group("referrals", _l("Zgłoszenia do psychologa"), order=20,
             description=_l("Czas do pierwszej próby kontaktu liczony w dniach roboczych od dnia wysłania zgłoszenia."))
define_group("helplines", _l("Telefony wsparcia"), order=25)


def _defaults() -> ReferralSettings:
    if has_app_context():
        return get_settings().referrals
    return ReferralSettings()  # outside an application (pure tests): the defaults


def _target_default(priority: str) -> Callable[[], int]:
    return lambda: _defaults().target_days(priority)


TARGET_DAYS = {
    priority: integer(
        f"referrals.target_days_{priority}", group="referrals", label=label, minimum=0, maximum=30,
        default=_target_default(priority), hint=_l("0 = tego samego dnia roboczego."),
    )
    for priority, label in (
        ("urgent", _l("Pilne: dni robocze do pierwszego kontaktu")),
        ("high", _l("Wysoki priorytet: dni robocze do pierwszego kontaktu")),
        ("normal", _l("Zwykłe: dni robocze do pierwszego kontaktu")),
    )
}
WORKDAY_END = clock_time(
    "referrals.workday_end", group="referrals", label=_l("Koniec dnia pracy"),
    default=lambda: _defaults().referral_workday_end,
    hint=_l("Zgłoszenie wysłane później (albo w dzień wolny) liczy się od następnego dnia roboczego."),
)
NOTIFY_TO = email_list(
    "referrals.notify_to", group="referrals", label=_l("Powiadomienia o nowych zgłoszeniach (adresy e-mail)"),
    default=lambda: tuple(_defaults().notify_recipients),
    hint=_l("Adresy oddzielone przecinkami, np. dyzur.psycholog@ops.example.pl. Wiadomość nie zawiera danych osobowych."),
)


def office_referral_settings(session: Session, office_id: int) -> ReferralSettings:
    """The installation's referral settings with the office's own target times, working day and addresses."""
    base = _defaults()
    recipients: tuple[str, ...] = store.get(session, office_id, NOTIFY_TO)
    return base.model_copy(update={
        "referral_target_days_urgent": store.get(session, office_id, TARGET_DAYS["urgent"]),
        "referral_target_days_high": store.get(session, office_id, TARGET_DAYS["high"]),
        "referral_target_days_normal": store.get(session, office_id, TARGET_DAYS["normal"]),
        "referral_workday_end": store.get(session, office_id, WORKDAY_END),
        "referral_notify_to": ", ".join(recipients),
    })


# --------------------------------------------------------------------------- helplines


def _text(data: Any) -> LocalText:
    return LocalText(str(data.get("pl", "")), str(data.get("en", "") or data.get("pl", "")))


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def encode_line(line: Helpline) -> dict[str, Any]:
    """A helpline as stored (JSON)."""
    return {
        "id": line.id, "number": line.number, "name": {"pl": line.name.pl, "en": line.name.en},
        "hours": {"pl": line.hours.pl, "en": line.hours.en}, "show_with": sorted(line.show_with),
        "emergency": line.emergency,
        "valid_from": line.valid_from.isoformat() if line.valid_from else None,
        "valid_until": line.valid_until.isoformat() if line.valid_until else None,
    }


def decode_line(data: dict[str, Any]) -> Helpline:
    """A stored helpline."""
    return Helpline(
        id=str(data["id"]), number=str(data["number"]), name=_text(data["name"]), hours=_text(data["hours"]),
        show_with=frozenset(k for k in data.get("show_with", []) if k in GUIDANCE_KEYS),
        emergency=bool(data.get("emergency", False)),
        valid_from=_day(data.get("valid_from")), valid_until=_day(data.get("valid_until")),
    )


def _file_helplines() -> Helplines:
    return load_helplines(_defaults().helplines_file)


def _show_lines(lines: tuple[Helpline, ...]) -> str:
    return ", ".join(f"{line.number} ({line.name.pl})" for line in lines)


HELPLINES: SettingDef[tuple[Helpline, ...]] = define(SettingDef(
    key="referrals.helplines", group="helplines", label=_l("Telefony wsparcia"), form=False,
    default=lambda: _file_helplines().lines,
    parse=lambda _text: _file_helplines().lines,  # never parsed from one text field: edited line by line
    show=_show_lines,
    encode=lambda lines: [encode_line(line) for line in lines],
    decode=lambda raw: tuple(decode_line(item) for item in raw),
))


def office_helplines(session: Session, office_id: int, *, day: dt.date | None = None) -> Helplines:
    """The office's helplines in service today (or on `day`), with the installation's guidance texts."""
    lines = store.get(session, office_id, HELPLINES)
    return Helplines(lines, _file_helplines().guidance).on(day or local_now().date())


def all_office_helplines(session: Session, office_id: int) -> tuple[Helpline, ...]:
    """Every helpline of the office, ended and future ones included (the settings page)."""
    return store.get(session, office_id, HELPLINES)
