"""An idle session times out, and nothing the user was sending is lost."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.auth.models import ResumeDraft, Role, User, WebSession
from app.config import Settings
from tests.conftest import PASSWORD, csrf_from, login, token


def age_session(client: FlaskClient, db: Session, minutes: float) -> None:
    """Move the client's server-side session `minutes` into the past, as if nothing happened meanwhile."""
    cookie = client.get_cookie("tw_session")
    assert cookie is not None
    row = db.get(WebSession, hashlib.sha256(cookie.value.encode()).hexdigest())
    assert row is not None
    row.last_seen_at = row.last_seen_at - timedelta(minutes=minutes)
    db.add(row)
    db.commit()


def test_idle_session_expires_after_configured_minutes(
    client: FlaskClient, login_as: Callable[..., User], db: Session
) -> None:
    """After 30 idle minutes the next page asks for login, and comes back there afterwards."""
    user = login_as(Role.WORKER)
    age_session(client, db, 29)
    assert client.get("/today").status_code == 200
    age_session(client, db, 31)
    response = client.get("/today")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/today"
    assert "Sesja wygasła" in client.get("/login").get_data(as_text=True)
    again = login(client, user.username, next_url="/today")
    assert again.headers["Location"] == "/today"


def test_form_posted_after_timeout_is_kept_and_sent_after_login(
    client: FlaskClient, login_as: Callable[..., User], db: Session
) -> None:
    """The admin's half-typed new account survives the time-out and is created after logging in again."""
    admin = login_as(Role.ADMIN)
    form_token = token(client, "/admin/users/new")
    age_session(client, db, 45)
    response = client.post(
        "/admin/users/new",
        data={
            "csrf_token": form_token,
            "full_name": "Grzegorz Brzęczyszczykiewicz",
            "username": "g.brzeczyszczykiewicz",
            "email": "g.b@ops.example",
            "roles": ["worker", "supervisor"],
            "password": "Tajne-Hasło-Nowego-1",
        },
        headers={"Referer": "http://localhost/admin/users/new"},
    )
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    draft = db.exec(select(ResumeDraft)).one()
    assert draft.user_id == admin.id
    assert "Tajne" not in draft.form_json  # secrets are never stored

    after_login = login(client, admin.username, next_url="/admin/users/new")
    assert after_login.headers["Location"].startswith("/resume")
    page = client.get(after_login.headers["Location"]).get_data(as_text=True)
    assert "Grzegorz Brzęczyszczykiewicz" in page and 'value="supervisor"' in page
    # In the user's words: the form's title, the field labels and role names, no field names.
    assert "Nowe konto użytkownika" in page and "Imię i nazwisko" in page and "kierownik" in page
    assert "<dt>full_name" not in page and "<dt>roles" not in page

    # The user sends it again from the resume page (adding the password they must retype).
    resend = client.post(
        "/admin/users/new",
        data={
            "csrf_token": token(client),
            "full_name": "Grzegorz Brzęczyszczykiewicz",
            "username": "g.brzeczyszczykiewicz",
            "email": "g.b@ops.example",
            "roles": ["worker", "supervisor"],
            "password": "Tajne-Hasło-Nowego-1",
        },
    )
    assert resend.status_code == 302
    assert db.exec(select(User).where(User.username == "g.brzeczyszczykiewicz")).first() is not None
    assert db.exec(select(ResumeDraft)).first() is None


def test_expired_post_with_forged_token_is_not_kept(
    app, client: FlaskClient, login_as: Callable[..., User], db: Session  # type: ignore[no-untyped-def]
) -> None:
    """A cross-site post onto an expired session is refused, not stored as a draft."""
    login_as(Role.ADMIN)
    other = app.test_client()
    foreign = token(other, "/login")
    age_session(client, db, 45)
    response = client.post("/admin/users/new", data={"csrf_token": foreign, "full_name": "X"})
    assert response.status_code == 400
    assert db.exec(select(ResumeDraft)).first() is None


def test_htmx_post_after_timeout_gets_401_event_and_is_kept(
    client: FlaskClient, login_as: Callable[..., User], db: Session
) -> None:
    """An autosave that meets a timed-out session is told so (HX-Trigger) and its value is kept."""
    login_as(Role.ADMIN)
    form_token = token(client, "/admin/users/new")
    age_session(client, db, 45)
    response = client.post(
        "/admin/users/new",
        data={"full_name": "Żaneta Ćwik"},
        headers={"HX-Request": "true", "X-CSRFToken": form_token},
    )
    assert response.status_code == 401
    assert "tw:session-expired" in response.headers["HX-Trigger"]
    assert "Żaneta Ćwik" in db.exec(select(ResumeDraft)).one().form_json


def test_discarding_a_kept_form(client: FlaskClient, login_as: Callable[..., User], db: Session) -> None:
    """The user may throw a kept form away; only their own."""
    admin = login_as(Role.ADMIN)
    form_token = token(client, "/admin/users/new")
    age_session(client, db, 45)
    client.post("/admin/users/new", data={"csrf_token": form_token, "full_name": "Ola"})
    login(client, admin.username)
    draft = db.exec(select(ResumeDraft)).one()
    response = client.post(f"/resume/{draft.id}/discard", data={"csrf_token": token(client)})
    assert response.status_code == 302
    assert db.exec(select(ResumeDraft)).first() is None


def test_reading_the_session_does_not_wait_for_the_write_lock(
    client: FlaskClient, login_as: Callable[..., User], settings: Settings
) -> None:
    """While another connection holds SQLite's write lock, a page view with a session is served at once.

    Every request opens the web session; taking the write lock for that serialised all requests behind
    autosaves (and made them sleep in SQLite's busy handler under load).
    """
    url = settings.effective_database_url()
    if not url.startswith("sqlite"):
        pytest.skip("SQLite's single write lock")
    login_as(Role.WORKER)
    writer = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=1)
    writer.isolation_level = None
    writer.execute("BEGIN IMMEDIATE")
    try:
        start = time.monotonic()
        response = client.get("/account")
        elapsed = time.monotonic() - start
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert response.status_code == 200
    assert elapsed < 3, f"the page waited {elapsed:.1f} s for the write lock"


def test_every_post_after_timeout_is_kept_not_only_the_first(
    client: FlaskClient, login_as: Callable[..., User], db: Session
) -> None:
    """The browser of a timed-out login keeps being recognised: a second and third post are kept as well."""
    login_as(Role.ADMIN)
    form_token = token(client, "/admin/users/new")
    age_session(client, db, 45)
    for name in ("Ala", "Ala Ósma", "Ala Ósma-Źdźbło"):
        response = client.post(
            "/admin/users/new", data={"full_name": name}, headers={"HX-Request": "true", "X-CSRFToken": form_token}
        )
        assert response.status_code == 401
        assert "HX-Redirect" not in response.headers
    assert "Ala Ósma-Źdźbło" in db.exec(select(ResumeDraft)).one().form_json


def test_activity_keeps_a_short_session_alive(
    app, client: FlaskClient, login_as: Callable[..., User], db: Session  # type: ignore[no-untyped-def]
) -> None:
    """With a one-minute limit, requests a fraction of it apart refresh the session: typing never logs out."""
    app.session_interface.idle = timedelta(minutes=1)
    login_as(Role.WORKER)
    for _ in range(3):
        age_session(client, db, 0.4)  # 24 s idle, each time: well past a tenth of the limit
        assert client.get("/account").status_code == 200
    age_session(client, db, 0.9)
    assert client.get("/account").status_code == 200  # 54 s after the last activity, not 150 s after login


def test_touch_interval_is_a_fraction_of_the_idle_limit() -> None:
    """Activity is written at most a tenth of the idle limit apart, and at least once a minute."""
    from app.auth.sessions import touch_interval

    assert touch_interval(timedelta(minutes=1)) == timedelta(seconds=6)
    assert touch_interval(timedelta(seconds=3)) == timedelta(seconds=0.3)
    assert touch_interval(timedelta(minutes=30)) == timedelta(seconds=60)


def test_a_login_form_left_open_past_the_idle_limit_still_logs_in(
    client: FlaskClient, user_factory: Callable[..., User], db: Session
) -> None:
    """The anonymous session behind an open login form times out too; the same browser's form still works."""
    user = user_factory(Role.WORKER)
    form_token = csrf_from(client.get("/login").get_data(as_text=True))
    age_session(client, db, 31)
    response = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": form_token})
    assert response.status_code == 302 and "/login" not in response.headers["Location"]


def test_an_anonymous_session_that_timed_out_is_renewed_under_its_id(
    client: FlaskClient, user_factory: Callable[..., User], db: Session
) -> None:
    """Requests already on their way with the cookie of a timed-out anonymous session (an old tab's retry, a login
    in a new tab) all find it and its CSRF token: the first renews it in place instead of replacing it, so the
    second is not left with a session whose token no open form has."""
    user = user_factory(Role.WORKER)
    form_token = csrf_from(client.get("/login").get_data(as_text=True))
    sent = client.get_cookie("tw_session")
    assert sent is not None
    age_session(client, db, 31)
    assert client.get("/login").status_code == 200  # the old tab's request, answered first
    renewed = client.get_cookie("tw_session")
    assert renewed is not None and renewed.value == sent.value
    row = db.get(WebSession, hashlib.sha256(sent.value.encode()).hexdigest())
    assert row is not None
    db.refresh(row)
    assert row.user_id is None and (row.last_seen_at - row.created_at) < timedelta(seconds=5)
    client.set_cookie("tw_session", sent.value)  # the new tab's login, sent with the cookie both tabs had
    response = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": form_token})
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
