"""Every route × every actor: who may reach what.

The world is the demo office (the demo seed: cases, interviews, referrals, signed reports) plus a second worker of
the same office and a user of ANOTHER office holding every role. `MATRIX` states the expected outcome for each
route and actor; `test_every_route_has_an_entry` fails when a route is added without one.

Each check runs against a pristine copy of the world (an SQLite snapshot restored before every request), so an
allowed POST (e.g. an administrator's empty "assign") cannot change what the next check sees. Access rules do not
depend on the database engine, so this runs on SQLite only.

Outcomes: ALLOW (reached: 2xx/3xx other than to the login page, or a 4xx about the input/state such as 400, 409,
422), LOGIN (sent to the login page), FORBID (403), HIDDEN (404: the record does not exist for this user).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, SQLModel, col, select

from app import create_app
from app.appointments.models import Appointment, HoursException, VisitDesk, VisitPlace, VisitReason
from app.auth.models import ResumeDraft, Role, User
from app.cases.models import Case, CasePhone
from app.config import Mode, Settings
from app.db import ENGINE_KEY, make_engine
from app.demo.seed import seed
from app.documents.models import CaseDocument, DocumentChannel, DocumentKind
from app.formdefs.loader import content_hash
from app.formstore.models import FormOrigin, FormVersion
from app.interviews.models import Interview, InterviewState
from app.referrals.models import Referral
from app.reports.models import Report, ReportFile
from tests.conftest import csrf_from
from tests.factories import make_office, make_user

PASSWORD = "Macierz-Dostępu-2026"
ALLOW, LOGIN, FORBID, HIDDEN = "allow", "login", "forbid", "hidden"
ACTORS = ("anon", "worker", "worker2", "psychologist", "supervisor", "admin", "stranger")


@dataclass
class World:
    """Ids of the records the URLs point at, and a logged-in session cookie per actor."""

    app: Flask
    path: Path
    snapshot: Path
    ids: dict[str, object] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)

    def reset(self) -> None:
        """Put the database back exactly as it was when the world was built."""
        source = sqlite3.connect(self.snapshot)
        target = sqlite3.connect(self.path)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()


def _login(app: Flask, username: str) -> str:
    client = app.test_client()
    page = client.get("/login")
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf_from(page.get_data(as_text=True))}
    )
    assert response.status_code == 302, (username, response.status_code)
    cookie = client.get_cookie("tw_session")
    assert cookie is not None
    return cookie.value


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Seed the demo office, add the extra actors, log everybody in once, snapshot the database."""
    folder = tmp_path_factory.mktemp("matrix")
    database_url = f"sqlite:///{folder / 'world.sqlite3'}"
    schema = make_engine(database_url)
    SQLModel.metadata.create_all(schema)
    schema.dispose()
    settings = Settings(
        env=Mode.TEST,
        secret_key=secrets.token_urlsafe(48),
        database_url=database_url,
        instance_path=folder / "instance",
        session_cookie_secure=False,
    )
    app = create_app(settings)
    app.config["TESTING"] = True
    engine = make_engine(database_url, autocommit=True)
    with app.app_context(), Session(app.extensions[ENGINE_KEY]) as db:
        seed(db, PASSWORD)
        db.commit()
    with Session(engine, expire_on_commit=False) as db:
        demo_worker = db.exec(select(User).where(User.username == "demo-worker")).one()
        office_id = demo_worker.office_id
        from app.auth.models import Office

        office = db.get(Office, office_id)
        assert office is not None
        make_user(db, office, Role.WORKER, username="matrix-worker2", password=PASSWORD)
        target = make_user(db, office, Role.WORKER, username="matrix-target", password=PASSWORD)
        other_office = make_office(db, "Ośrodek Pomocy Społecznej w Innym Mieście")
        make_user(db, other_office, Role.WORKER, Role.PSYCHOLOGIST, Role.SUPERVISOR, Role.ADMIN,
                  username="matrix-stranger", password=PASSWORD)
        db.commit()
        case = db.exec(
            select(Case).where(Case.office_id == office_id, Case.assigned_worker_id == demo_worker.id).order_by(col(Case.id))
        ).first()
        interview = db.exec(
            select(Interview).where(Interview.worker_id == demo_worker.id, Interview.state == InterviewState.IN_PROGRESS)
        ).first()
        report = db.exec(select(Report).where(Report.office_id == office_id).order_by(col(Report.id))).first()
        report_file = db.exec(select(ReportFile).where(ReportFile.report_id == (report.id if report else 0))).first()
        referral = db.exec(select(Referral).where(Referral.office_id == office_id).order_by(col(Referral.id))).first()
        phone = db.exec(select(CasePhone).where(CasePhone.case_id == (case.id if case else 0))).first()
        assert case and phone and interview and report and report_file and referral, "demo seed did not create the world"
        draft = ResumeDraft(user_id=demo_worker.id or 0, method="POST", path="/account/password", form_json="[]")
        db.add(draft)
        # Appointments: the demo worker's telephone appointment (the seed's), the demo room, a desk, a reason.
        appointment = db.exec(select(Appointment).where(Appointment.worker_id == demo_worker.id)).first()
        place = db.exec(select(VisitPlace).where(VisitPlace.office_id == office_id)).first()
        desk = db.exec(select(VisitDesk).where(VisitDesk.office_id == office_id)).first()
        visit_reason = db.exec(select(VisitReason).where(VisitReason.office_id == office_id)).first()
        assert appointment and place and desk and visit_reason, "demo seed did not set up visits"
        exception = HoursException(place_id=place.id or 0, day=dt.date(2099, 1, 5), note="remont")
        db.add(exception)
        # Issue 16: a statement photographed by the demo worker on their case.
        document = CaseDocument(office_id=office_id, case_id=case.id or 0, kind=DocumentKind.STATEMENT,
                                channel=DocumentChannel.PHONE_PHOTO, received_on=dt.date(2026, 3, 2),
                                filename="oswiadczenie.png", media_type="image/png", size_bytes=8, sha256="0" * 64,
                                data=b"\x89PNG\r\n\x1a\n", uploaded_by_id=demo_worker.id or 0)
        db.add(document)
        form_text = (Path(__file__).resolve().parents[3] / "forms" / "rws" / "v1.yaml").read_text(encoding="utf-8")
        form_text = form_text.replace("\nversion: 1\n", "\nversion: 2\n", 1)
        form_draft = FormVersion(form_id="rws", version=2, content_hash=content_hash(form_text), source=form_text,
                                 origin=FormOrigin.UPLOAD, office_id=office_id)
        db.add(form_draft)
        db.commit()
        office_ids = _office_ids(db, office_id)
        ids: dict[str, object] = {
            "case_id": case.id, "phone_id": phone.id, "interview_id": interview.id, "report_id": report.id, "file_id": report_file.id,
            "referral_id": referral.id, "user_id": target.id, "draft_id": draft.id, "code": "pl",
            "section_id": "metadata", "rule_id": "suicide_risk", "action": "accept", "fmt": "csv",
            **office_ids,
            "appointment_id": appointment.id, "place_id": place.id, "desk_id": desk.id, "reason_id": visit_reason.id,
            "exception_id": exception.id, "document_id": document.id, "table_id": "channels",
            "office_id": office_id, "group_key": "cases", "line_id": "emergency", "version_id": form_draft.id,
        }
    users = {
        "worker": "demo-worker", "worker2": "matrix-worker2", "psychologist": "demo-psychologist",
        "supervisor": "demo-supervisor", "admin": "demo-admin", "stranger": "matrix-stranger",
        "reception": "demo-reception",
    }
    cookies = {actor: _login(app, name) for actor, name in users.items()}
    engine.dispose()
    snapshot = folder / "snapshot.sqlite3"
    built = World(app=app, path=folder / "world.sqlite3", snapshot=snapshot, ids=ids, cookies=cookies)
    source, target = sqlite3.connect(built.path), sqlite3.connect(snapshot)
    with target:
        source.backup(target)
    source.close()
    target.close()
    yield built
    app.extensions[ENGINE_KEY].dispose()


def _office_ids(db: Session, office_id: int) -> dict[str, object]:
    """Ids of the demo office's rota, duty and directory records (issue 18), plus one application template."""
    from app.directory.models import ApplicationTemplate, DirectoryNumber
    from app.staffing.models import DutySlot, RotaException, Section

    template = ApplicationTemplate(office_id=office_id, title="Wniosek", filename="wniosek.pdf", media_type="application/pdf",
                                   size_bytes=9, sha256="0" * 64, data=b"%PDF-1.4\n")
    db.add(template)
    db.commit()
    ids = {
        "staff_section_id": db.exec(select(Section.id).where(Section.office_id == office_id)).first(),
        "number_id": db.exec(select(DirectoryNumber.id).where(DirectoryNumber.office_id == office_id)).first(),
        "absence_id": db.exec(select(RotaException.id).where(RotaException.office_id == office_id)).first(),
        "slot_id": db.exec(select(DutySlot.id).where(DutySlot.office_id == office_id)).first(),
        "template_id": template.id, "guide_id": "epuap", "office_key": "demo",
    }
    assert all(ids.values()), f"demo seed did not create the rota, duty and directory: {ids}"
    return ids


# Where one argument name means different things on different routes.
URL_OVERRIDES: dict[str, dict[str, object]] = {"privacy.export": {"fmt": "json"}}


def _url(app: Flask, endpoint: str, ids: dict[str, object]) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        from flask import url_for

        values = {**ids, **URL_OVERRIDES.get(endpoint, {})}
        return url_for(endpoint, **{name: values[name] for name in rule.arguments})


def classify(status: int, location: str) -> str:
    """Turn a response into one of the four outcomes."""
    if status in (302, 303) and "/login" in location:
        return LOGIN
    if status == 401:
        return LOGIN
    if status == 403:
        return FORBID
    if status == 404:
        return HIDDEN
    assert status < 500, f"server error {status}"
    return ALLOW


def request_as(world: World, actor: str, method: str, endpoint: str) -> str:
    """Make the request as the actor (fresh client, the actor's session) and classify the answer."""
    world.reset()
    client: FlaskClient = world.app.test_client()
    if actor != "anon":
        client.set_cookie("tw_session", world.cookies[actor])
    url = _url(world.app, endpoint, world.ids)
    if method == "GET":
        response = client.get(url)
    else:
        token = csrf_from(client.get("/login" if actor == "anon" else "/account").get_data(as_text=True))
        response = client.post(url, data={"csrf_token": token})
    return classify(response.status_code, response.headers.get("Location", ""))


def _routes(app: Flask) -> list[tuple[str, str]]:
    return sorted(
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    )


# One letter per actor, in ACTORS order:    anon, worker (the case's own), worker2 (same office), psychologist,
# supervisor, admin, stranger (another office, holding every role).   A allow  L login  F 403  H 404
# Policy: workers reach their own and unassigned cases and their interviews; supervisors their office; psychologists
# only referrals; administrators users, settings, the audit log, cases (to assign) and reports (issue 6), never
# interviews; another office's records are 404 even by id. Public: login, the health and readiness probes, the
# contact pages.
MATRIX: dict[tuple[str, str], str] = {
    ('admin.edit_user', 'GET'): 'LFFFFAH',
    ('admin.edit_user', 'POST'): 'LFFFFAH',
    ('admin.new_user', 'GET'): 'LFFFFAA',
    ('admin.new_user', 'POST'): 'LFFFFAA',
    ('admin.set_password', 'POST'): 'LFFFFAH',
    ('admin.toggle_active', 'POST'): 'LFFFFAH',
    ('admin.users', 'GET'): 'LFFFFAA',
    ('appointments.cancel', 'POST'): 'LAHFAFH',
    ('appointments.day', 'GET'): 'LAAFAFA',
    ('appointments.detail', 'GET'): 'LAHFAFH',
    ('appointments.mark', 'POST'): 'LAHFAFH',
    ('appointments.new', 'GET'): 'LAAFAFA',
    ('appointments.new', 'POST'): 'LAAFAFA',
    ('appointments.new_for_case', 'GET'): 'LAHFAFH',
    ('appointments.new_for_case', 'POST'): 'LAHFAFH',
    ('appointments.reschedule', 'GET'): 'LAHFAFH',
    ('appointments.reschedule', 'POST'): 'LAHFAFH',
    ('audit.export', 'GET'): 'LFFFAAA',
    ('audit.index', 'GET'): 'LFFFAAA',
    ('auth.account', 'GET'): 'LAAAAAA',
    ('auth.discard', 'POST'): 'LAHHHHH',
    ('auth.language', 'POST'): 'LAAAAAA',
    ('auth.login', 'GET'): 'AAAAAAA',
    ('auth.login', 'POST'): 'LLLLLLL',
    ('auth.logout', 'POST'): 'LLLLLLL',
    ('auth.password', 'POST'): 'LAAAAAA',
    ('auth.resume', 'GET'): 'LAAAAAA',
    ('case_record.close', 'GET'): 'LAHFAAH',
    ('case_record.close', 'POST'): 'LAHFAAH',
    ('case_record.edit', 'GET'): 'LAHFAAH',
    ('case_record.edit', 'POST'): 'LAHFAAH',
    ('case_record.reopen', 'POST'): 'LAHFAAH',
    ('cases.add_phone', 'POST'): 'LAHFAAH',
    ('cases.assign', 'POST'): 'LAHFAAH',
    ('cases.book_retry', 'POST'): 'LAHFAAH',
    ('cases.correct_phone', 'POST'): 'LAHFAAH',
    ('cases.detail', 'GET'): 'LAHFAAH',
    ('cases.duplicates', 'POST'): 'LAAFAAA',
    ('cases.index', 'GET'): 'LAAFAAA',
    ('cases.log_call', 'POST'): 'LAHFAAH',
    ('cases.new', 'GET'): 'LAAFAAA',
    ('cases.new', 'POST'): 'LAAFAAA',
    ('cases.record_contact', 'POST'): 'LAHFAAH',
    ('cases.team', 'GET'): 'LFFFAAA',
    ('formstore.index', 'GET'): 'LFFFFAH',
    ('formstore.preview', 'GET'): 'LFFFFAH',
    ('formstore.publish', 'POST'): 'LFFFFAH',
    ('formstore.upload', 'POST'): 'LFFFFAH',
    ('health', 'GET'): 'AAAAAAA',
    ('helplines.change', 'GET'): 'LFFFFAH',
    ('helplines.change', 'POST'): 'LFFFFAH',
    ('helplines.index', 'GET'): 'LFFFFAH',
    ('helplines.new', 'GET'): 'LFFFFAH',
    ('helplines.new', 'POST'): 'LFFFFAH',
    ('home.index', 'GET'): 'LAAAAAA',
    ('interview_carry.confirm', 'POST'): 'LAHFAFH',
    ('interviews.finish', 'GET'): 'LAHFAFH',
    ('interviews.finish', 'POST'): 'LAHFAFH',
    ('interviews.notes', 'POST'): 'LAHFAFH',
    ('interviews.reopen', 'POST'): 'LAHFAFH',
    ('interviews.run', 'GET'): 'LAHFAFH',
    ('interviews.save', 'POST'): 'LAHFAFH',
    ('interviews.section', 'POST'): 'LAHFAFH',
    ('interviews.start', 'POST'): 'LAHFAFH',
    ('interviews.summary', 'GET'): 'LAHFAFH',
    ('interview_pending.send', 'POST'): 'LAHFAFH',
    ('referrals.act', 'POST'): 'LFFAAFH',
    ('referrals.detail', 'GET'): 'LFFAAFH',
    ('referrals.dismiss_flag', 'POST'): 'LAHFAFH',
    ('referrals.export', 'GET'): 'LFFAAFA',
    ('referrals.interview_flags', 'GET'): 'LAHFAFH',
    ('referrals.list', 'GET'): 'LFFAAFA',
    ('referrals.mine', 'GET'): 'LAAFFFA',
    ('referrals.new_from_case', 'GET'): 'LAHFAFH',
    ('referrals.new_from_case', 'POST'): 'LAHFAFH',
    ('referrals.new_from_interview', 'GET'): 'LAHFAFH',
    ('referrals.new_from_interview', 'POST'): 'LAHFAFH',
    ('helplines.remove', 'POST'): 'LFFFFAH',
    ('officeconfig.page', 'GET'): 'LFFFFAH',
    ('officeconfig.save', 'POST'): 'LFFFFAH',
    # Installation administrators (none in this world) create offices and their administrators; an office's own
    # administrator edits only that office (tests/integration/offices covers the installation administrator).
    ('offices.add_admin', 'POST'): 'LFFFFFH',
    ('offices.edit', 'GET'): 'LFFFFAH',
    ('offices.edit', 'POST'): 'LFFFFAH',
    ('offices.index', 'GET'): 'LFFFFAA',
    ('offices.new', 'GET'): 'LFFFFFF',
    ('offices.new', 'POST'): 'LFFFFFF',
    ('privacy.export', 'GET'): 'LFFFAAH',
    ('privacy.page', 'GET'): 'LFFFAAH',
    ('ready', 'GET'): 'AAAAAAA',
    ('reports.approve', 'POST'): 'LFFFAFH',
    ('reports.certificate', 'GET'): 'LAAFAFA',
    ('reports.certificate', 'POST'): 'LAAFAFA',
    ('dashboard.index', 'GET'): 'LFFFAFA',
    ('reports.detail', 'GET'): 'LAFFAAH',
    ('reports.download', 'GET'): 'LAFFAAH',
    ('reports.mine', 'GET'): 'LAAFFFA',
    ('reports.queue', 'GET'): 'LFFFAFA',
    ('reports.return_report', 'POST'): 'LFFFAFH',
    ('reports.sign', 'GET'): 'LAFFFFH',
    ('reports.sign', 'POST'): 'LAFFFFH',
    ('reports.verify', 'GET'): 'LFFFAAA',
    ('reports.verify', 'POST'): 'LFFFAAA',
    ('reports.view_pdf', 'GET'): 'LAFFAAH',
    # Issue 18: everyone of the staff reads the rota, duties, directory and guides; supervisors run the rota and
    # duties, administrators the directory; guides on a case follow the case; the contact pages are public.
    ('contact.index', 'GET'): 'AAAAAAA',
    ('contact.office', 'GET'): 'AAAAAAA',
    ('contact.template', 'GET'): 'AAAAAAA',
    ('directory.add_template', 'POST'): 'LFFFFAA',
    ('directory.contact', 'POST'): 'LFFFFAA',
    ('directory.index', 'GET'): 'LAAAAAA',
    ('directory.manage', 'GET'): 'LFFFFAA',
    ('directory.my_entry', 'GET'): 'LAAAAAA',
    ('directory.my_entry', 'POST'): 'LAAAAAA',
    ('directory.number', 'GET'): 'LFFFFAH',
    ('directory.number', 'POST'): 'LFFFFAH',
    ('directory.remove_number', 'POST'): 'LFFFFAH',
    ('directory.remove_section', 'POST'): 'LFFFFAH',
    ('directory.remove_template', 'POST'): 'LFFFFAH',
    ('directory.section', 'GET'): 'LFFFFAH',
    ('directory.section', 'POST'): 'LFFFFAH',
    ('directory.staff_entry', 'GET'): 'LFFFFAH',
    ('directory.staff_entry', 'POST'): 'LFFFFAH',
    ('duty.add_slot', 'POST'): 'LFFFAFA',
    ('duty.calls', 'POST'): 'LAAFFFA',
    ('duty.index', 'GET'): 'LAAAAAA',
    ('duty.remove_slot', 'POST'): 'LFFFAFH',
    ('duty.settings', 'POST'): 'LFFFAFA',
    ('guides.for_case', 'GET'): 'LAHFAAH',
    ('guides.index', 'GET'): 'LAAAAAA',
    ('guides.outcome', 'POST'): 'LAHFAAH',
    ('guides.public', 'GET'): 'AAAAAAA',
    ('guides.read', 'GET'): 'LAAAAAA',
    ('guides.steps', 'POST'): 'LAHFAAH',
    ('rota.absence_list', 'GET'): 'LFFFAFA',
    ('rota.absence_list', 'POST'): 'LFFFAFA',
    ('rota.configure', 'GET'): 'LFFFAFA',
    ('rota.configure', 'POST'): 'LFFFAFA',
    ('rota.remove_absence', 'POST'): 'LFFFAFH',
    ('rota.week', 'GET'): 'LAAAAAA',
    ('visit_setup.add_desk', 'POST'): 'LFFFFAH',
    ('visit_setup.add_exception', 'POST'): 'LFFFFAH',
    ('visit_setup.desk', 'POST'): 'LFFFFAH',
    ('visit_setup.index', 'GET'): 'LFFFFAA',
    ('visit_setup.new_place', 'POST'): 'LFFFFAA',
    ('visit_setup.new_reason', 'GET'): 'LFFFFAA',
    ('visit_setup.new_reason', 'POST'): 'LFFFFAA',
    ('visit_setup.place', 'GET'): 'LFFFFAH',
    ('visit_setup.place', 'POST'): 'LFFFFAH',
    ('visit_setup.reason', 'GET'): 'LFFFFAH',
    ('visit_setup.reason', 'POST'): 'LFFFFAH',
    ('visit_setup.remove_desk', 'POST'): 'LFFFFAH',
    ('visit_setup.remove_exception', 'POST'): 'LFFFFAH',
    ('visit_setup.rules', 'POST'): 'LFFFFAA',
    # Issue 16: a case's documents follow the case for workers and supervisors (administrators assign cases but do
    # not open clients' files); the interview export follows the interview (the world's one is in progress: 409,
    # a refusal about its state); the office's case list and statistics are the head of the centre's.
    ('documents.annex', 'POST'): 'LAHFAFH',
    ('documents.download', 'GET'): 'LAHFAFH',
    ('documents.index', 'GET'): 'LAHFAFH',
    ('documents.index', 'POST'): 'LAHFAFH',
    ('documents.withdraw', 'POST'): 'LAHFAFH',
    ('handoff.cases', 'GET'): 'LFFFAFA',
    ('handoff.interview_json', 'GET'): 'LAHFAFH',
    ('statistics.download', 'GET'): 'LFFFAFA',
    ('statistics.index', 'GET'): 'LFFFAFA',
    ('worklist.book_retry', 'POST'): 'LAHFFFH',
    ('worklist.call_form', 'GET'): 'LAHFFFH',
    ('worklist.log_call', 'POST'): 'LAHFFFH',
    ('worklist.today', 'GET'): 'LAAFFFA',
}
CODES = {"A": ALLOW, "L": LOGIN, "F": FORBID, "H": HIDDEN}


def test_every_route_has_an_entry(world: World) -> None:
    """A new route (or method) without a line in MATRIX fails here: decide who may reach it."""
    assert set(_routes(world.app)) == set(MATRIX), (
        f"missing: {sorted(set(_routes(world.app)) - set(MATRIX))}; stale: {sorted(set(MATRIX) - set(_routes(world.app)))}"
    )


@pytest.mark.parametrize(("endpoint", "method", "actor", "expected"), [
    (endpoint, method, actor, CODES[letters[i]])
    for (endpoint, method), letters in sorted(MATRIX.items())
    for i, actor in enumerate(ACTORS)
])
def test_access(world: World, endpoint: str, method: str, actor: str, expected: str) -> None:
    """The actor gets exactly the expected outcome on the route."""
    assert request_as(world, actor, method, endpoint) == expected


# The front desk (role `reception`, the demo's demo-reception): the day's visits of its office, booking for people
# without a case, the confirmation, moving and cancelling; its own account. Nothing of cases, interviews, referrals,
# reports, users or the audit log: every other route is 403 (or 404 where the record decides first).
RECEPTION_REACHES: dict[tuple[str, str], str] = {
    ('appointments.cancel', 'POST'): ALLOW,
    ('appointments.day', 'GET'): ALLOW,
    ('appointments.detail', 'GET'): ALLOW,
    ('appointments.mark', 'POST'): ALLOW,
    ('appointments.new', 'GET'): ALLOW,
    ('appointments.new', 'POST'): ALLOW,
    ('appointments.reschedule', 'GET'): ALLOW,
    ('appointments.reschedule', 'POST'): ALLOW,
    ('auth.account', 'GET'): ALLOW,
    ('auth.language', 'POST'): ALLOW,
    ('auth.login', 'GET'): ALLOW,
    ('auth.login', 'POST'): LOGIN,
    ('auth.logout', 'POST'): LOGIN,
    ('auth.password', 'POST'): ALLOW,
    ('auth.resume', 'GET'): ALLOW,
    ('health', 'GET'): ALLOW,
    ('ready', 'GET'): ALLOW,
    ('home.index', 'GET'): ALLOW,
    # Issue 18: the public contact pages and guides, and what every member of staff reads.
    ('contact.index', 'GET'): ALLOW,
    ('contact.office', 'GET'): ALLOW,
    ('contact.template', 'GET'): ALLOW,
    ('guides.public', 'GET'): ALLOW,
    ('directory.index', 'GET'): ALLOW,
    ('directory.my_entry', 'GET'): ALLOW,
    ('directory.my_entry', 'POST'): ALLOW,
    ('duty.index', 'GET'): ALLOW,
    ('guides.index', 'GET'): ALLOW,
    ('guides.read', 'GET'): ALLOW,
    ('rota.week', 'GET'): ALLOW,
}


@pytest.mark.parametrize(("endpoint", "method"), sorted(MATRIX))
def test_reception_access(world: World, endpoint: str, method: str) -> None:
    """The front desk reaches the visits and its account; everything else is closed to it."""
    outcome = request_as(world, "reception", method, endpoint)
    expected = RECEPTION_REACHES.get((endpoint, method))
    if expected is None:
        assert outcome in (FORBID, HIDDEN), (endpoint, method, outcome)
    else:
        assert outcome == expected


if os.environ.get("TELEWYWIAD_MATRIX_DISCOVER"):

    def test_discover(world: World) -> None:
        """Print the observed grid (developer aid: TELEWYWIAD_MATRIX_DISCOVER=1 pytest -s this file)."""
        out = []
        for endpoint, method in _routes(world.app):
            row = {actor: request_as(world, actor, method, endpoint) for actor in ACTORS}
            out.append(f"    ({endpoint!r}, {method!r}): {row!r},")
        Path("/tmp/matrix.txt").write_text("\n".join(out))
