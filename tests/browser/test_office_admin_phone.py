"""A new office's administrator on a phone (390×844): first login after `telewywiad setup`, a worker added, a
helpline changed and a form version published — and the worker's next interview uses it, without a restart.

The installation is set up the production way (no demo data): `db upgrade`, then `setup` with flags. gunicorn runs
two processes, so the publishing request and the worker's requests are served by whichever process answers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import CHROMIUM, screenshot
from tests.browser.pages import LoginPage, assert_fits_phone, assert_touch_targets
from tests.browser.test_accessibility import _describe, _violations
from tests.integration.formstore.conftest import rws_v2
from tests.serverproc import ServerProcess, server_env

ADMIN_PASSWORD = "Pierwsze-Hasło-Ośrodka-2026"
WORKER_PASSWORD = "Hasło-Pracownicy-Łucji-1"
BROKEN = "id: rws\nversion: 3\ntitle: {pl: \"Zepsuty\", en: \"Broken\"}\nsections: []\n"


@dataclass
class Installation:
    """A freshly set up installation served by gunicorn."""

    url: str
    database: Path


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installation]:
    """`db upgrade` and `setup` (the first office and its administrator), then serve with 2 processes."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs it (apt-get install chromium)")
    instance = tmp_path_factory.mktemp("office-admin")
    env = server_env(instance, TELEWYWIAD_ADMIN_PASSWORD=ADMIN_PASSWORD)
    server = ServerProcess(instance=instance, env=env, workers=2)
    for args in (("db", "upgrade"),
                 ("setup", "--office-name", "Gminny Ośrodek Pomocy Społecznej w Pucku", "--short-name", "GOPS Puck",
                  "--address", "ul. Żeromskiego 12, 84-100 Puck", "--phone", "58 673 22 11",
                  "--admin-username", "kierownik.it", "--admin-full-name", "Jolanta Ślęzak")):
        result = server.cli(*args)
        assert result.returncode == 0, result.stderr
    server.start()
    yield Installation(server.url, instance / "telewywiad.sqlite3")
    server.stop()


def _phone_checks(page: Page, name: str) -> None:
    """No sideways scrolling, 44 px touch targets, no WCAG 2.1 A/AA violation (axe); a screenshot to look at."""
    assert_fits_phone(page)
    assert_touch_targets(page)
    screenshot(page, f"office-admin-{name}")
    problems = _describe(page.url, _violations(page))
    assert problems == [], "\n".join(problems)


def _add_worker(page: Page) -> None:
    page.get_by_role("link", name="Nowy użytkownik").tap()
    page.get_by_label("Imię i nazwisko").fill("Łucja Źrebiec")
    page.get_by_label("Nazwa użytkownika").fill("l.zrebiec")
    page.get_by_label("Hasło początkowe").fill(WORKER_PASSWORD)
    page.get_by_label("pracownik socjalny").check()
    page.get_by_role("button", name="Utwórz konto").tap()
    expect(page.get_by_text("Utworzono konto l.zrebiec.")).to_be_visible()
    _phone_checks(page, "users")


def _change_helpline(page: Page) -> None:
    page.get_by_role("link", name="Ośrodek", exact=True).tap()
    expect(page.get_by_role("heading", level=1, name="Ośrodki")).to_be_visible()
    _phone_checks(page, "offices")
    page.get_by_role("link", name="Telefony wsparcia – GOPS Puck").tap()
    expect(page.get_by_role("heading", level=1, name="Telefony wsparcia")).to_be_visible()
    page.get_by_role("link", name="Zmień 116 123").tap()
    hours = page.locator("#f-hours_pl")  # "Godziny działania", beside "… po angielsku"
    hours.fill("")
    page.get_by_role("button", name="Zapisz").tap()
    expect(page.get_by_text("Podaj godziny działania, np. „całą dobę”.")).to_be_visible()  # at the field, in Polish
    _phone_checks(page, "helpline-error")
    expect(hours).to_have_attribute("aria-invalid", "true")
    hours.fill("codziennie 14:00–22:00")
    page.get_by_role("button", name="Zapisz").tap()
    expect(page.get_by_text("Zapisano numer 116 123.")).to_be_visible()
    expect(page.get_by_text("codziennie 14:00–22:00")).to_be_visible()
    _phone_checks(page, "helplines")


def _change_deadline(page: Page) -> None:
    """A setting saved through htmx: a bad value is named at its field and kept, then the right one is saved."""
    page.locator(".office-tabs").get_by_role("link", name="Ustawienia", exact=True).tap()
    expect(page.get_by_role("heading", level=1, name="Ustawienia")).to_be_visible()
    days = page.get_by_label("Termin wywiadu (dni robocze)")
    days.fill("czternaście")
    page.get_by_role("button", name="Zapisz – Sprawy i terminy ustawowe").tap()
    expect(page.get_by_text("Wpisz liczbę całkowitą, np. 1.")).to_be_visible()
    expect(days).to_have_value("czternaście")
    _phone_checks(page, "settings-error")
    days.fill("10")
    page.get_by_role("button", name="Zapisz – Sprawy i terminy ustawowe").tap()
    expect(page.locator("#g-cases").get_by_text("Zapisano.")).to_be_visible()
    _phone_checks(page, "settings")


def _publish_form(page: Page, tmp_path: Path) -> None:
    page.get_by_role("link", name="Formularze").tap()
    broken = tmp_path / "zepsuty.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    page.get_by_label("Plik YAML (najwyżej 1024 kB)").set_input_files(str(broken))
    page.get_by_role("button", name="Sprawdź i zapisz szkic").tap()
    problems = page.locator(".problem-list li")
    expect(problems.first).to_be_visible()
    expect(page.get_by_text("Formularz ma")).to_be_visible()
    _phone_checks(page, "form-problems")
    good = tmp_path / "rws-v2.yaml"
    good.write_text(rws_v2(), encoding="utf-8")
    page.get_by_label("…albo treść formularza").fill("")
    page.get_by_label("Plik YAML (najwyżej 1024 kB)").set_input_files(str(good))
    page.get_by_role("button", name="Sprawdź i zapisz szkic").tap()
    expect(page.get_by_role("heading", level=1, name="wersja ośrodka")).to_be_visible()
    expect(page.get_by_role("heading", name="Dane rozmowy")).to_be_visible()
    _phone_checks(page, "form-preview")
    page.get_by_role("button", name="Opublikuj dla ośrodka").tap()
    expect(page.get_by_text("Opublikowano rws v2.")).to_be_visible()
    expect(page.get_by_text("Nowe wywiady: wersja 2.")).to_be_visible()
    _phone_checks(page, "forms")


def _case_for(installation: Installation, username: str) -> int:
    with sqlite3.connect(installation.database) as conn:
        worker_id, office_id = conn.execute(
            "SELECT id, office_id FROM user_account WHERE username = ?", (username,)).fetchone()
        cursor = conn.execute(
            "INSERT INTO case_file (office_id, reference, applicant_name, search_name, pesel, email, address, channel, "
            "channel_detail, received_on, requested, request_note, urgent, permanent_help, state, assigned_worker_id, "
            "needs_other_route, created_at) VALUES (?, 'RWS/2026/0001', 'Zdzisław Łęcki', 'zdzislaw lecki', NULL, '', "
            "'', 'phone', '', '2026-03-02', '[]', '', 0, 0, 'new', ?, 0, '2026-03-02 09:00:00')",
            (office_id, worker_id))
        return int(cursor.lastrowid or 0)


def test_new_office_admin_adds_a_worker_changes_a_helpline_and_publishes_a_form(
    page: Page, browser: Browser, installation: Installation, tmp_path: Path
) -> None:
    """Everything a new office does on its first day, on a phone, and the worker's next interview uses the new form."""
    LoginPage(page, installation.url).open().log_in("kierownik.it", ADMIN_PASSWORD)
    expect(page.get_by_role("heading", level=1, name="Użytkownicy")).to_be_visible()
    _add_worker(page)
    _change_helpline(page)
    _change_deadline(page)
    _publish_form(page, tmp_path)

    case_id = _case_for(installation, "l.zrebiec")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="pl-PL", timezone_id="Europe/Warsaw")
    worker = context.new_page()
    LoginPage(worker, installation.url).open().log_in("l.zrebiec", WORKER_PASSWORD)
    expect(worker.get_by_role("heading", level=1, name="Dzisiaj")).to_be_visible()
    worker.goto(f"{installation.url}/cases/{case_id}")
    worker.get_by_role("button", name="Rozpocznij wywiad").tap()
    expect(worker.get_by_text("Rodzinny wywiad środowiskowy – część I (wersja ośrodka)")).to_be_visible()
    _phone_checks(worker, "worker-interview-v2")
    context.close()
