"""`telewywiad offices ...` and `telewywiad setup`: an empty installation gets its first office and administrator."""

from __future__ import annotations

from flask.testing import FlaskCliRunner
from sqlmodel import Session, select

from app.auth.models import Office, Role, User
from app.auth.services import roles_of
from app.cli import main
from app.offices.models import InstallationAdmin

PASSWORD = "Pierwsze-Hasło-Instalacji-1"


def test_offices_create_prints_the_new_id_and_list_shows_it(runner: FlaskCliRunner, db: Session) -> None:
    """`offices create` prints only the id on stdout (for scripts); `offices list` shows the office."""
    result = runner.invoke(main, ["offices", "create", "--name", "Gminny Ośrodek Pomocy Społecznej w Pucku",
                                  "--short-name", "GOPS Puck", "--address", "ul. Żeromskiego 12, 84-100 Puck",
                                  "--phone", "58 673 22 11", "--email", "gops@puck.example.pl",
                                  "--reference-prefix", "GOPS", "--other-phone", "601 234 567",
                                  "--letterhead", "NIP 587-000-00-00"])
    assert result.exit_code == 0, result.output
    office = db.exec(select(Office)).one()
    assert result.stdout.strip() == str(office.id)
    assert office.phones == ["+48586732211", "+48601234567"] and office.reference_prefix == "GOPS"
    listing = runner.invoke(main, ["offices", "list"])
    assert "GOPS Puck" in listing.output and "+48586732211, +48601234567" in listing.output


def test_offices_create_refuses_bad_values_naming_the_field(runner: FlaskCliRunner, db: Session) -> None:
    """A wrong phone number is named (in Polish) and nothing is created."""
    result = runner.invoke(main, ["offices", "create", "--name", "OPS", "--phone", "12"])
    assert result.exit_code == 1
    assert "phone: Nieprawidłowy numer telefonu" in result.output
    assert db.exec(select(Office)).first() is None


def test_offices_edit_changes_only_the_given_fields(runner: FlaskCliRunner, db: Session, office: Office) -> None:
    """`offices edit ID --email ...` keeps the name and address."""
    result = runner.invoke(main, ["offices", "edit", str(office.id), "--email", "ops@example.pl"])
    assert result.exit_code == 0, result.output
    db.expire_all()
    stored = db.get(Office, office.id)
    assert stored is not None and stored.email == "ops@example.pl" and stored.name == office.name
    assert runner.invoke(main, ["offices", "edit", "999", "--email", "x@example.pl"]).exit_code == 1


def test_setup_with_flags_creates_the_office_and_an_installation_administrator(
    runner: FlaskCliRunner, db: Session
) -> None:
    """Non-interactive first setup (password from the environment); the administrator manages every office."""
    result = runner.invoke(main, [
        "setup", "--office-name", "Miejski Ośrodek Pomocy Społecznej we Wschowie", "--short-name", "MOPS Wschowa",
        "--address", "ul. Kopernika 6, 67-400 Wschowa", "--phone", "65 540 25 25", "--email", "mops@wschowa.example.pl",
        "--admin-username", "admin", "--admin-full-name", "Jolanta Ślęzak",
    ], env={"TELEWYWIAD_ADMIN_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    admin = db.exec(select(User).where(User.username == "admin")).one()
    office = db.exec(select(Office)).one()
    assert admin.office_id == office.id and roles_of(db, admin.id or 0) == {Role.ADMIN}
    assert db.get(InstallationAdmin, admin.id) is not None
    again = runner.invoke(main, ["setup", "--office-name", "Drugi", "--admin-username", "admin2",
                                 "--admin-full-name", "Ktoś Inny"], env={"TELEWYWIAD_ADMIN_PASSWORD": PASSWORD})
    assert again.exit_code == 1 and "ma już ośrodek" in again.output


def test_setup_asks_for_what_is_missing(runner: FlaskCliRunner, db: Session) -> None:
    """Interactive first setup: the office's name, the administrator and the password (twice) are asked for."""
    answers = "GOPS Krokowa\nkrokowa-admin\nBarbara Żak\n" + f"{PASSWORD}\n{PASSWORD}\n"
    result = runner.invoke(main, ["setup"], input=answers)
    assert result.exit_code == 0, result.output
    assert "Office's full name" in result.output and "Repeat for confirmation" in result.output
    assert db.exec(select(User.username)).all() == ["krokowa-admin"]


def test_setup_with_a_weak_password_names_the_problem(runner: FlaskCliRunner, db: Session) -> None:
    """The password policy applies; nothing is created."""
    result = runner.invoke(main, ["setup", "--office-name", "OPS", "--admin-username", "admin",
                                  "--admin-full-name", "Jan Nowak"], env={"TELEWYWIAD_ADMIN_PASSWORD": "krótkie"})
    assert result.exit_code == 1 and "password:" in result.output
    assert db.exec(select(Office)).first() is None


def test_grant_and_revoke_installation_rights(runner: FlaskCliRunner, db: Session, user_factory) -> None:  # type: ignore[no-untyped-def]
    """`offices grant-manager` / `revoke-manager` switch the installation-wide rights of an account."""
    user = user_factory(Role.ADMIN, username="it-gminy")
    assert "now manages every office" in runner.invoke(main, ["offices", "grant-manager", "it-gminy"]).output
    assert db.get(InstallationAdmin, user.id) is not None
    assert "no longer manages" in runner.invoke(main, ["offices", "revoke-manager", "it-gminy"]).output
    db.expire_all()
    assert db.get(InstallationAdmin, user.id) is None
