"""The worker's today screen: call-backs first, then new applications, interviews in progress, deadlines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from app.auth.models import Role, User
from app.cases.models import Callback, Case, CaseState
from app.clock import local_today, utcnow
from app.dates import day_text
from app.interviews.models import Interview, InterviewState
from app.workdays import add_working_days


def _position(body: str, text: str) -> int:
    index = body.find(text)
    assert index >= 0, f"{text!r} not on the page"
    return index


@pytest.mark.dates
def test_today_lists_sections_in_order(
    client: FlaskClient, login_as: Callable[..., User], case_factory: Callable[..., Case], db: Session
) -> None:
    """Overdue call-back, then one due later, then new applications, interviews in progress, deadlines."""
    me = login_as(Role.WORKER)
    now = utcnow()
    overdue = case_factory(assigned=me, name="Zaległy Oddzwon", state=CaseState.CONTACTING)
    later = case_factory(assigned=me, name="Późniejszy Oddzwon", state=CaseState.CONTACTING)
    tomorrow = case_factory(assigned=me, name="Jutrzejszy Oddzwon", state=CaseState.CONTACTING)
    case_factory(assigned=me, name="Nowa Wnioskodawczyni")
    running = case_factory(assigned=me, name="Trwający Wywiad", state=CaseState.INTERVIEW)
    old = local_today() - timedelta(days=40)
    case_factory(assigned=me, name="Termin Minął", state=CaseState.OTHER_ROUTE, received_on=old)
    case_factory(assigned=me, name="Zamknięta Sprawa", state=CaseState.CLOSED, received_on=old)
    case_factory(name="Nieprzydzielona")
    db.add(Callback(case_id=overdue.id or 0, worker_id=me.id or 0, due_at=now - timedelta(minutes=5)))
    # Stays "later today" unless the test runs in the last minute of the day in Warsaw.
    db.add(Callback(case_id=later.id or 0, worker_id=me.id or 0, due_at=now + timedelta(seconds=30)))
    db.add(Callback(case_id=tomorrow.id or 0, worker_id=me.id or 0, due_at=now + timedelta(days=2)))
    db.add(
        Interview(office_id=running.office_id, case_id=running.id or 0, worker_id=me.id or 0, form_id="rws",
                  form_version=1, state=InterviewState.IN_PROGRESS)
    )
    db.commit()

    body = client.get("/today").get_data(as_text=True)
    order = [
        _position(body, "Zaległy Oddzwon"),
        _position(body, "Późniejszy Oddzwon"),
        _position(body, "Nowa Wnioskodawczyni"),
        _position(body, "Trwający Wywiad"),
        _position(body, "Termin Minął"),
    ]
    assert order == sorted(order)
    assert _position(body, 'id="h-callbacks"') < order[0]
    assert "zaległe od" in body
    assert "Jutrzejszy Oddzwon" not in body  # booked for another day: neither a call-back nor "to call" today
    assert "Zamknięta Sprawa" not in body and "Nieprzydzielona" not in body
    assert "czekające na pracownika: 1" in body
    assert body.count('href="tel:+48601234567"') >= 3
    assert "Wróć do wywiadu" in body


def test_today_is_empty_with_a_friendly_message(client: FlaskClient, login_as: Callable[..., User]) -> None:
    """With nothing to do the page says so."""
    login_as(Role.WORKER)
    assert "Brak oddzwonień i terminów na dziś." in client.get("/today").get_data(as_text=True)


def test_worker_lands_on_today(client: FlaskClient, login_as: Callable[..., User]) -> None:
    """The worker's start page is worklist.today."""
    login_as(Role.WORKER)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/today")


def test_other_workers_callbacks_are_not_on_my_list(
    client: FlaskClient, login_as: Callable[..., User], user_factory: Callable[..., User],
    case_factory: Callable[..., Case], db: Session,
) -> None:
    """A colleague's call-back stays on the colleague's list."""
    login_as(Role.WORKER)
    colleague = user_factory(Role.WORKER, username="kolezanka")
    theirs = case_factory(assigned=colleague, name="Sprawa Koleżanki")
    db.add(Callback(case_id=theirs.id or 0, worker_id=colleague.id or 0, due_at=utcnow()))
    db.commit()
    assert "Sprawa Koleżanki" not in client.get("/today").get_data(as_text=True)


@pytest.mark.dates
def test_deadline_badges_follow_working_days(
    client: FlaskClient, login_as: Callable[..., User], case_factory: Callable[..., Case]
) -> None:
    """An urgent case received today shows its 2-working-day deadline as "soon"."""
    me = login_as(Role.WORKER)
    case_factory(assigned=me, name="Pilna Sprawa", urgent=True)
    body = client.get("/today").get_data(as_text=True)
    due = add_working_days(local_today(), 2)
    # As the page writes it: the one Polish date format, dd.mm.rrrr ("02.12.2026"), from app.dates.
    assert "pilne" in body and f"termin {day_text(due, 'pl')}" in body


@pytest.mark.dates
def test_a_distant_deadline_is_on_the_card_too(
    client: FlaskClient, login_as: Callable[..., User], case_factory: Callable[..., Case]
) -> None:
    """A normal case received today (a month to go) still shows its deadline, quietly (issue 15, point 13)."""
    me = login_as(Role.WORKER)
    case = case_factory(assigned=me, name="Spokojna Sprawa")
    body = client.get("/today").get_data(as_text=True)
    card = body.split(f'id="case-{case.id}"', 1)[1].split("</li>", 1)[0]
    assert case.due_on is not None
    assert f'<span class="badge badge-off">termin {day_text(case.due_on, "pl")}</span>' in card


@pytest.mark.dates
def test_permanent_help_update_due_appears_among_deadlines(
    client: FlaskClient, login_as: Callable[..., User], case_factory: Callable[..., Case]
) -> None:
    """Six months after the last finished interview of a permanent-help case, its update is on the list."""
    me = login_as(Role.WORKER)
    case_factory(
        assigned=me, name="Stały Zasiłek", permanent_help=True, state=CaseState.INTERVIEW_DONE,
        last_interview_completed_at=utcnow() - timedelta(days=185),
    )
    case_factory(
        assigned=me, name="Niedawny Wywiad", permanent_help=True, state=CaseState.INTERVIEW_DONE,
        last_interview_completed_at=utcnow() - timedelta(days=30),
    )
    body = client.get("/today").get_data(as_text=True)
    section = body.split('id="h-deadlines"', 1)[1]
    assert "Stały Zasiłek" in section and "aktualizacja wywiadu do" in section
    assert "Niedawny Wywiad" not in body


def test_long_sections_show_the_first_cases_and_a_link_to_all(
    client: FlaskClient, login_as: Callable[..., User], case_factory: Callable[..., Case]
) -> None:
    """A worker with many new applications gets the first ones (urgent first) and "show all" for the rest."""
    from app.worklist.routes import TODAY_SECTION_LIMIT

    me = login_as(Role.WORKER)
    count = TODAY_SECTION_LIMIT + 3
    for n in range(count):
        case_factory(assigned=me, name=f"Wnioskodawca Numer{n:02d}", urgent=n == count - 1)
    body = client.get("/today").get_data(as_text=True)
    assert f"Wnioskodawca Numer{count - 1:02d}" in body  # urgent goes first, so it is never cut off
    shown = [n for n in range(count) if f"Wnioskodawca Numer{n:02d}" in body]
    assert len(shown) == TODAY_SECTION_LIMIT
    assert f"({count})" in body and f"Pokaż wszystkie ({count})" in body
    assert 'href="/today?show=to-call#h-to-call"' in body

    everything = client.get("/today?show=to-call").get_data(as_text=True)
    assert all(f"Wnioskodawca Numer{n:02d}" in everything for n in range(count))
    assert "Pokaż wszystkie" not in everything


def test_a_cards_other_outcome_form_is_loaded_when_opened(
    client: FlaskClient, login_as: Callable[..., User], case_factory: Callable[..., Case]
) -> None:
    """The list carries the one-tap outcomes; the "other outcome" form comes when the card's details are opened
    (htmx), with a link to the same form on the case page without JavaScript."""
    worker = login_as(Role.WORKER)
    case = case_factory(assigned=worker, name="Leokadia Późna", phones=("+48601234567",))
    page = client.get("/today").get_data(as_text=True)
    assert f'hx-get="/today/cases/{case.id}/call-form" hx-trigger="toggle once"' in page
    assert f'href="/cases/{case.id}#h-phones"' in page and "Oddzwonić (dzień i godzina)" not in page
    form = client.get(f"/today/cases/{case.id}/call-form", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in form and "Oddzwonić (dzień i godzina)" in form
    assert f'hx-post="/today/cases/{case.id}/calls" hx-target="#today-list"' in form
