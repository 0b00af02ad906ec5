"""Typed settings read from the environment (TELEWYWIAD_*, DATABASE_URL); no default secret anywhere."""

from __future__ import annotations

import functools
import os
import secrets
from enum import StrEnum
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_FILE_NAME = "telewywiad.env"


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


class Settings(BaseSettings):
    """Every knob of telewywiad; each maps to an environment variable TELEWYWIAD_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="TELEWYWIAD_", extra="ignore", populate_by_name=True)

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


def load_settings() -> Settings:
    """Settings from the environment, then the instance folder's telewywiad.env (written by `make run`)."""
    instance = Path(os.environ.get("TELEWYWIAD_INSTANCE_PATH") or default_instance_path())
    env_file = instance / ENV_FILE_NAME
    return Settings(_env_file=env_file if env_file.exists() else None)


SETTINGS_KEY = "telewywiad.settings"


def get_settings() -> Settings:
    """Settings of the current application (create_app keeps the object it was given)."""
    from flask import current_app

    settings: Settings = current_app.extensions[SETTINGS_KEY]
    return settings
