"""Settings of the referral feature (SMTP, notification, target times, helplines), read like app.config.Settings.

Kept beside the feature until the lead folds them into `app.config.Settings`; the environment variable names are
final: TELEWYWIAD_SMTP_HOST, _SMTP_PORT, _SMTP_USER, _SMTP_PASSWORD, _SMTP_FROM, _SMTP_STARTTLS,
TELEWYWIAD_REFERRAL_NOTIFY_TO, TELEWYWIAD_BASE_URL, TELEWYWIAD_REFERRAL_TARGET_DAYS_URGENT/_HIGH/_NORMAL,
TELEWYWIAD_REFERRAL_WORKDAY_END and TELEWYWIAD_HELPLINES_FILE.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Flask, current_app
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.config import ENV_FILE_NAME

EXTENSION_KEY = "telewywiad.referral_settings"
DEFAULT_HELPLINES_FILE = Path(__file__).resolve().parents[2] / "forms" / "helplines.yml"


class ReferralSettings(BaseSettings):
    """Knobs of the referral feature; each maps to TELEWYWIAD_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="TELEWYWIAD_", extra="ignore", populate_by_name=True)

    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: SecretStr | None = None
    smtp_from: str = ""
    smtp_starttls: bool = True
    smtp_timeout: float = Field(default=10.0, gt=0)
    referral_notify_to: str = ""
    base_url: str = "http://127.0.0.1:5000"

    # Target time to the first contact attempt, in working days after the day the referral was sent
    # (0 = the same working day). Working days exclude weekends and Polish public holidays.
    referral_target_days_urgent: int = Field(default=0, ge=0, le=30)
    referral_target_days_high: int = Field(default=1, ge=0, le=30)
    referral_target_days_normal: int = Field(default=3, ge=0, le=30)
    # End of the office's working day (local time): a referral sent later counts from the next working day.
    referral_workday_end: dt.time = dt.time(16, 0)

    helplines_file: Path = DEFAULT_HELPLINES_FILE

    @property
    def notify_recipients(self) -> list[str]:
        """Addresses that get the no-personal-data notice of new referrals."""
        return [a.strip() for a in self.referral_notify_to.split(",") if a.strip()]

    @property
    def mail_configured(self) -> bool:
        """Whether the outbox can be delivered at all."""
        return bool(self.smtp_host and self.smtp_from)

    def target_days(self, priority: str) -> int:
        """Working days allowed before the first contact, by priority."""
        return {
            "urgent": self.referral_target_days_urgent,
            "high": self.referral_target_days_high,
            "normal": self.referral_target_days_normal,
        }[priority]


def load_referral_settings(instance_path: Path) -> ReferralSettings:
    """Settings from the environment, then the instance folder's telewywiad.env (as app.config does)."""
    env_file = instance_path / ENV_FILE_NAME
    return ReferralSettings(_env_file=env_file if env_file.exists() else None)


def referral_settings(app: Flask | None = None) -> ReferralSettings:
    """The application's referral settings, read once; tests put their own into app.extensions."""
    application = app or current_app
    found = application.extensions.get(EXTENSION_KEY)
    if found is None:
        found = load_referral_settings(Path(application.instance_path))
        application.extensions[EXTENSION_KEY] = found
    assert isinstance(found, ReferralSettings)  # noqa: S101
    return found
