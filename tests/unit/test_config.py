"""Settings: no default secret, safe cookie rules, database URLs."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from app.config import ConfigError, Mode, Settings


def test_production_without_secret_refuses_with_clear_message(tmp_path: Path) -> None:
    """Production mode with no secret key must not start, and must say how to fix it."""
    settings = Settings(env=Mode.PRODUCTION, instance_path=tmp_path)
    with pytest.raises(ConfigError, match="TELEWYWIAD_SECRET_KEY is not set"):
        settings.check()


def test_test_mode_without_secret_refuses(tmp_path: Path) -> None:
    """Only dev and demo may generate a key."""
    with pytest.raises(ConfigError):
        Settings(env=Mode.TEST, instance_path=tmp_path).check()


def test_short_secret_is_rejected(tmp_path: Path) -> None:
    """A guessable key is as bad as none."""
    with pytest.raises(ConfigError, match="too short"):
        Settings(env=Mode.PRODUCTION, secret_key="short", instance_path=tmp_path).check()


def test_demo_mode_generates_private_persistent_secret(tmp_path: Path) -> None:
    """Dev/demo generate one random key per installation, readable only by the owner, reused later."""
    first = Settings(env=Mode.DEMO, instance_path=tmp_path).resolved_secret_key()
    second = Settings(env=Mode.DEMO, instance_path=tmp_path).resolved_secret_key()
    assert first == second and len(first) >= 32
    mode = (tmp_path / "secret_key").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600
    other = Settings(env=Mode.DEMO, instance_path=tmp_path / "other").resolved_secret_key()
    assert other != first


def test_insecure_cookies_refused_in_production(tmp_path: Path) -> None:
    """Secure cookies may be switched off only for local http (dev/demo/test)."""
    settings = Settings(env=Mode.PRODUCTION, secret_key="x" * 40, session_cookie_secure=False, instance_path=tmp_path)
    with pytest.raises(ConfigError, match="SESSION_COOKIE_SECURE"):
        settings.check()
    Settings(env=Mode.DEMO, session_cookie_secure=False, instance_path=tmp_path).check()


def test_default_database_is_sqlite_in_instance_folder(tmp_path: Path) -> None:
    """Without DATABASE_URL the app uses an SQLite file in the instance folder."""
    url = Settings(instance_path=tmp_path).effective_database_url()
    assert url == f"sqlite:///{tmp_path / 'telewywiad.sqlite3'}"


def test_database_url_from_plain_env_and_postgres_scheme(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """DATABASE_URL is honoured and a plain postgres:// URL gets the psycopg driver."""
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/tw")
    assert Settings(instance_path=tmp_path).effective_database_url() == "postgresql+psycopg://u:p@db:5432/tw"


def test_settings_read_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every setting has a TELEWYWIAD_ variable."""
    monkeypatch.setenv("TELEWYWIAD_SESSION_IDLE_MINUTES", "45")
    monkeypatch.setenv("TELEWYWIAD_ENV", "demo")
    settings = Settings()
    assert settings.session_idle_minutes == 45
    assert settings.env is Mode.DEMO


def test_invalid_value_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """A typo in a setting fails loudly instead of silently using a default."""
    monkeypatch.setenv("TELEWYWIAD_SESSION_IDLE_MINUTES", "half an hour")
    with pytest.raises(ValueError, match="session_idle_minutes"):
        Settings()


def test_trusted_ca_file_is_read_and_a_bad_one_refused(tmp_path: Path) -> None:
    """Extra trust anchors come from a PEM file; a missing or unreadable file stops start-up with its name."""
    from app.reports import pki

    ca_pem, _key = pki.create_office_ca("Dostawca kwalifikowany (test)", "hasło-ca")
    bundle = tmp_path / "zaufani.pem"
    bundle.write_bytes(ca_pem + b"\n")
    settings = Settings(env=Mode.DEMO, instance_path=tmp_path, trusted_ca_file=bundle)
    settings.check()
    assert settings.trusted_ca_certificates() == (ca_pem.strip() + b"\n",)
    assert Settings(env=Mode.DEMO, instance_path=tmp_path).trusted_ca_certificates() == ()

    missing = Settings(env=Mode.DEMO, instance_path=tmp_path, trusted_ca_file=tmp_path / "brak.pem")
    with pytest.raises(ConfigError, match="brak.pem"):
        missing.check()
    garbage = tmp_path / "smieci.pem"
    garbage.write_text("to nie jest certyfikat")
    with pytest.raises(ConfigError, match="smieci.pem"):
        Settings(env=Mode.DEMO, instance_path=tmp_path, trusted_ca_file=garbage).check()
