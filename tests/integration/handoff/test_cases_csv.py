"""The cases registered in a period as CSV (supervisors): the period checked, formulas defused, the export audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.cases.models import Case
from app.interviews.models import Interview
from tests.conftest import login


def _rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_supervisor_downloads_the_cases_of_a_period(
    app: Flask, db: Session, approved_interview: Interview, case_factory: Callable[..., Case],
    user_factory: Callable[..., User],
) -> None:
    """Only cases received in the period, with the interview's date, whether it was in time, mode and report."""
    case = db.get(Case, approved_interview.case_id)
    assert case is not None
    day = case.received_on
    case_factory(received_on=day - dt.timedelta(days=40), name="Poza Okresem")
    case_factory(received_on=day, name="=HYPERLINK(\"http://x\")", urgent=True)
    boss = user_factory(Role.SUPERVISOR, username="szefowa")
    client = app.test_client()
    assert login(client, boss.username).status_code == 302
    page = client.get(f"/exports/cases?from={day - dt.timedelta(days=3):%d.%m.%Y}&to={day.isoformat()}")
    assert page.status_code == 200 and "Pobierz CSV" in page.get_data(as_text=True)
    response = client.get(f"/exports/cases?from={(day - dt.timedelta(days=3)).isoformat()}&to={day.isoformat()}"
                          "&download=1")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    rows = _rows(response.data)
    assert rows[0][:4] == ["Znak sprawy", "Wnioskodawca", "PESEL", "Data wpływu"]
    names = [r[1] for r in rows[1:]]
    assert "Poza Okresem" not in names and "Zażółć Gęślą-Jaźń" in names
    assert "'=HYPERLINK(\"http://x\")" in names  # a formula is read as text
    mine = next(r for r in rows[1:] if r[1] == "Zażółć Gęślą-Jaźń")
    assert mine[2] == "44051401359" and mine[4] == "ePUAP" and mine[10] == "telefonicznie (art. 15o)"
    assert mine[11] == "zatwierdzony" and mine[8]  # the report's state and the day the interview was finished
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "cases.export")).one()
    assert json.loads(event.details)["count"] == len(rows) - 1


def test_end_before_start_is_a_message_not_a_file(app: Flask, db: Session, user_factory: Callable[..., User]) -> None:
    """A period ending before it starts: 422, both dates kept on screen, nothing exported."""
    boss = user_factory(Role.SUPERVISOR, username="szefowa")
    client = app.test_client()
    assert login(client, boss.username).status_code == 302
    response = client.get("/exports/cases?from=2026-03-31&to=2026-03-01&download=1")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Koniec okresu (01.03.2026) jest przed jego początkiem (31.03.2026)" in body
    assert 'value="2026-03-31"' in body and 'value="2026-03-01"' in body
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "cases.export")).first() is None


def test_workers_cannot_export_the_office_cases(client: FlaskClient, worker: User) -> None:
    """The office-wide list is for the head of the centre."""
    assert client.get("/exports/cases?download=1").status_code == 403
