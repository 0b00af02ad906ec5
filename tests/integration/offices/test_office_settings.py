"""Per-office settings: edited by administrators, checked at the field, audited old → new, used without a restart."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from app import create_app
from app.audit.models import AuditEvent
from app.auth.models import Office, Role, User
from app.cases.models import Case, CaseState, Channel
from app.clock import local_today
from app.config import PrivacySettings, Settings
from app.db import ENGINE_KEY
from app.officeconfig import store
from app.privacy.retention import plan
from app.referrals.office_settings import NOTIFY_TO, office_referral_settings
from app.workdays import add_working_days
from tests.conftest import login, token
from tests.factories import make_user


def _case_form(client: FlaskClient, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "csrf_token": token(client, "/cases/new"), "applicant_name": "Zdzisław Łukasiewicz", "pesel": "",
        "phone_1": "601 234 567", "phone_2": "", "phone_3": "", "email": "", "address": "", "channel": "post",
        "channel_detail": "", "received_on": local_today().isoformat(), "requested": ["food"], "request_note": "",
    }
    data.update(changes)
    return data


def _save(client: FlaskClient, office: Office, group: str, **values: str):  # type: ignore[no-untyped-def]
    return client.post(f"/admin/offices/{office.id}/settings/{group}", data={"csrf_token": token(client), **values})


def test_settings_page_lists_every_group_with_the_installation_defaults(
    client: FlaskClient, login_as: Callable[..., User], office: Office
) -> None:
    """Deadlines, referral times, notification addresses, failed calls and retention are all editable."""
    login_as(Role.ADMIN)
    body = client.get(f"/admin/offices/{office.id}/settings").get_data(as_text=True)
    for key in ("cases.interview_working_days", "cases.urgent_interview_working_days", "cases.calls_before_other_route",
                "referrals.target_days_urgent", "referrals.workday_end", "referrals.notify_to", "retention.case_years"):
        assert f'name="{key}"' in body
    assert "Ustawienie instalacji: 14." in body and "Ustawienie instalacji: 16:00." in body


def test_deadline_change_applies_to_the_next_registration_and_is_audited(
    client: FlaskClient, login_as: Callable[..., User], office: Office, db: Session
) -> None:
    """Changed statutory deadlines (10 / 1 working days) date the next application; the audit names old and new."""
    admin = login_as(Role.ADMIN, Role.WORKER)
    response = _save(client, office, "cases", **{
        "cases.interview_working_days": "10", "cases.urgent_interview_working_days": "1",
        "cases.calls_before_other_route": "",
    })
    assert response.status_code == 302
    client.post("/cases/new", data=_case_form(client, urgent="1"))
    client.post("/cases/new", data=_case_form(client, phone_1="601 234 568"))
    urgent, normal = db.exec(select(Case).order_by(col(Case.id))).all()
    today = local_today()
    assert urgent.due_on == add_working_days(today, 1)
    assert normal.due_on == add_working_days(today, 10)
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "office.setting").order_by(col(AuditEvent.id))).all()
    details = {e.object_id: json.loads(e.details) for e in events}
    assert details["cases.interview_working_days"] == {"old": "14", "new": "10"}
    assert details["cases.urgent_interview_working_days"] == {"old": "2", "new": "1"}
    assert all(e.actor_id == admin.id and e.office_id == office.id for e in events)


def test_bad_values_are_named_at_their_fields_kept_and_nothing_is_saved(
    client: FlaskClient, login_as: Callable[..., User], office: Office, db: Session
) -> None:
    """A word where a number belongs and a number out of range get Polish messages; the valid field is not saved."""
    login_as(Role.ADMIN)
    response = _save(client, office, "cases", **{
        "cases.interview_working_days": "czternaście", "cases.urgent_interview_working_days": "99",
        "cases.calls_before_other_route": "5",
    })
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Wpisz liczbę całkowitą" in body and "Dozwolone wartości: od 0 do 14." in body
    assert 'value="czternaście"' in body and 'value="99"' in body and 'value="5"' in body
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "office.setting")).first() is None
    response = _save(client, office, "referrals", **{"referrals.workday_end": "25:00",
                                                     "referrals.notify_to": "psycholog@ops.example.pl, zły-adres"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Wpisz godzinę jako GG:MM" in body and "zły-adres: Nieprawidłowy adres e-mail" in body


def test_htmx_save_re_renders_the_group_with_its_message(
    client: FlaskClient, login_as: Callable[..., User], office: Office
) -> None:
    """Through htmx the group answers with its own fragment (200 with the message, so htmx swaps it)."""
    login_as(Role.ADMIN)
    response = client.post(f"/admin/offices/{office.id}/settings/retention", headers={"HX-Request": "true"},
                           data={"csrf_token": token(client), "retention.case_years": "0", "retention.referral_years": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert 'id="g-retention"' in body and "większa od 0" in body


def test_empty_field_returns_to_the_installation_default(
    client: FlaskClient, login_as: Callable[..., User], office: Office, db: Session
) -> None:
    """Clearing a field removes the office's own value (audited as a return to the default)."""
    login_as(Role.ADMIN)
    _save(client, office, "cases", **{"cases.interview_working_days": "10", "cases.urgent_interview_working_days": "",
                                      "cases.calls_before_other_route": ""})
    _save(client, office, "cases", **{"cases.interview_working_days": "", "cases.urgent_interview_working_days": "",
                                      "cases.calls_before_other_route": ""})
    last = db.exec(select(AuditEvent).where(AuditEvent.action == "office.setting").order_by(col(AuditEvent.id).desc())).first()
    assert last is not None and json.loads(last.details) == {"old": "10", "new": "14", "default": True}
    assert 'name="cases.interview_working_days" type="text" value=""' in client.get(
        f"/admin/offices/{office.id}/settings").get_data(as_text=True)


def test_failed_calls_threshold_is_the_offices_own(
    client: FlaskClient, login_as: Callable[..., User], office: Office, db: Session
) -> None:
    """With "1 failed call" set, one unanswered call already asks for a letter or an e-mail."""
    user = login_as(Role.ADMIN, Role.WORKER)
    _save(client, office, "cases", **{"cases.interview_working_days": "", "cases.urgent_interview_working_days": "",
                                      "cases.calls_before_other_route": "1"})
    client.post("/cases/new", data=_case_form(client))
    case = db.exec(select(Case)).one()
    assert case.assigned_worker_id == user.id
    client.post(f"/cases/{case.id}/calls", data={"csrf_token": token(client), "outcome": "no_answer",
                                                 "number": "+48601234567"})
    db.expire_all()
    assert db.get(Case, case.id).needs_other_route  # type: ignore[union-attr]


def test_each_office_notifies_its_own_addresses(app: Flask, db: Session, office: Office) -> None:
    """Two offices on one installation: each office's new-referral notice goes to its own duty mailbox."""
    from tests.factories import make_office

    other = make_office(db, "GOPS Krokowa")
    db.commit()
    with app.app_context():
        store.change(db, office_id=office.id or 0, setting=NOTIFY_TO, update=lambda _: ("puck@example.pl",), actor_id=None)
        store.change(db, office_id=other.id or 0, setting=NOTIFY_TO, update=lambda _: ("krokowa@example.pl",), actor_id=None)
        db.commit()
        assert office_referral_settings(db, office.id or 0).notify_recipients == ["puck@example.pl"]
        assert office_referral_settings(db, other.id or 0).notify_recipients == ["krokowa@example.pl"]


def test_retention_years_are_per_office(app: Flask, db: Session, office: Office) -> None:
    """An office that keeps case files 1 year gets its old ended case anonymised; an office without a period keeps its."""
    from tests.factories import make_office

    other = make_office(db, "GOPS Bez Okresu")
    old = dt.datetime(2020, 1, 10, tzinfo=dt.UTC)
    ids = []
    for owner in (office, other):
        case = Case(office_id=owner.id or 0, reference=f"RWS/2020/{owner.id:04d}", applicant_name="Stara Sprawa",
                    channel=Channel.POST, received_on=dt.date(2020, 1, 10), state=CaseState.CLOSED, created_at=old)
        db.add(case)
        db.flush()
        ids.append(case.id)
    db.commit()
    from app.privacy.office_settings import CASE_YEARS

    with app.app_context():
        store.change(db, office_id=office.id or 0, setting=CASE_YEARS, update=lambda _: 1.0, actor_id=None)
        db.commit()
        due = plan(db, PrivacySettings())
    assert due.step("case").ids == [ids[0]]
    assert "case: kept forever (no retention period configured)" not in due.lines()


@pytest.fixture
def second_host(settings: Settings) -> Iterator[Flask]:
    """Another app process on the same database and secret key (like a second app host)."""
    other = create_app(settings)
    other.config["TESTING"] = True
    yield other
    other.extensions[ENGINE_KEY].dispose()


def test_a_change_on_one_host_is_used_by_another_without_restart(
    client: FlaskClient, login_as: Callable[..., User], office: Office, db: Session, second_host: Flask
) -> None:
    """Settings are read from the database per request: the other host's next registration uses the new deadline."""
    login_as(Role.ADMIN)
    worker = make_user(db, office, Role.WORKER, username="pracownik-drugi-host")
    db.commit()
    other = second_host.test_client()
    assert login(other, worker.username).status_code == 302
    other.post("/cases/new", data=_case_form(other))
    _save(client, office, "cases", **{"cases.interview_working_days": "5", "cases.urgent_interview_working_days": "",
                                      "cases.calls_before_other_route": ""})
    other.post("/cases/new", data=_case_form(other, phone_1="601 234 569"))
    before, after = db.exec(select(Case).order_by(col(Case.id))).all()
    today = local_today()
    assert before.due_on == add_working_days(today, 14)
    assert after.due_on == add_working_days(today, 5)
