"""deploy/systemd: the app, the outbox every minute, backups daily and retention nightly, checked by systemd itself."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
UNITS = ROOT / "deploy" / "systemd"
INSTALL_DIR = "/opt/telewywiad"


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNITS / name, encoding="utf-8")
    return parser


def test_systemd_analyze_verify_accepts_every_unit(tmp_path: Path) -> None:
    """`systemd-analyze verify` finds no error or warning (the install path points at this checkout)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian package systemd)")
    for unit in UNITS.iterdir():
        text = unit.read_text(encoding="utf-8").replace(INSTALL_DIR, str(ROOT))
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    assert (ROOT / ".venv" / "bin" / "telewywiad").exists(), "run `make install` first"
    names = sorted(p.name for p in tmp_path.iterdir())
    result = subprocess.run([analyze, "verify", *names], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


def test_timers_run_the_outbox_every_minute_reminders_mornings_backups_daily_and_retention_nightly() -> None:
    """Each job has its timer with the intended schedule, and every unit runs as the unprivileged service user."""
    schedules = {
        "telewywiad-outbox.timer": "*-*-* *:*:00",
        "telewywiad-reminders.timer": "*-*-* 07:00:00",
        "telewywiad-backup.timer": "*-*-* 01:30:00",
        "telewywiad-retention.timer": "*-*-* 03:15:00",
    }
    for timer, calendar in schedules.items():
        assert _unit(timer)["Timer"]["OnCalendar"] == calendar
        service = _unit(timer.replace(".timer", ".service"))["Service"]
        assert service["Type"] == "oneshot" and service["User"] == "telewywiad"
    commands = {name: _unit(name)["Service"]["ExecStart"] for name in
                ("telewywiad.service", "telewywiad-outbox.service", "telewywiad-backup.service",
                 "telewywiad-retention.service")}
    assert "serve --host 127.0.0.1 --port 8000 --workers 4" in commands["telewywiad.service"]
    assert commands["telewywiad-outbox.service"].endswith("telewywiad mail send-outbox")
    assert _unit("telewywiad-reminders.service")["Service"]["ExecStart"].endswith("telewywiad appointments remind")
    assert "telewywiad backup --out" in commands["telewywiad-backup.service"]
    assert commands["telewywiad-retention.service"].endswith("telewywiad retention run")
    app = _unit("telewywiad.service")["Service"]
    assert app["User"] == "telewywiad" and app["NoNewPrivileges"] == "yes" and app["ProtectSystem"] == "strict"
    assert app["EnvironmentFile"] == "/etc/telewywiad/telewywiad.env"


def test_the_nginx_upstream_is_the_app_services_address() -> None:
    """nginx proxies to where telewywiad.service listens."""
    nginx = (ROOT / "deploy" / "nginx" / "telewywiad.conf").read_text(encoding="utf-8")
    assert "server 127.0.0.1:8000;" in nginx
    assert "--host 127.0.0.1 --port 8000" in _unit("telewywiad.service")["Service"]["ExecStart"]
