"""Finding cases: name without diacritics, PESEL, phone, reference; filters; pagination; htmx fragment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from app.auth.models import Role, User
from app.cases.models import Case, CaseState
from app.clock import local_today


def test_search_by_name_ignores_case_and_diacritics(
    client: FlaskClient, login_as: Callable[..., User], case_factory: Callable[..., Case]
) -> None:
    """"lukasiewicz" finds "Łukasiewicz"; "ŻÓŁ" finds "Żółkiewska"."""
    me = login_as(Role.WORKER)
    case_factory(assigned=me, name="Zdzisław Łukasiewicz")
    case_factory(assigned=me, name="Anna Żółkiewska")
    assert "Zdzisław Łukasiewicz" in client.get("/cases?q=lukasiewicz").get_data(as_text=True)
    body = client.get("/cases?q=ŻÓŁ").get_data(as_text=True)
    assert "Anna Żółkiewska" in body and "Łukasiewicz" not in body


def test_name_search_treats_wildcards_literally_and_follows_renames(
    client: FlaskClient, db: Session, login_as: Callable[..., User], case_factory: Callable[..., Case]
) -> None:
    """"%" and "_" match only themselves; after a rename the stored search key finds the new name, not the old."""
    me = login_as(Role.WORKER)
    renamed = case_factory(assigned=me, name="Jadwiga Kołodziej")
    case_factory(assigned=me, name="Ewa Nowak")
    assert "Znalezione sprawy: 0" in client.get("/cases", query_string={"q": "%"}).get_data(as_text=True)
    assert "Znalezione sprawy: 0" in client.get("/cases", query_string={"q": "_a"}).get_data(as_text=True)
    case = db.get(Case, renamed.id)
    assert case is not None and case.search_name == "jadwiga kolodziej"
    case.applicant_name = "Jadwiga Wróbel-Kołodziej"
    db.add(case)
    db.commit()
    assert "Wróbel-Kołodziej" in client.get("/cases?q=wrobel").get_data(as_text=True)
    assert "Znalezione sprawy: 0" in client.get("/cases?q=ewa+kolodziej").get_data(as_text=True)


def test_search_by_pesel_phone_and_reference(
    client: FlaskClient, login_as: Callable[..., User], case_factory: Callable[..., Case]
) -> None:
    """PESEL (or its start), a phone number in any format and the reference each find the case."""
    me = login_as(Role.WORKER)
    target = case_factory(assigned=me, name="Szukana Osoba", pesel="44051401359", phones=("+48601234567",))
    case_factory(assigned=me, name="Inna Osoba", phones=("+48700000000",))
    for q in ("44051401359", "440514", "601 234 567", "+48601234567", "234567", target.reference):
        body = client.get("/cases", query_string={"q": q}).get_data(as_text=True)
        assert "Szukana Osoba" in body and "Inna Osoba" not in body, q


def test_htmx_search_returns_only_the_results(
    client: FlaskClient, login_as: Callable[..., User], case_factory: Callable[..., Case]
) -> None:
    """Active search swaps the results list only; the page has the 300 ms input trigger."""
    me = login_as(Role.WORKER)
    case_factory(assigned=me, name="Wynik Szukania")
    page = client.get("/cases").get_data(as_text=True)
    assert 'hx-trigger="input changed delay:300ms, search"' in page
    fragment = client.get("/cases?q=wynik", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<div id="case-results"') and "Wynik Szukania" in body
    assert "HX-Request" in fragment.headers["Vary"]


@pytest.mark.dates
def test_filters_by_state_worker_and_deadline(
    client: FlaskClient, login_as: Callable[..., User], user_factory: Callable[..., User], case_factory: Callable[..., Case]
) -> None:
    """A supervisor filters the office's cases by state, worker, overdue and due-soon deadlines."""
    login_as(Role.SUPERVISOR)
    anna = user_factory(Role.WORKER, username="anna", full_name="Anna Pracownica")
    old = local_today() - timedelta(days=40)
    case_factory(assigned=anna, name="Po Terminie", received_on=old, state=CaseState.CONTACTING)
    case_factory(name="Pilna Dzisiejsza", urgent=True)
    case_factory(name="Spokojna Sprawa")
    case_factory(assigned=anna, name="Zamknięta Dawna", received_on=old, state=CaseState.CLOSED)

    def names(**args: str) -> str:
        return client.get("/cases", query_string=args).get_data(as_text=True)

    overdue = names(deadline="overdue")
    assert "Po Terminie" in overdue and "Zamknięta Dawna" not in overdue and "Spokojna Sprawa" not in overdue
    soon = names(deadline="soon")
    assert "Pilna Dzisiejsza" in soon and "Spokojna Sprawa" not in soon
    by_worker = names(worker=str(anna.id))
    assert "Po Terminie" in by_worker and "Pilna Dzisiejsza" not in by_worker
    unassigned = names(worker="none")
    assert "Spokojna Sprawa" in unassigned and "Po Terminie" not in unassigned
    closed = names(state="closed")
    assert "Zamknięta Dawna" in closed and "Spokojna Sprawa" not in closed


def test_results_are_paginated(client: FlaskClient, login_as: Callable[..., User], case_factory: Callable[..., Case]) -> None:
    """Twenty per page, with links that keep the search."""
    me = login_as(Role.WORKER)
    for n in range(23):
        case_factory(assigned=me, name=f"Osoba Numer{n:02d}")
    first = client.get("/cases?q=osoba").get_data(as_text=True)
    assert "Znalezione sprawy: 23" in first and "Strona 1 z 2" in first
    assert 'href="/cases?q=osoba&amp;page=2"' in first
    second = client.get("/cases?q=osoba&page=2").get_data(as_text=True)
    assert second.count('class="card case-row') == 3


@pytest.mark.dates
def test_team_queue_counts_per_worker(
    client: FlaskClient, login_as: Callable[..., User], user_factory: Callable[..., User], case_factory: Callable[..., Case]
) -> None:
    """The supervisor sees each worker's open and overdue cases and the unassigned ones."""
    login_as(Role.SUPERVISOR)
    anna = user_factory(Role.WORKER, username="anna2", full_name="Anna Pracownica")
    old = local_today() - timedelta(days=40)
    case_factory(assigned=anna, received_on=old)
    case_factory(assigned=anna)
    case_factory()
    body = client.get("/cases/team").get_data(as_text=True)
    anna_card = body.split("Anna Pracownica", 1)[1].split("</li>", 1)[0]
    assert "<dd>2</dd>" in anna_card and f"worker={anna.id}&amp;deadline=overdue" in anna_card
    assert "Nieprzydzielone" in body
