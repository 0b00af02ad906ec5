"""Subject-access export (GDPR art. 15): everything about one person, as JSON and PDF, on the web and the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlmodel import Session

from app.auth.models import Role, User
from app.cli import main
from app.config import Settings
from app.reports.models import Report
from tests.factories import make_office, make_user
from tests.integration.reports.conftest import Poppler, poppler, submit  # noqa: F401 - poppler is a fixture

from .conftest import (
    NAME,
    PESEL,
    PHONE,
    World,
    assert_no_personal_data,
    events,
    make_person_case,
    make_referral,
)

ClientOf = Callable[[User], FlaskClient]


@pytest.fixture
def full(db: Session, settings: Settings, world: World) -> World:
    """The person's case with a signed report and a referral."""
    submit(db, settings, world.interview, world.worker)
    make_referral(db, world)
    return world


def _answer(data: dict[str, Any], key: str) -> dict[str, Any]:
    answers = data["cases"][0]["interviews"][0]["answers"]
    return next(a for a in answers if a["key"] == key)


def test_supervisor_downloads_the_json_export_with_everything_held(
    db: Session, full: World, client_of: ClientOf
) -> None:
    """JSON holds case data, phones, calls, answers with labels and display values, referral, report hashes, audit ids."""
    client = client_of(full.supervisor)
    case_page = client.get(f"/cases/{full.case.id}").get_data(as_text=True)
    assert "Eksport danych osoby (RODO)" in case_page
    assert client.get(f"/cases/{full.case.id}/privacy").status_code == 200
    response = client.get(f"/cases/{full.case.id}/privacy/export.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.get_data(as_text=True))
    case = data["cases"][0]
    assert (case["applicant_name"], case["pesel"]) == (NAME, PESEL)
    assert [p["number"] for p in case["phones"]] == [PHONE, "+48587654321"]
    assert case["call_attempts"][0]["note"] == "Odebrała córka, oddzwonić."
    assert _answer(data, "full_name")["label"] == "Imię i nazwisko"
    assert _answer(data, "full_name")["value"] == NAME
    assert _answer(data, "marital_status")["value"] == "Związek nieformalny"
    member = _answer(data, "household.0.member_name")
    assert (member["label"], member["value"]) == ("Imię i nazwisko (osoba 1)", "Łukasz Wójcik")
    assert case["referrals"][0]["phone"] == PHONE
    report = db.get(Report, case["reports"][0]["id"])
    assert report is not None and case["reports"][0]["files"][0]["sha256"]
    audited = {(e["action"], e["object_id"]) for e in case["audit_events"]}
    assert ("case.view", str(full.case.id)) in audited
    assert ("report.submit", str(report.id)) in audited
    assert all(set(e) == {"id", "at", "action", "object_type", "object_id", "actor_id"} for e in case["audit_events"])
    (exported,) = events(db, "privacy.export")
    assert (exported.actor_id, exported.object_id) == (full.supervisor.id, str(full.case.id))
    assert_no_personal_data(db)


def test_pdf_export_prints_polish_letters_exactly(full: World, client_of: ClientOf, poppler: Poppler) -> None:  # noqa: F811
    """The PDF, read back with pdftotext, holds the name, PESEL, answers and household names with their diacritics."""
    response = client_of(full.admin).get(f"/cases/{full.case.id}/privacy/export.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    text = " ".join(poppler("pdftotext", response.get_data()).split())
    for expected in (NAME, PESEL, "Łukasz Wójcik", "Ścisława Wójcik", "Związek nieformalny", "ul. Źródlana 7/3",
                     "Dane osobowe przechowywane w telewywiad (art. 15 RODO)", "Odebrała córka, oddzwonić."):
        assert expected in text, expected


def test_export_covers_every_case_of_the_same_pesel_in_the_office_only(
    db: Session, full: World, client_of: ClientOf
) -> None:
    """A second case with the same PESEL is included; one in another office is not."""
    second = make_person_case(db, full.office, full.worker, reference="RWS/2026/0202")
    other_office = make_office(db)
    stranger = make_user(db, other_office, Role.WORKER, username="obcy")
    elsewhere = make_person_case(db, other_office, stranger, reference="RWS/2026/0303")
    db.commit()
    data = json.loads(client_of(full.supervisor).get(f"/cases/{full.case.id}/privacy/export.json").get_data(as_text=True))
    references = [c["reference"] for c in data["cases"]]
    assert references == [full.case.reference, second.reference]
    assert elsewhere.reference not in references


def test_export_is_refused_to_workers_psychologists_and_other_offices(
    db: Session, full: World, client_of: ClientOf
) -> None:
    """Workers and psychologists get 403; a supervisor of another office gets 404; no export is logged."""
    for user in (full.worker, full.psychologist):
        assert client_of(user).get(f"/cases/{full.case.id}/privacy/export.json").status_code == 403
    other = make_user(db, make_office(db), Role.SUPERVISOR, Role.ADMIN, username="inny-kierownik")
    db.commit()
    client = client_of(other)
    assert client.get(f"/cases/{full.case.id}/privacy/export.json").status_code == 404
    assert client.get(f"/cases/{full.case.id}/privacy").status_code == 404
    assert "Eksport danych osoby" not in client_of(full.worker).get(f"/cases/{full.case.id}").get_data(as_text=True)
    assert events(db, "privacy.export") == []


def test_cli_exports_by_pesel_and_by_case(runner: FlaskCliRunner, full: World, db: Session, tmp_path: Path,
                                          poppler: Poppler) -> None:  # noqa: F811
    """`telewywiad privacy export` writes JSON by PESEL and PDF by case id, each audit-logged."""
    out = tmp_path / "osoba.json"
    result = runner.invoke(main, args=["privacy", "export", "--pesel", PESEL, "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["cases"][0]["pesel"] == PESEL
    assert out.stat().st_mode & 0o077 == 0
    pdf = tmp_path / "osoba.pdf"
    result = runner.invoke(main, args=["privacy", "export", "--case", str(full.case.id), "--format", "pdf", "--out", str(pdf)])
    assert result.exit_code == 0, result.output
    assert NAME in poppler("pdftotext", pdf.read_bytes())
    assert len(events(db, "privacy.export")) == 2
    missing = runner.invoke(main, args=["privacy", "export", "--pesel", "00000000000", "--out", str(out)])
    assert missing.exit_code != 0 and "no case" in missing.output
    assert_no_personal_data(db)


def test_unknown_format_is_not_found(full: World, client_of: ClientOf) -> None:
    """Only json and pdf exist."""
    assert client_of(full.supervisor).get(f"/cases/{full.case.id}/privacy/export.xml").status_code == 404


