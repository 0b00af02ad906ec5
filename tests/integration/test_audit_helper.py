"""audit.log / audit.view: the actor and the object give every event its actor, object and office chain."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlmodel import Session, col, select

from app import audit
from app.audit.models import AuditEvent
from app.audit.services import record, verify
from app.auth.models import Office
from app.auth.services import load_principal
from app.cases.models import CasePhone
from tests import factories


def _fields(event: AuditEvent) -> tuple[Any, ...]:
    return event.office_id, event.actor_id, event.action, event.object_type, event.object_id, event.details


def test_log_derives_actor_object_and_office(app: Flask, db: Session, office: Office) -> None:
    """From a principal and a case: the same row as record() with every argument spelled out."""
    other = factories.make_office(db, "Miejski Ośrodek Pomocy Społecznej w Łebie")
    user = factories.make_user(db, other)
    principal = load_principal(db, user.id or 0)
    case = factories.make_case(db, office)  # the case's office wins over the actor's
    spelled = record(db, "case.edit", actor_id=user.id, office_id=case.office_id, object_type="case",
                     object_id=case.id, fields=["applicant_name"])
    derived = audit.log(db, "case.edit", actor=principal, obj=case, fields=["applicant_name"])
    assert _fields(derived) == _fields(spelled)
    assert derived.object_type == "case"
    assert derived.office_id == office.id != other.id


def test_table_names_rows_without_an_office_and_offices(app: Flask, db: Session, office: Office) -> None:
    """A user is `user`; a phone (no office column) files under the actor's office; an office is its own."""
    user = factories.make_user(db, office)
    case = factories.make_case(db, office, phones=["+48601234567"])
    phone = db.exec(select(CasePhone).where(col(CasePhone.case_id) == case.id)).one()
    login = audit.log(db, "login", actor=user, obj=user)
    assert (login.actor_id, login.object_type, login.object_id, login.office_id) == (user.id, "user", str(user.id),
                                                                                     office.id)
    added = audit.log(db, "case.phone_add", actor=user, obj=phone, case_id=case.id)
    assert (added.object_type, added.object_id, added.office_id) == ("case_phone", str(phone.id), office.id)
    made = audit.log(db, "office.create", actor=user.id, obj=office)
    assert (made.actor_id, made.object_type, made.office_id) == (user.id, "office", office.id)


def test_explicit_values_win_and_the_system_has_no_actor(app: Flask, db: Session, office: Office) -> None:
    """object_type / object_id / office_id given are kept as given; an id as actor derives nothing."""
    user = factories.make_user(db, office)
    setting = audit.log(db, "office.setting", actor=user.id, object_type="office_setting",
                        object_id="referrals.notify_to", office_id=office.id, old="a", new="b")
    assert _fields(setting) == (office.id, user.id, "office.setting", "office_setting", "referrals.notify_to",
                                '{"new": "b", "old": "a"}')
    system = audit.log(db, "backup.create")
    assert _fields(system) == (None, None, "backup.create", "", "", "{}")
    nowhere = audit.log(db, "retention.run", actor=user, office_id=None, object_type="retention")
    assert (nowhere.office_id, nowhere.actor_id) == (None, user.id)
    db.commit()
    assert verify(db) == []


def test_view_is_its_own_short_write(app: Flask, db: Session, office: Office) -> None:
    """audit.view records `<type>.view` and commits it even when the caller's transaction only reads."""
    user = factories.make_user(db, office)
    case = factories.make_case(db, office)
    with app.app_context():
        audit.view(actor=user, obj=case, page="summary")
        audit.view(actor=user, object_type="appointment_day", day="2026-03-02")
    db.expire_all()
    rows = db.exec(select(AuditEvent).where(col(AuditEvent.action).like("%.view")).order_by(col(AuditEvent.id))).all()
    assert [_fields(r) for r in rows] == [
        (office.id, user.id, "case.view", "case", str(case.id), '{"page": "summary"}'),
        (office.id, user.id, "appointment_day.view", "appointment_day", "", '{"day": "2026-03-02"}'),
    ]
