"""Login throttling holds across app processes because its state is in the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.auth.models import User
from app.config import Settings
from app.db import ENGINE_KEY
from tests.conftest import login, token
from tests.factories import PASSWORD


def test_account_waits_after_repeated_failures_and_message_says_how_long(
    client: FlaskClient, user_factory: Callable[..., User]
) -> None:
    """Five wrong passwords lock the account; even the right one then waits, and the message says how long."""
    user = user_factory()
    for _ in range(5):
        assert login(client, user.username, "wrong-password-000").status_code == 401
    response = login(client, user.username)
    body = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Zbyt wiele nieudanych prób logowania. Spróbuj ponownie za 1 min." in body


def test_lock_holds_across_separate_app_processes(
    app: Flask, settings: Settings, user_factory: Callable[..., User]
) -> None:
    """Failures counted by one app instance lock the account on another (state is in the database)."""
    user = user_factory()
    first = app.test_client()
    for _ in range(5):
        login(first, user.username, "wrong-password-000")
    second_app = create_app(settings)
    try:
        second = second_app.test_client()
        assert login(second, user.username).status_code == 429
    finally:
        second_app.extensions[ENGINE_KEY].dispose()


def test_success_resets_the_count(client: FlaskClient, user_factory: Callable[..., User]) -> None:
    """Failures before a successful login do not count towards the next lock."""
    user = user_factory()
    for _ in range(4):
        login(client, user.username, "wrong-password-000")
    assert login(client, user.username).status_code == 302
    client.post("/logout", data={"csrf_token": token(client)})
    for _ in range(4):
        login(client, user.username, "wrong-password-000")
    assert login(client, user.username).status_code == 302


def test_one_address_guessing_many_accounts_is_throttled(
    app: Flask, settings: Settings, user_factory: Callable[..., User]
) -> None:
    """Spraying one password over many usernames from one address is stopped too."""
    client = app.test_client()
    victim = user_factory()
    for n in range(settings.login_ip_max_failures):
        login(client, f"nobody{n}", "Wiosna2026!")
    assert login(client, victim.username).status_code == 429


def test_wrong_current_passwords_lock_like_the_login_form(
    app: Flask, client: FlaskClient, user_factory: Callable[..., User]
) -> None:
    """12 wrong current passwords: the first five are told so, then even the right one waits with the login
    form's message, and the login form itself is locked; after the wait the right one works."""
    import time_machine

    from app.clock import utcnow

    user = user_factory()
    assert login(client, user.username).status_code == 302

    def change(current: str):  # type: ignore[no-untyped-def]
        return client.post("/account/password", data={
            "current_password": current, "new_password": "Zupełnie-Nowe-Hasło-42", "repeat_password": "Zupełnie-Nowe-Hasło-42",
            "csrf_token": token(client),
        })

    statuses = [change(f"zgaduję-{n:02d}").status_code for n in range(12)]
    assert statuses == [422] * 5 + [429] * 7
    locked = change(PASSWORD)
    assert locked.status_code == 429
    assert "Zbyt wiele nieudanych prób logowania. Spróbuj ponownie za" in locked.get_data(as_text=True)
    assert login(app.test_client(), user.username).status_code == 429
    with time_machine.travel(utcnow() + timedelta(minutes=5), tick=True):
        assert change(PASSWORD).status_code == 302
