"""During a call about a case the worker opens a filing guide, ticks the steps done and records "guided to file
electronically" as the call's outcome; residents read the same guides on the public pages."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import Office, Role, User
from app.cases.models import CallAttempt, CallOutcome, CaseState
from app.guides.models import GuideProgress
from tests.conftest import token
from tests.office_fixtures import make_case

NUMBER = "+48601234567"


def test_the_case_page_and_the_call_form_link_the_guides(
    client: FlaskClient, db: Session, office: Office, login_as: Callable[..., User]
) -> None:
    """The case page offers every guide for this case; so does the call form on the today list (when opened)."""
    worker = login_as(Role.WORKER)
    case = make_case(db, office, assigned=worker, phones=(NUMBER,))
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'href="/cases/{case.id}/guides/epuap"' in page and f'href="/cases/{case.id}/guides/profil-zaufany"' in page
    # On the today list the guides come with the card's "other outcome" form, loaded when it is opened.
    form = client.get(f"/today/cases/{case.id}/call-form", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f'href="/cases/{case.id}/guides/epuap"' in form


def test_ticks_are_kept_on_the_server_and_the_outcome_lands_in_the_case_history(
    client: FlaskClient, db: Session, office: Office, login_as: Callable[..., User]
) -> None:
    """Two steps ticked (htmx): kept; the outcome is a call with its own label and a note naming the guide."""
    worker = login_as(Role.WORKER)
    case = make_case(db, office, assigned=worker, phones=(NUMBER,))
    guide_page = client.get(f"/cases/{case.id}/guides/epuap").get_data(as_text=True)
    assert "Otwórz ePUAP i zaloguj się" in guide_page and "do sprawdzenia" in guide_page and "Zrobione kroki: 0 z 7." in guide_page
    ticked = client.post(f"/cases/{case.id}/guides/epuap/steps", headers={"HX-Request": "true"},
                         data={"csrf_token": token(client, "/cases"), "done": ["open_epuap", "choose_letter", "nie-ma-takiego"]})
    assert ticked.status_code == 200 and "Zrobione kroki: 2 z 7." in ticked.get_data(as_text=True)
    assert "<html" not in ticked.get_data(as_text=True)  # only the progress partial
    progress = db.exec(select(GuideProgress)).one()
    assert json.loads(progress.steps_done) == ["open_epuap", "choose_letter"]
    assert 'value="open_epuap" checked' in client.get(f"/cases/{case.id}/guides/epuap").get_data(as_text=True)
    response = client.post(f"/cases/{case.id}/guides/epuap/outcome",
                           data={"csrf_token": token(client, "/cases"), "number": NUMBER, "note": "Złoży dziś wieczorem."})
    note = "Przewodnik: Wniosek przez ePUAP (wersja 1). Wykonane kroki: 2 z 7.\nZłoży dziś wieczorem."
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{case.id}#h-history")
    attempt = db.exec(select(CallAttempt)).one()
    assert (attempt.outcome, attempt.note, attempt.worker_id) == (CallOutcome.GUIDED_EFILING, note, worker.id)
    db.refresh(progress)
    db.refresh(case)
    assert progress.call_attempt_id == attempt.id and case.state == CaseState.CONTACTING
    history = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Poinstruowano, jak złożyć wniosek elektronicznie" in history
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "guide.outcome")).one().object_id == str(progress.id)


def test_without_javascript_the_ticks_are_saved_with_the_button(
    client: FlaskClient, db: Session, office: Office, login_as: Callable[..., User]
) -> None:
    """A plain POST saves the ticks and comes back to the guide."""
    worker = login_as(Role.WORKER)
    case = make_case(db, office, assigned=worker)
    response = client.post(f"/cases/{case.id}/guides/email-skany/steps",
                           data={"csrf_token": token(client, "/cases"), "done": "fill_and_sign"})
    assert response.status_code == 302 and f"/cases/{case.id}/guides/email-skany" in response.headers["Location"]


def test_the_outcome_needs_a_number_of_the_case(
    client: FlaskClient, db: Session, office: Office, login_as: Callable[..., User]
) -> None:
    """A number not on the case is refused at the field; the note stays; nothing is recorded."""
    worker = login_as(Role.WORKER)
    case = make_case(db, office, assigned=worker)
    response = client.post(f"/cases/{case.id}/guides/empatia/outcome",
                           data={"csrf_token": token(client, "/cases"), "number": "+48999999999", "note": "Moja notatka"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Wybierz jeden z numerów wnioskodawcy." in body and "Moja notatka" in body
    assert db.exec(select(CallAttempt)).all() == [] and db.exec(select(GuideProgress)).all() == []


def test_guides_of_a_colleagues_case_are_hidden_and_psychologists_have_none(
    client: FlaskClient, db: Session, office: Office, login_as: Callable[..., User], user_factory: Callable[..., User]
) -> None:
    """Another worker's case: 404; a psychologist: 403; an unknown guide: 404."""
    login_as(Role.WORKER)
    theirs = make_case(db, office, assigned=user_factory(Role.WORKER))
    assert client.get(f"/cases/{theirs.id}/guides/epuap").status_code == 404
    mine = make_case(db, office)
    assert client.get(f"/cases/{mine.id}/guides/nie-ma-takiego").status_code == 404
    client.post("/logout", data={"csrf_token": token(client, "/cases")})
    login_as(Role.PSYCHOLOGIST)
    assert client.get(f"/cases/{mine.id}/guides/epuap").status_code == 403
    assert client.get("/guides/epuap").status_code == 200


def test_residents_read_the_same_guide_without_a_cookie(app, office: Office) -> None:  # type: ignore[no-untyped-def]
    """The public guide: steps without the workers' hints, cacheable, no cookie; in English a Polish-only notice."""
    anonymous = app.test_client()
    response = anonymous.get("/contact/guides/epuap")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Set-Cookie" not in response.headers and response.cache_control.public
    assert "Otwórz ePUAP i zaloguj się" in body and "Nazwa usługi na platformie może być inna" not in body
    english = anonymous.get("/contact/guides/epuap?lang=en").get_data(as_text=True)
    assert "This guide is available in Polish only." in english and 'lang="pl"' in english
