"""Login, logout, roles' start pages, session renewal, disabled accounts, own password, language."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import Role, User, WebSession
from tests.conftest import login, token
from tests.factories import PASSWORD


@pytest.mark.parametrize(
    ("role", "start", "heading"),
    [
        (Role.WORKER, "/today", "Dzisiaj"),
        (Role.PSYCHOLOGIST, "/referrals", "Zgłoszenia do psychologa"),
        (Role.SUPERVISOR, "/review", "Do zatwierdzenia"),
        (Role.ADMIN, "/admin/users", "Użytkownicy"),
    ],
)
def test_each_role_lands_on_its_start_page(
    client: FlaskClient, user_factory: Callable[..., User], role: Role, start: str, heading: str
) -> None:
    """After login every role is sent to its own start page, in Polish."""
    user = user_factory(role)
    response = login(client, user.username)
    assert response.status_code == 302
    assert response.headers["Location"] == start
    page = client.get(start)
    assert page.status_code == 200
    assert f"<h1>{heading}" in page.get_data(as_text=True)


def test_wrong_password_is_refused_in_polish(client: FlaskClient, user_factory: Callable[..., User]) -> None:
    """A bad password gets a clear message and the username stays in the field."""
    user = user_factory()
    response = login(client, user.username, "zle-haslo-123456")
    body = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Nieprawidłowa nazwa użytkownika lub hasło." in body
    assert f'value="{user.username}"' in body


def test_session_id_is_renewed_at_login(client: FlaskClient, user_factory: Callable[..., User], db: Session) -> None:
    """The cookie given before login is not the one used after it (no session fixation)."""
    user = user_factory()
    client.get("/login")
    before = client.get_cookie("tw_session")
    assert before is not None
    login(client, user.username)
    after = client.get_cookie("tw_session")
    assert after is not None and after.value != before.value
    # The pre-login session no longer exists on the server.
    import hashlib

    assert db.get(WebSession, hashlib.sha256(before.value.encode()).hexdigest()) is None


def test_session_cookie_flags(app, user_factory: Callable[..., User]) -> None:  # type: ignore[no-untyped-def]
    """The session cookie is HttpOnly, SameSite=Lax and Secure when configured so."""
    app.config["SESSION_COOKIE_SECURE"] = True
    client = app.test_client()
    response = client.get("/login", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_logout_ends_session_on_server(client: FlaskClient, user_factory: Callable[..., User]) -> None:
    """After logout the old cookie opens nothing, even if replayed."""
    user = user_factory()
    login(client, user.username)
    cookie = client.get_cookie("tw_session")
    assert cookie is not None
    response = client.post("/logout", data={"csrf_token": token(client)})
    assert response.status_code == 302
    client.set_cookie("tw_session", cookie.value)
    assert client.get("/today").status_code == 302


def test_disabled_user_cannot_log_in_and_is_logged_out(
    client: FlaskClient, user_factory: Callable[..., User], db: Session
) -> None:
    """Disabling an account ends its sessions and blocks new logins."""
    user = user_factory()
    login(client, user.username)
    stored = db.get(User, user.id)
    assert stored is not None
    stored.active = False
    db.add(stored)
    db.commit()
    assert client.get("/today").status_code == 302
    assert login(client, user.username).status_code == 401


def test_change_own_password(client: FlaskClient, login_as: Callable[..., User]) -> None:
    """A user changes their password after confirming the current one; errors keep the page usable."""
    user = login_as(Role.WORKER)
    bad = client.post(
        "/account/password",
        data={"csrf_token": token(client), "current_password": "nie-to-hasło-1", "new_password": "x", "repeat_password": "x"},
    )
    assert bad.status_code == 422
    assert "Obecne hasło jest nieprawidłowe." in bad.get_data(as_text=True)
    ok = client.post(
        "/account/password",
        data={
            "csrf_token": token(client),
            "current_password": PASSWORD,
            "new_password": "Nowe-Bezpieczne-Hasło-42",
            "repeat_password": "Nowe-Bezpieczne-Hasło-42",
        },
    )
    assert ok.status_code == 302
    client.post("/logout", data={"csrf_token": token(client)})
    assert login(client, user.username, PASSWORD).status_code == 401
    assert login(client, user.username, "Nowe-Bezpieczne-Hasło-42").status_code == 302


def test_language_switch_is_kept_on_the_account(client: FlaskClient, login_as: Callable[..., User], db: Session) -> None:
    """English is a per-user choice; Polish is the default."""
    user = login_as(Role.WORKER)
    assert "<h1>Dzisiaj" in client.get("/today").get_data(as_text=True)
    client.post("/language/en", data={"csrf_token": token(client), "next": "/today"})
    assert "<h1>Today" in client.get("/today").get_data(as_text=True)
    db.expire_all()
    stored = db.get(User, user.id)
    assert stored is not None and stored.locale == "en"


def test_login_and_failures_are_audited_without_personal_data(
    client: FlaskClient, user_factory: Callable[..., User], db: Session
) -> None:
    """Login events are audited with ids only; the typed username never lands in the audit log."""
    user = user_factory(username="anna.nowak")
    login(client, "anna.nowak", "wrong-password-123")
    login(client, "anna.nowak")
    events = db.exec(select(AuditEvent).order_by(AuditEvent.id)).all()  # type: ignore[arg-type]
    actions = [e.action for e in events]
    assert "login.failed" in actions and "login" in actions
    assert all("anna" not in (e.details + e.object_id) for e in events)
    assert next(e for e in events if e.action == "login").actor_id == user.id


def test_next_parameter_cannot_redirect_off_site(client: FlaskClient, user_factory: Callable[..., User]) -> None:
    """An attacker's next=https://... is ignored after login."""
    user = user_factory()
    for target in ("https://evil.example/phish", "//evil.example", "/\\evil.example"):
        fresh = client.application.test_client()
        response = login(fresh, user.username, next_url=target)
        assert response.headers["Location"] == "/today"


def test_anonymous_user_is_sent_to_login_with_return_path(client: FlaskClient) -> None:
    """Protected pages redirect to the login page, remembering where the user was going."""
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/admin/users")


def test_wrong_role_gets_403_page(client: FlaskClient, login_as: Callable[..., User]) -> None:
    """A worker cannot open the administrator's pages."""
    login_as(Role.WORKER)
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "Brak dostępu" in response.get_data(as_text=True)


def test_changing_own_password_ends_the_other_sessions(app, client: FlaskClient, login_as: Callable[..., User]) -> None:  # type: ignore[no-untyped-def]
    """A user who lost a phone changes the password on a laptop: the phone's session ends, the laptop goes on."""
    user = login_as(Role.WORKER)
    phone = app.test_client()
    assert login(phone, user.username).status_code == 302
    assert phone.get("/account").status_code == 200
    ok = client.post(
        "/account/password",
        data={
            "csrf_token": token(client),
            "current_password": PASSWORD,
            "new_password": "Nowe-Bezpieczne-Hasło-42",
            "repeat_password": "Nowe-Bezpieczne-Hasło-42",
        },
    )
    assert ok.status_code == 302
    assert phone.get("/account").status_code == 302  # back to the login page
    assert client.get("/account").status_code == 200
