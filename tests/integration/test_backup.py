"""`telewywiad backup` / `restore` round trip on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlmodel import Session, select

from app.audit.services import record, verify
from app.auth.models import Office, Role, User
from app.cli import main
from tests.factories import make_user


def test_backup_restore_round_trip_loses_nothing(
    runner: FlaskCliRunner, db: Session, office: Office, tmp_path: Path
) -> None:
    """After restore every row is back exactly, later changes are gone, and the audit chain verifies."""
    make_user(db, office, Role.WORKER, username="marta.zak", full_name="Marta Żak-Ślusarczyk")
    record(db, "case.view", actor_id=1, office_id=office.id, object_type="case", object_id=1)
    db.commit()
    out = tmp_path / "kopia.bak"
    result = runner.invoke(main, ["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0 and (out.stat().st_mode & 0o077) == 0

    # Things happen after the backup: a user is renamed, another added.
    user = db.exec(select(User).where(User.username == "marta.zak")).one()
    user.full_name = "Zmieniona"
    db.add(user)
    make_user(db, office, Role.WORKER, username="po.kopii")
    db.commit()

    result = runner.invoke(main, ["restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    db.expire_all()
    names = {u.username: u.full_name for u in db.exec(select(User)).all()}
    assert names == {"marta.zak": "Marta Żak-Ślusarczyk"}
    assert verify(db) == []


def test_restore_rejects_a_file_that_is_not_a_backup(runner: FlaskCliRunner, office: Office, tmp_path: Path) -> None:
    """A random file is refused with a clear message and nothing changes."""
    junk = tmp_path / "junk.bak"
    junk.write_bytes(b"not a backup at all")
    result = runner.invoke(main, ["restore", str(junk), "--yes"])
    assert result.exit_code != 0
    assert "is not" in result.output
