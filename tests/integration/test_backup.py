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


def test_round_trip_keeps_signed_reports_verifiable_and_audit_chain_intact(
    app, runner: FlaskCliRunner, db: Session, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    """With the demo office's signed reports: after backup, damage and restore, every stored PDF still matches its
    hash and verifies against the office CA, and `telewywiad audit verify` passes."""
    from app.demo.seed import seed
    from app.reports.document_check import check_document
    from app.reports.models import ReportFile
    from app.reports.verify import sha256_hex

    with app.app_context():
        from app.db import get_session

        seed(get_session(), "Kopia-Zapasowa-2026!")
        get_session().commit()
    files = db.exec(select(ReportFile)).all()
    assert files, "the demo seed stores signed reports"
    before = {f.id: f.sha256 for f in files}

    out = tmp_path / "pelna.bak"
    assert runner.invoke(main, ["backup", "--out", str(out)]).exit_code == 0
    # Something goes badly wrong after the backup: the archive of signed PDFs is lost.
    for stored in files:
        db.delete(stored)
    db.commit()
    assert db.exec(select(ReportFile)).first() is None
    db.rollback()  # end our read transaction: a restore replaces tables (and must not wait for open readers)

    result = runner.invoke(main, ["restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    db.expire_all()
    restored = db.exec(select(ReportFile)).all()
    assert {f.id: f.sha256 for f in restored} == before
    for stored in restored:
        assert sha256_hex(stored.pdf) == stored.sha256
        check = check_document(db, stored.pdf, office_id=stored.office_id)
        assert check.ok and check.archived is not None, check.verification
    audit = runner.invoke(main, ["audit", "verify"])
    assert audit.exit_code == 0, audit.output
