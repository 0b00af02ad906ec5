"""Helplines are configuration data checked at load: the shipped file is complete, broken ones are named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.config import DEFAULT_HELPLINES_FILE
from app.referrals.helplines import HelplinesError, load_helplines, parse_helplines


def test_shipped_helplines_have_the_required_numbers() -> None:
    """112, 800 70 2222, 116 123, 116 111 with crisis; 800 120 002 with violence; tel: links digits only."""
    helplines = load_helplines(DEFAULT_HELPLINES_FILE)
    crisis = [line.number for line in helplines.for_guidance("crisis")]
    assert crisis == ["112", "800 70 2222", "116 123", "116 111"]
    violence = [line.tel for line in helplines.for_guidance("niebieska_karta")]
    assert "tel:800120002" in violence
    assert helplines.emergency.number == "112"
    assert "NK-A" in helplines.guidance["niebieska_karta"].pl


def test_helplines_file_is_not_read_as_a_form() -> None:
    """forms check and the registry read forms/**/*.yaml; the helplines file stays out of their way."""
    from app.formdefs.registry import default_forms_dir, definition_files

    assert DEFAULT_HELPLINES_FILE not in definition_files(default_forms_dir())


def test_broken_helplines_name_every_problem(tmp_path: Path) -> None:
    """A bad number, an unknown guidance key and missing English are all reported at once."""
    data = yaml.safe_load(DEFAULT_HELPLINES_FILE.read_text(encoding="utf-8"))
    data["helplines"][1]["number"] = "800-70-CALL"
    data["helplines"][2]["show_with"] = ["crisis", "panic"]
    del data["guidance"]["crisis"]["en"]
    with pytest.raises(HelplinesError) as info:
        parse_helplines(data, "helplines.yml")
    message = str(info.value)
    assert "helplines[1]: number" in message
    assert "helplines[2]: show_with" in message
    assert "guidance.crisis" in message


def test_missing_file_stops_the_application(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app refuses to start with a helplines file it cannot read."""
    from app import create_app
    from app.config import Mode, Settings

    monkeypatch.setenv("TELEWYWIAD_HELPLINES_FILE", str(tmp_path / "brak.yml"))
    settings = Settings(
        env=Mode.TEST,
        secret_key="x" * 40,
        instance_path=tmp_path / "i",
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        session_cookie_secure=False,
    )
    with pytest.raises(HelplinesError, match="cannot be read"):
        create_app(settings)
