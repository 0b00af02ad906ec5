"""Each demo role logs in on a phone and lands on its start page; a time-out loses nothing."""

from __future__ import annotations

import sqlite3

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.pages import LoginPage, assert_fits_phone, assert_touch_targets


@pytest.mark.parametrize(
    ("username", "heading"),
    [
        ("demo-worker", "Dzisiaj"),
        ("demo-psychologist", "Zgłoszenia do psychologa"),
        ("demo-supervisor", "Do zatwierdzenia"),
        ("demo-admin", "Użytkownicy"),
    ],
)
def test_demo_role_logs_in_on_phone(page: Page, live_server: LiveServer, username: str, heading: str) -> None:
    """On a 390×844 touch screen each demo account reaches its own start page, in Polish."""
    login = LoginPage(page, live_server.url).open()
    assert_fits_phone(page)
    assert_touch_targets(page)
    screenshot(page, "login-phone")
    login.log_in(username, live_server.password)
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    assert_fits_phone(page)
    assert_touch_targets(page)
    screenshot(page, f"start-{username}")


def test_wrong_password_message_on_phone(page: Page, live_server: LiveServer) -> None:
    """A wrong password is announced in Polish and the username stays typed."""
    login = LoginPage(page, live_server.url).open()
    login.log_in("demo-supervisor", "to-nie-jest-hasło")
    expect(page.get_by_role("alert")).to_have_text("Nieprawidłowa nazwa użytkownika lub hasło.")
    expect(page.get_by_label("Nazwa użytkownika")).to_have_value("demo-supervisor")


def test_timeout_mid_form_loses_nothing(page: Page, live_server: LiveServer) -> None:
    """An administrator's half-filled form, sent after the session timed out, is there after logging in again."""
    LoginPage(page, live_server.url).open().log_in("demo-admin", live_server.password)
    page.get_by_role("link", name="Nowy użytkownik").tap()
    page.get_by_label("Imię i nazwisko").fill("Bożena Źdźbło-Ęlżbieciak")
    page.get_by_label("Nazwa użytkownika").fill("b.zdzblo")
    page.get_by_label("psycholog").check()

    # The worker walks away: the server-side session ages past the idle limit.
    path = live_server.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE web_session SET last_seen_at = datetime(last_seen_at, '-2 hours')")

    page.get_by_label("Hasło początkowe").fill("Początkowe-Hasło-2026")
    page.get_by_role("button", name="Utwórz konto").tap()
    expect(page.get_by_text("Sesja wygasła z powodu braku aktywności")).to_be_visible()
    LoginPage(page, live_server.url).log_in("demo-admin", live_server.password)

    expect(page.get_by_role("heading", name="Niewysłane dane")).to_be_visible()
    expect(page.get_by_text("Bożena Źdźbło-Ęlżbieciak")).to_be_visible()
    expect(page.get_by_text("Nowe konto użytkownika")).to_be_visible()  # the form named in words, not field names
    screenshot(page, "resume-after-timeout")
    page.get_by_role("button", name="Wyślij ponownie").tap()
    # The password is never kept: the form comes back asking for it, everything else filled in.
    expect(page.get_by_label("Imię i nazwisko")).to_have_value("Bożena Źdźbło-Ęlżbieciak")
    expect(page.get_by_label("psycholog")).to_be_checked()
    page.get_by_label("Hasło początkowe").fill("Początkowe-Hasło-2026")
    page.get_by_role("button", name="Utwórz konto").tap()
    expect(page.get_by_text("Utworzono konto b.zdzblo.")).to_be_visible()
