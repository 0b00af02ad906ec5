"""Per-office retention periods of case files and referrals; the environment's TELEWYWIAD_RETENTION_* are the
installation-wide defaults (the audit log and technical rows stay installation-wide)."""

from __future__ import annotations

from flask import has_app_context
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from app.config import PrivacySettings, get_settings
from app.officeconfig import store
from app.officeconfig.registry import define_group, optional_years

define_group("retention", _l("Okresy przechowywania"), order=30,
             description=_l("Po tylu latach od ostatniej czynności zakończone sprawy i zgłoszenia są anonimizowane "
                            "(nocne zadanie „telewywiad retention run”). Puste pole: ustawienie instalacji."))


def _defaults() -> PrivacySettings:
    return get_settings().privacy if has_app_context() else PrivacySettings()


CASE_YEARS = optional_years(
    "retention.case_years", group="retention", label=_l("Akta spraw (lata)"),
    default=lambda: _defaults().retention_case_years,
    hint=_l("Zgodnie z jednolitym rzeczowym wykazem akt ośrodka, np. 10."),
)
REFERRAL_YEARS = optional_years(
    "retention.referral_years", group="retention", label=_l("Zgłoszenia do psychologa (lata)"),
    default=lambda: _defaults().retention_referral_years,
)


def office_retention(
    session: Session, office_id: int, defaults: PrivacySettings | None = None
) -> tuple[float | None, float | None]:
    """The office's (case, referral) retention in years, else `defaults`' (the installation's); None keeps forever."""
    if defaults is None:
        return store.get(session, office_id, CASE_YEARS), store.get(session, office_id, REFERRAL_YEARS)
    own = store.is_own
    return (
        store.get(session, office_id, CASE_YEARS) if own(session, office_id, CASE_YEARS) else defaults.retention_case_years,
        store.get(session, office_id, REFERRAL_YEARS) if own(session, office_id, REFERRAL_YEARS)
        else defaults.retention_referral_years,
    )
