"""Administrators manage the accounts of their own office only."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.auth.models import Role, User, UserRole
from app.auth.services import roles_of
from tests.conftest import login, token
from tests.factories import make_office, make_user


def test_admin_creates_user_with_roles(client: FlaskClient, login_as: Callable[..., User], db: Session) -> None:
    """A new account gets the chosen roles and can log in."""
    login_as(Role.ADMIN)
    response = client.post(
        "/admin/users/new",
        data={
            "csrf_token": token(client),
            "full_name": "Małgorzata Jędrzejczyk",
            "username": "m.jedrzejczyk",
            "password": "Pierwsze-Hasło-2026",
            "roles": ["worker", "psychologist"],
        },
    )
    assert response.status_code == 302
    user = db.exec(select(User).where(User.username == "m.jedrzejczyk")).one()
    assert roles_of(db, user.id or 0) == {Role.WORKER, Role.PSYCHOLOGIST}
    assert "Małgorzata Jędrzejczyk" in client.get("/admin/users").get_data(as_text=True)


def test_invalid_input_keeps_values_and_names_the_problem(client: FlaskClient, login_as: Callable[..., User]) -> None:
    """A too-short password is explained next to the field and the other values stay."""
    login_as(Role.ADMIN)
    response = client.post(
        "/admin/users/new",
        data={
            "csrf_token": token(client),
            "full_name": "Jan Żółć",
            "username": "jan.zolc",
            "password": "krótkie",
            "roles": ["worker"],
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Hasło musi mieć co najmniej 12 znaków." in body
    assert 'value="Jan Żółć"' in body and 'value="jan.zolc"' in body
    assert 'aria-invalid="true"' in body


def test_duplicate_username_and_missing_role(client: FlaskClient, login_as: Callable[..., User]) -> None:
    """Taken usernames and accounts without roles are refused."""
    admin = login_as(Role.ADMIN)
    dup = client.post(
        "/admin/users/new",
        data={"csrf_token": token(client), "full_name": "X Y", "username": admin.username, "password": "Długie-Hasło-99", "roles": ["worker"]},
    )
    assert "Ta nazwa użytkownika jest już zajęta." in dup.get_data(as_text=True)
    none = client.post(
        "/admin/users/new",
        data={"csrf_token": token(client), "full_name": "X Y", "username": "xy.nowy", "password": "Długie-Hasło-99"},
    )
    assert "Wybierz co najmniej jedną rolę." in none.get_data(as_text=True)


def test_admin_edits_roles_disables_and_reenables(
    client: FlaskClient, login_as: Callable[..., User], user_factory: Callable[..., User], db: Session
) -> None:
    """Roles can be changed; a disabled user cannot log in until re-enabled."""
    login_as(Role.ADMIN)
    worker = user_factory(Role.WORKER)
    client.post(
        f"/admin/users/{worker.id}",
        data={"csrf_token": token(client), "full_name": worker.full_name, "email": "", "roles": ["supervisor"]},
    )
    assert roles_of(db, worker.id or 0) == {Role.SUPERVISOR}
    client.post(f"/admin/users/{worker.id}/active", data={"csrf_token": token(client), "active": "0"})
    other = client.application.test_client()
    assert login(other, worker.username).status_code == 401
    client.post(f"/admin/users/{worker.id}/active", data={"csrf_token": token(client), "active": "1"})
    assert login(other, worker.username).status_code == 302


def test_name_email_and_username_limits_are_explained_and_values_kept(
    client: FlaskClient, login_as: Callable[..., User], user_factory: Callable[..., User], db: Session
) -> None:
    """An over-long name, a malformed e-mail or an over-long username is a 422 at the field; nothing changes."""
    login_as(Role.ADMIN)
    worker = user_factory(Role.WORKER)
    long_name = "Bożena " * 40
    edit = client.post(
        f"/admin/users/{worker.id}",
        data={"csrf_token": token(client), "full_name": long_name, "email": "", "roles": ["worker"]},
    )
    assert edit.status_code == 422
    assert "Imię i nazwisko może mieć najwyżej 200 znaków." in edit.get_data(as_text=True)
    bad_email = client.post(
        f"/admin/users/{worker.id}",
        data={"csrf_token": token(client), "full_name": "Bożena Nowa", "email": "bozena@", "roles": ["worker"]},
    )
    body = bad_email.get_data(as_text=True)
    assert bad_email.status_code == 422 and "Nieprawidłowy adres e-mail" in body and 'value="bozena@"' in body
    db.expire_all()
    assert db.get(User, worker.id).full_name == worker.full_name  # type: ignore[union-attr]
    new = client.post(
        "/admin/users/new",
        data={"csrf_token": token(client), "full_name": "Jan  Nowy ", "username": "j" * 81,
              "password": "Długie-Hasło-99", "roles": ["worker"]},
    )
    assert new.status_code == 422 and "od 3 do 80 znaków" in new.get_data(as_text=True)
    created = client.post(
        "/admin/users/new",
        data={"csrf_token": token(client), "full_name": "  Jan   Nowy ", "username": "jan.nowy", "email": " jan@ops.pl ",
              "password": "Długie-Hasło-99", "roles": ["worker"]},
    )
    assert created.status_code == 302
    user = db.exec(select(User).where(User.username == "jan.nowy")).one()
    assert (user.full_name, user.email) == ("Jan Nowy", "jan@ops.pl")


def test_admin_cannot_lock_self_out(client: FlaskClient, login_as: Callable[..., User], db: Session) -> None:
    """An administrator cannot disable themselves or drop their own admin role."""
    admin = login_as(Role.ADMIN)
    client.post(f"/admin/users/{admin.id}/active", data={"csrf_token": token(client), "active": "0"})
    response = client.post(
        f"/admin/users/{admin.id}",
        data={"csrf_token": token(client), "full_name": admin.full_name, "roles": ["worker"]},
    )
    assert "Nie możesz zmienić własnych ról." in response.get_data(as_text=True)
    db.expire_all()
    stored = db.get(User, admin.id)
    assert stored is not None and stored.active
    assert Role.ADMIN in roles_of(db, admin.id or 0)


def test_other_office_users_are_invisible(client: FlaskClient, login_as: Callable[..., User], db: Session) -> None:
    """Another office's account is 404 by id and absent from the list."""
    login_as(Role.ADMIN)
    foreign_office = make_office(db, "Ośrodek w Innym Mieście")
    stranger = make_user(db, foreign_office, Role.WORKER, full_name="Obcy Pracownik")
    db.commit()
    assert client.get(f"/admin/users/{stranger.id}").status_code == 404
    response = client.post(f"/admin/users/{stranger.id}/active", data={"csrf_token": token(client), "active": "0"})
    assert response.status_code == 404
    assert "Obcy Pracownik" not in client.get("/admin/users").get_data(as_text=True)


def test_admin_password_reset_ends_user_sessions(
    app, client: FlaskClient, login_as: Callable[..., User], user_factory: Callable[..., User]  # type: ignore[no-untyped-def]
) -> None:
    """After an administrator sets a new password, the user's open sessions end."""
    login_as(Role.ADMIN)
    worker = user_factory(Role.WORKER)
    worker_client = app.test_client()
    login(worker_client, worker.username)
    assert worker_client.get("/today").status_code == 200
    client.post(f"/admin/users/{worker.id}/password", data={"csrf_token": token(client), "password": "Reset-Hasła-2026-X"})
    assert worker_client.get("/today").status_code == 302
    assert login(worker_client, worker.username, "Reset-Hasła-2026-X").status_code == 302


def test_user_changes_are_audited(client: FlaskClient, login_as: Callable[..., User], db: Session) -> None:
    """Creating a user leaves an audit event naming the actor and the new user's id."""
    from app.audit.models import AuditEvent

    admin = login_as(Role.ADMIN)
    client.post(
        "/admin/users/new",
        data={"csrf_token": token(client), "full_name": "Ala Kot", "username": "ala.kot", "password": "Długie-Hasło-99", "roles": ["worker"]},
    )
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "user.create", AuditEvent.actor_id == admin.id)).one()
    new_user = db.exec(select(User).where(User.username == "ala.kot")).one()
    assert event.object_id == str(new_user.id)
    assert db.exec(select(UserRole).where(UserRole.user_id == new_user.id)).one().role == Role.WORKER


def test_admin_cannot_grant_themselves_a_role_a_second_admin_can(
    app, client: FlaskClient, login_as: Callable[..., User], user_factory: Callable[..., User], db: Session  # type: ignore[no-untyped-def]
) -> None:
    """Self-escalation to supervisor (who reads interviews) is refused and audited; another admin may do it."""
    from app.audit.models import AuditEvent

    admin = login_as(Role.ADMIN, username="admin-pierwszy")
    page = client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert "Własnych ról nie możesz zmienić" in page and 'type="hidden" name="roles" value="admin"' in page
    response = client.post(
        f"/admin/users/{admin.id}",
        data={"csrf_token": token(client), "full_name": admin.full_name, "roles": ["admin", "supervisor"]},
    )
    assert response.status_code == 422
    assert "Nie możesz zmienić własnych ról. Poproś o to innego administratora ośrodka." in response.get_data(as_text=True)
    assert roles_of(db, admin.id or 0) == {Role.ADMIN}
    refused = db.exec(select(AuditEvent).where(AuditEvent.action == "user.roles_refused")).one()
    assert refused.actor_id == admin.id and "supervisor" in refused.details
    # Editing one's own name still works: the unchanged roles travel as hidden fields.
    renamed = client.post(
        f"/admin/users/{admin.id}", data={"csrf_token": token(client), "full_name": "Nowe Nazwisko", "roles": ["admin"]}
    )
    assert renamed.status_code == 302

    second = user_factory(Role.ADMIN, username="admin-drugi")
    other = app.test_client()
    login(other, second.username)
    granted = other.post(
        f"/admin/users/{admin.id}",
        data={"csrf_token": token(other), "full_name": "Nowe Nazwisko", "roles": ["admin", "supervisor"]},
    )
    assert granted.status_code == 302
    assert roles_of(db, admin.id or 0) == {Role.ADMIN, Role.SUPERVISOR}
    update = db.exec(select(AuditEvent).where(AuditEvent.action == "user.update", AuditEvent.actor_id == second.id)).one()
    assert "supervisor" in update.details
