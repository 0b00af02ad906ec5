"""One typed Settings: the feature sections keep their flat TELEWYWIAD_* names, are checked at start-up and documented."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from app.config import (
    ENV_FILE_NAME,
    SECTIONS,
    ConfigError,
    ReportFilePolicy,
    Settings,
    describe,
    env_name,
    load_settings,
)

README = Path(__file__).resolve().parents[2] / "README.md"


def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No setting from the machine running the tests; an empty instance folder."""
    for name in list(os.environ):
        if name.startswith("TELEWYWIAD_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("TELEWYWIAD_INSTANCE_PATH", str(tmp_path))


def test_section_settings_keep_their_variable_names(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """TELEWYWIAD_SMTP_PORT, TELEWYWIAD_RETENTION_CASE_YEARS, … land in settings.referrals / settings.privacy."""
    _isolated(monkeypatch, tmp_path)
    monkeypatch.setenv("TELEWYWIAD_SMTP_HOST", "poczta.ops.example.pl")
    monkeypatch.setenv("TELEWYWIAD_SMTP_PORT", "2525")
    monkeypatch.setenv("TELEWYWIAD_SMTP_STARTTLS", "false")
    monkeypatch.setenv("TELEWYWIAD_REFERRAL_WORKDAY_END", "15:30")
    monkeypatch.setenv("TELEWYWIAD_REFERRAL_TARGET_DAYS_NORMAL", "5")
    monkeypatch.setenv("TELEWYWIAD_HELPLINES_FILE", str(tmp_path / "telefony.yml"))
    monkeypatch.setenv("TELEWYWIAD_RETENTION_CASE_YEARS", "10")
    monkeypatch.setenv("TELEWYWIAD_RETENTION_REPORT_FILES", "keep")
    monkeypatch.setenv("telewywiad_retention_mail_days", "30")  # names are case-insensitive, as the top-level ones
    settings = Settings()
    assert settings.referrals.smtp_host == "poczta.ops.example.pl"
    assert settings.referrals.smtp_port == 2525
    assert settings.referrals.smtp_starttls is False
    assert settings.referrals.referral_workday_end == dt.time(15, 30)
    assert settings.referrals.target_days("normal") == 5
    assert settings.referrals.helplines_file == tmp_path / "telefony.yml"
    assert settings.privacy.retention_case_years == 10
    assert settings.privacy.retention_report_files is ReportFilePolicy.KEEP
    assert settings.privacy.retention_mail_days == 30
    assert settings.privacy.retention_referral_years is None  # untouched ones keep their defaults


def test_instance_env_file_feeds_the_sections_and_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """instance/telewywiad.env is read for the sections too; a variable in the environment beats the file's."""
    _isolated(monkeypatch, tmp_path)
    (tmp_path / ENV_FILE_NAME).write_text(
        "TELEWYWIAD_ENV=demo\nTELEWYWIAD_SMTP_FROM=ops@example.pl\nTELEWYWIAD_SMTP_PORT=25\n"
        "TELEWYWIAD_RETENTION_DRAFT_DAYS=3\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("TELEWYWIAD_SMTP_PORT", "465")
    settings = load_settings()
    assert settings.env == "demo"
    assert settings.referrals.smtp_from == "ops@example.pl"
    assert settings.referrals.smtp_port == 465
    assert settings.privacy.retention_draft_days == 3


def test_a_bad_section_value_stops_start_up_naming_the_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A typo in a feature's setting stops create_app and the CLI at once, not at the first e-mail or retention run."""
    from app import create_app
    from app.cli import main

    _isolated(monkeypatch, tmp_path)
    monkeypatch.setenv("TELEWYWIAD_ENV", "demo")
    monkeypatch.setenv("TELEWYWIAD_SMTP_PORT", "dwadzieścia pięć")
    monkeypatch.setenv("TELEWYWIAD_RETENTION_CASE_YEARS", "-1")
    with pytest.raises(ConfigError, match="TELEWYWIAD_SMTP_PORT") as info:
        create_app()
    assert "TELEWYWIAD_RETENTION_CASE_YEARS: Input should be greater than 0" in str(info.value)

    result = CliRunner().invoke(main, ["offices", "list"])
    assert result.exit_code == 2
    assert "Configuration error: TELEWYWIAD_SMTP_PORT" in result.output


def test_every_bad_value_is_listed_with_what_was_given(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """All problems at once, each with its variable and the value given."""
    _isolated(monkeypatch, tmp_path)
    monkeypatch.setenv("TELEWYWIAD_SESSION_IDLE_MINUTES", "pół godziny")
    monkeypatch.setenv("TELEWYWIAD_TRUSTED_PROXIES", "9")
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert "TELEWYWIAD_SESSION_IDLE_MINUTES: Input should be a valid number" in message
    assert "given: 'pół godziny'" in message
    assert "TELEWYWIAD_TRUSTED_PROXIES: Input should be less than or equal to 5 (given: '9')" in message


def test_a_secret_is_named_but_never_echoed() -> None:
    """Values that may hold a password (secret key, SMTP password, PKI passphrase, database URL) stay out of messages."""
    with pytest.raises(ValidationError) as info:
        Settings(secret_key=12345678, referrals={"smtp_password": 87654321})
    message = describe(info.value)
    assert "TELEWYWIAD_SECRET_KEY: Input should be a valid string" in message
    assert "TELEWYWIAD_SMTP_PASSWORD: Input should be a valid string" in message
    assert "12345678" not in message and "87654321" not in message


def _all_variables() -> set[str]:
    names = {env_name(name) for name in Settings.model_fields if name not in SECTIONS}
    for model in SECTIONS.values():
        names |= {env_name(name) for name in model.model_fields}
    return names


def test_no_section_setting_shares_a_name_with_another() -> None:
    """Flat names work only while every field of Settings and its sections is unique."""
    fields = [name for name in Settings.model_fields if name not in SECTIONS]
    for model in SECTIONS.values():
        fields += list(model.model_fields)
    assert len(fields) == len(set(fields))


def _documented(known: set[str]) -> set[str]:
    """Variables named in the README's configuration table, shorthands expanded against `known`.

    `TELEWYWIAD_SMTP_HOST` / `_PORT` names TELEWYWIAD_SMTP_PORT; `TELEWYWIAD_RETENTION_SESSION_DAYS` /
    `_LOGIN_ATTEMPT_DAYS` names TELEWYWIAD_RETENTION_LOGIN_ATTEMPT_DAYS: the shorthand follows some leading words of
    the row's first name. A shorthand that names no setting is kept as written, so the test shows it.
    """
    text = README.read_text(encoding="utf-8").split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for row in text.splitlines():
        if not row.startswith("| `"):
            continue
        cell = row.split("|")[1]
        full = [token for token in re.findall(r"`([^`]+)`", cell) if token.startswith("TELEWYWIAD_")]
        names.update(full)
        for short in re.findall(r"`(?:\.\.\.)?(_[A-Z_]+)`", cell):
            words = full[0].split("_")
            heads = {"_".join(words[:n]) for n in range(1, len(words))}
            matches = {name for name in known if name.endswith(short) and name[: -len(short)] in heads}
            names |= matches or {f"{full[0]} … {short}"}
    return names


def test_readme_table_lists_every_setting_and_nothing_else() -> None:
    """The one table of settings in the README stays correct: each TELEWYWIAD_ variable is a setting and vice versa."""
    known = _all_variables()
    documented = _documented(known)
    assert known - documented == set(), "settings missing from the README table"
    assert documented - known == set(), "README rows that no setting reads"
