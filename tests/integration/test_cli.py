"""The `telewywiad` command group."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlmodel import Session, select

from app.auth.models import Office, User
from app.auth.services import roles_of
from app.cli import main
from tests.factories import make_office


def test_users_create(runner: FlaskCliRunner, office: Office, db: Session) -> None:
    """`telewywiad users create` adds an account with roles to the only office."""
    result = runner.invoke(
        main,
        args=["users", "create", "--username", "nowa.osoba", "--full-name", "Nowa Osoba", "--role", "worker",
              "--role", "supervisor", "--password", "Bardzo-Dlugie-Haslo-1"]
    )
    assert result.exit_code == 0, result.output
    user = db.exec(select(User).where(User.username == "nowa.osoba")).one()
    assert {r.value for r in roles_of(db, user.id or 0)} == {"worker", "supervisor"}


def test_users_create_and_referrals_export_need_office_id_when_there_are_several(
    runner: FlaskCliRunner, office: Office, db: Session, tmp_path: Path
) -> None:
    """Without --office-id both commands act in the only office; with two they ask for it and change nothing."""
    make_office(db, "Miejski Ośrodek Pomocy Społecznej w Helu")
    db.commit()
    for args in (["users", "create", "--username", "ktos", "--full-name", "Ktoś Nowy", "--role", "worker",
                  "--password", "Bardzo-Dlugie-Haslo-1"],
                 ["referrals", "export", "--format", "csv", "--out", str(tmp_path / "r.csv")]):
        result = runner.invoke(main, args=args)
        assert result.exit_code == 2 and "Give --office-id: there is not exactly one office." in result.output
    assert db.exec(select(User).where(User.username == "ktos")).first() is None
    assert not (tmp_path / "r.csv").exists()


def test_users_create_reports_bad_password(runner: FlaskCliRunner, office: Office) -> None:
    """Validation problems come back as a clear error and a non-zero exit."""
    result = runner.invoke(main, args=["users", "create", "--username", "abc", "--full-name", "A B", "--role", "worker", "--password", "short"])
    assert result.exit_code != 0
    assert "12" in result.output


def test_demo_seed_is_idempotent(runner: FlaskCliRunner, db: Session) -> None:
    """Seeding twice creates the demo office and four accounts once."""
    first = runner.invoke(main, args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "Demo password (shown once):" in first.output
    second = runner.invoke(main, args=["demo", "seed"])
    assert second.exit_code == 0 and "already exist" in second.output
    names = {u.username for u in db.exec(select(User)).all()}
    assert {"demo-worker", "demo-psychologist", "demo-supervisor", "demo-admin"} <= names
    assert len(db.exec(select(Office)).all()) == 1


def test_cli_refuses_to_start_without_secret_in_production(tmp_path: Path) -> None:
    """The real console script exits with a clear message when production has no secret key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEWYWIAD_")}
    env.update(TELEWYWIAD_ENV="production", TELEWYWIAD_INSTANCE_PATH=str(tmp_path))
    result = subprocess.run(
        [str(Path(sys.executable).parent / "telewywiad"), "users", "list"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "TELEWYWIAD_SECRET_KEY is not set" in result.stderr


def test_demo_prepare_then_cli_uses_instance_defaults(tmp_path: Path) -> None:
    """After `demo prepare` the CLI works from the project root with no variables set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEWYWIAD_") and k != "DATABASE_URL"}
    env["TELEWYWIAD_INSTANCE_PATH"] = str(tmp_path)
    script = str(Path(sys.executable).parent / "telewywiad")
    for args in (["demo", "prepare"], ["db", "upgrade"], ["users", "list"]):
        result = subprocess.run([script, *args], env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "telewywiad.sqlite3").exists()
    assert secrets.compare_digest((tmp_path / "secret_key").read_text().strip(), (tmp_path / "secret_key").read_text().strip())
