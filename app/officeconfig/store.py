"""Read and change per-office settings: read from the database once per request, every change audited.

Values are cached in the SQLAlchemy session's `info` (one session per request or command), never in the process:
a change made on one app host is used by every host from its next request, without a restart.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlmodel import Session, col, delete, select

from app import audit
from app.auth.models import Office
from app.clock import utcnow
from app.db import dialect_insert
from app.officeconfig.models import OfficeSetting
from app.officeconfig.registry import SettingDef, SettingError, definitions

T = TypeVar("T")
CACHE_KEY = "telewywiad.office_settings"
log = logging.getLogger("telewywiad.settings")


def _cache(session: Session) -> dict[int, dict[str, Any]]:
    cache: dict[int, dict[str, Any]] = session.info.setdefault(CACHE_KEY, {})
    return cache


def _stored(session: Session, office_id: int) -> dict[str, Any]:
    """The office's stored values (decoded JSON) by key; one query per office per session."""
    cache = _cache(session)
    if office_id not in cache:
        rows = session.exec(select(OfficeSetting.key, OfficeSetting.value).where(OfficeSetting.office_id == office_id))
        cache[office_id] = {key: json.loads(value) for key, value in rows.all()}
    return cache[office_id]


def get(session: Session, office_id: int, setting: SettingDef[T]) -> T:
    """The office's value of the setting, or the installation default when it has none."""
    stored = _stored(session, office_id)
    if setting.key not in stored:
        return setting.default()
    try:
        return setting.decode(stored[setting.key])
    except (SettingError, ValueError, TypeError, KeyError):
        # A value stored by an older release that no longer parses: the default keeps the office working.
        log.warning("office %s: stored setting %s is not usable; using the default", office_id, setting.key)
        return setting.default()


def is_own(session: Session, office_id: int, setting: SettingDef[Any]) -> bool:
    """Whether the office has its own value (False: the installation default applies)."""
    return setting.key in _stored(session, office_id)


def _lock_office(session: Session, office_id: int) -> None:
    """Serialise changes of one office's settings (PostgreSQL row lock; SQLite writers are serialised anyway)."""
    session.exec(select(Office.id).where(Office.id == office_id).with_for_update()).first()


def _fresh(session: Session, office_id: int) -> dict[str, Any]:
    _cache(session).pop(office_id, None)
    return _stored(session, office_id)


def _write(session: Session, office_id: int, setting: SettingDef[T], value: T, actor_id: int | None) -> None:
    payload = json.dumps(setting.encode(value), ensure_ascii=False, sort_keys=True)
    now = utcnow()
    session.exec(
        dialect_insert(session, OfficeSetting)
        .values(office_id=office_id, key=setting.key, value=payload, updated_at=now, updated_by_id=actor_id)
        .on_conflict_do_update(
            index_elements=["office_id", "key"], set_={"value": payload, "updated_at": now, "updated_by_id": actor_id}
        )
    )
    _cache(session).setdefault(office_id, {})[setting.key] = json.loads(payload)


def _audit(session: Session, office_id: int, key: str, actor_id: int | None, **details: Any) -> None:
    audit.log(session, "office.setting", actor=actor_id, object_type="office_setting", object_id=key,
              office_id=office_id, **details)


def change(
    session: Session, *, office_id: int, setting: SettingDef[T], update: Callable[[T], T], actor_id: int | None,
    describe: Callable[[T, T], dict[str, Any]] | None = None,
) -> tuple[T, T]:
    """Apply `update` to the current value under a lock (no lost update between two administrators); audited.

    `describe(old, new)` gives the audit details (default: both values as shown in the form). Returns (old, new).
    """
    _lock_office(session, office_id)
    stored = _fresh(session, office_id)
    old = get(session, office_id, setting)
    new = update(old)
    if setting.key in stored and setting.encode(new) == setting.encode(old):
        return old, new
    _write(session, office_id, setting, new, actor_id)
    details = describe(old, new) if describe else {"old": setting.show(old), "new": setting.show(new)}
    _audit(session, office_id, setting.key, actor_id, **details)
    return old, new


def reset(session: Session, *, office_id: int, setting: SettingDef[Any], actor_id: int | None) -> bool:
    """Go back to the installation default; audited. False when the office had no value of its own."""
    _lock_office(session, office_id)
    stored = _fresh(session, office_id)
    if setting.key not in stored:
        return False
    old = get(session, office_id, setting)
    session.exec(delete(OfficeSetting).where(
        col(OfficeSetting.office_id) == office_id, col(OfficeSetting.key) == setting.key))
    _cache(session)[office_id].pop(setting.key, None)
    _audit(session, office_id, setting.key, actor_id, old=setting.show(old), new=setting.show(setting.default()),
           default=True)
    return True


def save_group(session: Session, *, office_id: int, group: str, form: Mapping[str, str], actor_id: int | None) -> dict[str, str]:
    """Save every form setting of a group from typed text: all or nothing. Returns field errors (nothing saved then).

    An empty field returns the setting to the installation default.
    """
    errors: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    for setting in definitions(group, form_only=True):
        text = form.get(setting.key, "")
        if not text.strip():
            parsed[setting.key] = None
            continue
        try:
            parsed[setting.key] = (setting.parse(text),)
        except SettingError as exc:
            errors[setting.key] = exc.message
    if errors:
        return errors
    for setting in definitions(group, form_only=True):
        value = parsed[setting.key]
        if value is None:
            reset(session, office_id=office_id, setting=setting, actor_id=actor_id)
        else:
            change(session, office_id=office_id, setting=setting, update=_replace_with(value[0]), actor_id=actor_id)
    return {}


def _replace_with(value: Any) -> Callable[[Any], Any]:
    return lambda _old: value


def form_values(session: Session, office_id: int, group: str) -> dict[str, str]:
    """The group's own values as form text (empty where the installation default applies)."""
    return {
        s.key: s.show(get(session, office_id, s)) if is_own(session, office_id, s) else ""
        for s in definitions(group, form_only=True)
    }
