"""The one typed Settings, read from the environment (TELEWYWIAD_*, DATABASE_URL); no default secret anywhere.

Features keep their knobs in a section of it (`settings.referrals`, `settings.privacy`), read from the same flat
variable names (TELEWYWIAD_SMTP_HOST, TELEWYWIAD_RETENTION_CASE_YEARS, …) and validated when the settings are loaded,
i.e. before the application starts. Code reads them only through `get_settings()`.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import secrets
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import AliasChoices, BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

if TYPE_CHECKING:
    from flask import Flask

ENV_FILE_NAME = "telewywiad.env"
ENV_PREFIX = "TELEWYWIAD_"
DEFAULT_HELPLINES_FILE = Path(__file__).resolve().parents[1] / "forms" / "helplines.yml"


class ConfigError(RuntimeError):
    """Raised when the settings cannot run the application safely."""


class Mode(StrEnum):
    """How the application runs: production demands a real secret and secure cookies."""

    PRODUCTION = "production"
    DEV = "dev"
    DEMO = "demo"
    TEST = "test"


def default_instance_path() -> Path:
    """The instance folder next to the `app` package (same rule as Flask for non-installed apps)."""
    return Path(__file__).resolve().parent.parent / "instance"


class ReferralSettings(BaseModel):
    """The referral feature's section (SMTP, notification, target times, helplines): `settings.referrals`."""

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


class ReportFilePolicy(StrEnum):
    """What happens to a case's signed report PDFs when the case is anonymised."""

    DELETE = "delete"
    KEEP = "keep"


class PrivacySettings(BaseModel):
    """Retention periods per record type (`settings.privacy`); None means keep forever.

    Personal records (cases, referrals) and the audit log are kept forever unless a period is configured: the
    office's records classification decides, not telewywiad. Purely technical rows have short defaults.
    """

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


# The sections of Settings; each of their fields is read from TELEWYWIAD_<FIELD> like a top-level one.
SECTIONS: dict[str, type[BaseModel]] = {"referrals": ReferralSettings, "privacy": PrivacySettings}


class _FlatSections(PydanticBaseSettingsSource):
    """Values of the sections' fields from the variables an environment source has read (flat names, no nesting)."""

    def __init__(self, settings_cls: type[BaseSettings], source: EnvSettingsSource) -> None:
        super().__init__(settings_cls)
        self._source = source

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover - unused
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found: Mapping[str, str | None] = self._source.env_vars
        values: dict[str, Any] = {}
        for section, model in SECTIONS.items():
            own = {name: found[key] for name in model.model_fields if (key := env_name(name).lower()) in found}
            if own:
                values[section] = own
        return values


def env_name(field: str) -> str:
    """The environment variable of a setting (top-level or in a section)."""
    return f"{ENV_PREFIX}{field.upper()}"


class Settings(BaseSettings):
    """Every knob of telewywiad; each maps to an environment variable TELEWYWIAD_<NAME>."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", populate_by_name=True)

    env: Mode = Mode.PRODUCTION
    secret_key: SecretStr | None = None
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("TELEWYWIAD_DATABASE_URL", "DATABASE_URL", "database_url")
    )
    instance_path: Path = Field(default_factory=default_instance_path)
    forms_dir: Path | None = None

    session_idle_minutes: float = Field(default=30.0, gt=0)
    session_max_hours: float = Field(default=12.0, gt=0)
    session_cookie_secure: bool = True
    trusted_proxies: int = Field(default=0, ge=0, le=5)

    login_max_failures: int = Field(default=5, ge=1)
    login_ip_max_failures: int = Field(default=20, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    login_lock_minutes: float = Field(default=1.0, gt=0)
    login_lock_max_minutes: float = Field(default=60.0, gt=0)
    # Signature checks of uploaded PDFs per user per minute (each one parses and validates a whole PDF).
    verify_max_per_minute: int = Field(default=10, ge=1, le=1000)

    default_locale: str = "pl"
    demo_password: SecretStr | None = None
    max_upload_mb: int = Field(default=10, ge=1, le=100)
    # One received document (photo, scan, PDF, e-mail); kept below max_upload_mb so an oversized file gets a message
    # at its field with everything else typed kept, instead of the bare "request too large" page.
    document_max_mb: int = Field(default=8, ge=1, le=100)
    # Failed call attempts (no answer, busy, voicemail, wrong number) before a case needs a letter or e-mail.
    calls_before_other_route: int = Field(default=3, ge=1, le=20)
    # Encrypts the office signing CA's key; required in production (see app/reports/pki_store.py).
    pki_passphrase: SecretStr | None = None
    # PEM file of further CA certificates trusted for signatures, e.g. the qualified trust service
    # providers whose certificates workers upload as their own; only the office CA when unset.
    trusted_ca_file: Path | None = None
    # The test suite only: hash passwords and wrap new signing keys with the cheapest argon2id, so tests that
    # create and log in users spend microseconds per hash. Refused unless env=test (see check()).
    test_cheap_hashing: bool = False
    # A folder holding the DejaVu Sans files, searched before static/vendor/fonts and Debian's fonts-dejavu-core.
    font_dir: Path | None = None

    referrals: ReferralSettings = Field(default_factory=ReferralSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The sections' flat variables rank with their source: arguments, then the environment, then the file."""
        assert isinstance(env_settings, EnvSettingsSource)  # noqa: S101
        assert isinstance(dotenv_settings, EnvSettingsSource)  # noqa: S101
        return (
            init_settings,
            _FlatSections(settings_cls, env_settings),
            env_settings,
            _FlatSections(settings_cls, dotenv_settings),
            dotenv_settings,
            file_secret_settings,
        )

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in ("pl", "en"):
            raise ValueError("default_locale must be 'pl' or 'en'")
        return value

    @property
    def is_production(self) -> bool:
        """True when nothing may be relaxed for convenience."""
        return self.env is Mode.PRODUCTION

    @property
    def cheap_hashing(self) -> bool:
        """True only for the test suite's apps: env=test and TELEWYWIAD_TEST_CHEAP_HASHING=true."""
        return self.env is Mode.TEST and self.test_cheap_hashing

    def effective_database_url(self) -> str:
        """The configured database, or the SQLite file in the instance folder."""
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                # psycopg 3 is the only PostgreSQL driver we ship.
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return url
        return f"sqlite:///{self.instance_path / 'telewywiad.sqlite3'}"

    def trusted_ca_certificates(self) -> tuple[bytes, ...]:
        """PEM certificates of TELEWYWIAD_TRUSTED_CA_FILE (re-read when the file changes); a bad file is an error."""
        if self.trusted_ca_file is None:
            return ()
        try:
            modified = self.trusted_ca_file.stat().st_mtime
        except OSError as exc:
            raise ConfigError(f"TELEWYWIAD_TRUSTED_CA_FILE={self.trusted_ca_file} cannot be read ({exc}).") from exc
        return _ca_bundle_cached(self.trusted_ca_file, modified)

    def resolved_secret_key(self) -> str:
        """The secret key; in dev/demo one is generated once and kept in the instance folder."""
        if self.secret_key is not None and len(self.secret_key.get_secret_value()) >= 32:
            return self.secret_key.get_secret_value()
        if self.secret_key is not None:
            raise ConfigError(
                "TELEWYWIAD_SECRET_KEY is too short: use at least 32 random characters, "
                "e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'."
            )
        if self.env in (Mode.PRODUCTION, Mode.TEST):
            raise ConfigError(
                "TELEWYWIAD_SECRET_KEY is not set. telewywiad refuses to start without a secret key "
                "outside dev/demo mode. Generate one with "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))' and set it in the environment."
            )
        return _instance_secret(self.instance_path)

    def check(self) -> None:
        """Refuse combinations that would be unsafe in production."""
        self.resolved_secret_key()
        self.trusted_ca_certificates()
        if self.is_production and not self.session_cookie_secure:
            raise ConfigError(
                "TELEWYWIAD_SESSION_COOKIE_SECURE=false is allowed only in dev/demo mode (local http)."
            )
        if self.test_cheap_hashing and self.env is not Mode.TEST:
            raise ConfigError(
                "TELEWYWIAD_TEST_CHEAP_HASHING weakens password hashing and is allowed only for the test suite "
                "(TELEWYWIAD_ENV=test)."
            )


def _ca_bundle(path: Path, modified: float) -> tuple[bytes, ...]:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    try:
        certificates = x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"TELEWYWIAD_TRUSTED_CA_FILE={path}: cannot read PEM certificates ({exc}).") from exc
    return tuple(c.public_bytes(Encoding.PEM) for c in certificates)


_ca_bundle_cached = functools.lru_cache(maxsize=4)(_ca_bundle)


def _instance_secret(instance_path: Path) -> str:
    """Read or create a random per-installation secret for dev/demo runs (never shipped, never shared)."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value)
    return value


def environment_instance_path() -> Path:
    """The instance folder named by TELEWYWIAD_INSTANCE_PATH (read before the rest, as it holds telewywiad.env)."""
    return Path(os.environ.get(env_name("instance_path")) or default_instance_path())


def load_settings() -> Settings:
    """Settings from the environment, then the instance folder's telewywiad.env (written by `make run`).

    Every value is checked here, sections included: a bad one stops start-up with the variable's name.
    """
    env_file = environment_instance_path() / ENV_FILE_NAME
    try:
        return Settings(_env_file=env_file if env_file.exists() else None)
    except ValidationError as exc:
        raise ConfigError(describe(exc)) from exc


# Settings whose values never appear in a message (they may hold a password).
_NEVER_ECHOED = ("SECRET", "PASSWORD", "PASSPHRASE", "DATABASE_URL")


def describe(error: ValidationError) -> str:
    """One line per bad value, named by its environment variable (TELEWYWIAD_SMTP_PORT: …)."""
    lines = []
    for problem in error.errors():
        location = [str(part) for part in problem["loc"]]
        if location and location[0] in SECTIONS:
            location = location[1:]
        name = env_name(location[0]) if location else "settings"
        if location and location[0] == "database_url":
            name = "DATABASE_URL / TELEWYWIAD_DATABASE_URL"
        given = problem.get("input")
        secret = any(word in name for word in _NEVER_ECHOED)
        shown = "" if secret or given is None or isinstance(given, dict) else f" (given: {given!r})"
        lines.append(f"{name}: {problem['msg']}{shown}")
    return "; ".join(lines)


SETTINGS_KEY = "telewywiad.settings"


def get_settings(app: Flask | None = None) -> Settings:
    """Settings of the current (or the given) application: create_app keeps the object it was given."""
    from flask import current_app

    settings: Settings = (app or current_app).extensions[SETTINGS_KEY]
    return settings
