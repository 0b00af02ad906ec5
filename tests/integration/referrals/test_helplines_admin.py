"""An office's helplines in the database: edited by its administrators, dated, audited, shown with risk flags."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import Office, Role, User
from tests.conftest import login, token
from tests.factories import make_office, make_user

CRISIS = {"suicidal_thoughts": True, "suicide_plan": True}


def _line_form(client: FlaskClient, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "csrf_token": token(client), "number": "116 123", "name_pl": "Telefon zaufania dla dorosłych",
        "name_en": "", "hours_pl": "codziennie 14:00–22:00", "hours_en": "daily 2–10 pm", "show_with": ["crisis"],
        "valid_from": "", "valid_until": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def crisis_panel(client: FlaskClient, db: Session, make_case: Callable[..., Any],
                 make_interview: Callable[..., Any]) -> Callable[[Office, str], str]:
    """The flags panel (with its helplines) of a crisis interview by a new worker of the office."""

    def panel(office: Office, username: str) -> str:
        worker = make_user(db, office, Role.WORKER, username=username)
        db.commit()
        interview = make_interview(make_case(worker, office_=office), worker, CRISIS)
        worker_client = client.application.test_client()
        login(worker_client, worker.username)
        return worker_client.get(f"/interviews/{interview.id}/flags").get_data(as_text=True)

    return panel


def test_admin_changes_hours_and_workers_of_that_office_see_them(
    client: FlaskClient, login_as: Callable[..., User], office: Office, db: Session, crisis_panel: Any
) -> None:
    """The changed hours appear in the crisis panel of the office's interviews; the audit names old and new."""
    admin = login_as(Role.ADMIN)
    listing = client.get(f"/admin/offices/{office.id}/helplines").get_data(as_text=True)
    assert "116 123" in listing and "sprawdź aktualne godziny" in listing
    response = client.post(f"/admin/offices/{office.id}/helplines/adults_emotional_crisis", data=_line_form(client))
    assert response.status_code == 302
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "office.setting")).one()
    details = json.loads(event.details)
    assert event.actor_id == admin.id and details["line"] == "adults_emotional_crisis"
    assert details["old"]["hours"]["pl"] == "sprawdź aktualne godziny"
    assert details["new"]["hours"]["pl"] == "codziennie 14:00–22:00"

    panel = crisis_panel(office, "pracownik-infolinie")
    assert "codziennie 14:00–22:00" in panel and "sprawdź aktualne godziny" not in panel


def test_another_office_keeps_the_installation_list(
    client: FlaskClient, login_as: Callable[..., User], office: Office, db: Session, crisis_panel: Any
) -> None:
    """A change in one office does not reach another office's workers."""
    login_as(Role.ADMIN)
    client.post(f"/admin/offices/{office.id}/helplines/adults_emotional_crisis", data=_line_form(client))
    panel = crisis_panel(make_office(db, "MOPS Wschowa"), "pracownik-wschowa")
    assert "sprawdź aktualne godziny" in panel and "codziennie 14:00–22:00" not in panel


def test_a_number_with_an_end_date_stops_showing_after_it(
    client: FlaskClient, login_as: Callable[..., User], office: Office, crisis_panel: Any
) -> None:
    """A special number that ran until a past date (the Wschowa case) is no longer offered; a current one is."""
    login_as(Role.ADMIN)
    client.post(f"/admin/offices/{office.id}/helplines/new", data=_line_form(
        client, number="800 100 100", name_pl="Specjalny numer na czas epidemii", valid_until="2020-06-08"))
    client.post(f"/admin/offices/{office.id}/helplines/new", data=_line_form(
        client, number="800 200 200", name_pl="Dyżur popołudniowy", valid_from="2020-01-01"))
    listing = client.get(f"/admin/offices/{office.id}/helplines").get_data(as_text=True)
    assert "nie działa dziś" in listing
    panel = crisis_panel(office, "pracownik-daty")
    assert "800 200 200" in panel and "800 100 100" not in panel


def test_bad_helpline_values_are_named_and_kept(client: FlaskClient, login_as: Callable[..., User], office: Office) -> None:
    """Letters in the number, no hours, no flag kind and dates in the wrong order: each named, typed values kept."""
    login_as(Role.ADMIN)
    response = client.post(f"/admin/offices/{office.id}/helplines/new", data=_line_form(
        client, number="116 12X", hours_pl="", show_with=[], valid_from="2026-05-01", valid_until="2026-04-01"))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("Numer: same cyfry", "Podaj godziny działania", "Wybierz, przy jakich sygnałach",
                    "Data końcowa nie może być wcześniejsza"):
        assert message in body
    assert 'value="116 12X"' in body and 'value="2026-04-01"' in body


def test_the_emergency_number_cannot_be_removed_or_dated(
    client: FlaskClient, login_as: Callable[..., User], office: Office
) -> None:
    """112 always stays: removing it is refused, and it takes no dates."""
    login_as(Role.ADMIN)
    client.post(f"/admin/offices/{office.id}/helplines/emergency/delete", data={"csrf_token": token(client)})
    assert "112" in client.get(f"/admin/offices/{office.id}/helplines").get_data(as_text=True)
    response = client.post(f"/admin/offices/{office.id}/helplines/emergency", data=_line_form(
        client, number="112", valid_until="2030-01-01"))
    assert response.status_code == 422
    assert client.get(f"/admin/offices/{office.id}/helplines/nonexistent").status_code == 404
