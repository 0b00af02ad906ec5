"""Retention settings, read like app.config.Settings (TELEWYWIAD_RETENTION_*).

Personal records (cases, referrals) and the audit log are kept forever unless a period is configured: the office's
records classification decides, not telewywiad. Purely technical rows (expired web sessions, login attempts,
resume drafts, delivered mail) have short defaults.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from flask import Flask, current_app
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.config import ENV_FILE_NAME

EXTENSION_KEY = "telewywiad.privacy_settings"


class ReportFilePolicy(StrEnum):
    """What happens to a case's signed report PDFs when the case is anonymised."""

    DELETE = "delete"
    KEEP = "keep"


class PrivacySettings(BaseSettings):
    """Retention periods per record type; None means keep forever."""

    model_config = SettingsConfigDict(env_prefix="TELEWYWIAD_", extra="ignore", populate_by_name=True)

    # Years after a case's last activity (closed or interview done, no open referral) before it is anonymised.
    retention_case_years: float | None = Field(default=None, gt=0)
    # Years after a closed or returned referral's last change before its contact details are anonymised.
    retention_referral_years: float | None = Field(default=None, gt=0)
    # Years after an appointment's time before its contact data are anonymised (with its case in any case).
    retention_appointment_years: float | None = Field(default=None, gt=0)
    # Years after which the oldest audit events are deleted (whole; the chain stays verifiable).
    retention_audit_years: float | None = Field(default=None, gt=0)
    # Signed report PDFs of an anonymised case: deleted (default) or kept as the signed record.
    retention_report_files: ReportFilePolicy = ReportFilePolicy.DELETE
    # Technical rows: idle web sessions, login attempts, resume drafts (they hold typed answers), sent mail.
    retention_session_days: float = Field(default=2, gt=0)
    retention_login_attempt_days: float = Field(default=7, gt=0)
    retention_draft_days: float = Field(default=14, gt=0)
    retention_mail_days: float = Field(default=90, gt=0)


def load_privacy_settings(instance_path: Path) -> PrivacySettings:
    """Settings from the environment, then the instance folder's telewywiad.env (as app.config does)."""
    env_file = instance_path / ENV_FILE_NAME
    return PrivacySettings(_env_file=env_file if env_file.exists() else None)


def privacy_settings(app: Flask | None = None) -> PrivacySettings:
    """The application's retention settings, read once; tests put their own into app.extensions."""
    application = app or current_app
    found = application.extensions.get(EXTENSION_KEY)
    if found is None:
        found = load_privacy_settings(Path(application.instance_path))
        application.extensions[EXTENSION_KEY] = found
    assert isinstance(found, PrivacySettings)  # noqa: S101
    return found
