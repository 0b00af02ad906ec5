"""Property-based fuzzing of every form-posting endpoint.

For each POST route the table below says who posts it, what it needs to exist and which fields it reads. Hypothesis
then sends random, huge, oddly encoded (NUL, RTL marks, lone surrogates, emoji, combining marks), wrongly typed
(files for text, JSON or text/plain bodies), missing and repeated fields, as the right role with a valid CSRF
token. Whatever arrives: never a 5xx; a refusal (4xx) carries a clear message; and a refused request leaves every
table as it was (only the audit trail of the refusal and throttling counters may grow).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.appointments import booking
from app.appointments.booking import BookingForm
from app.appointments.models import Appointment, AppointmentKind, HoursException
from app.appointments.visits import Mark
from app.auth.models import Office, ResumeDraft, Role, User
from app.auth.services import load_principal
from app.cases.models import CallAttempt, CallOutcome, Case, CasePhone, Channel, ContactRoute, RequestedHelp
from app.cases.presets import Preset
from app.cases.record_models import CaseOutcome
from app.cases.registration import PHONE_FIELDS
from app.clock import local_today
from app.config import Settings
from app.interviews import answers, start
from app.interviews.models import Interview
from app.referrals.intake import ReferralInput
from app.referrals.models import Priority, ReasonCategory, Referral, ReferralState
from app.referrals.states import Action
from app.reports import review
from app.reports.demo import make_finished_interview
from app.reports.models import Report
from tests.conftest import csrf_from, login
from tests.factories import PASSWORD
from tests.fuzzing import Part, changed_tables, encode, enum_values, form_parts, snapshot, text_values
from tests.integration.appointments.conftest import VisitOffice, next_working_day, setup_visits, slot

_refs = itertools.count(1)

# No shrinking: a failing example of huge odd strings can take minutes to shrink; the note() below says enough.
FUZZ = settings(
    max_examples=25,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


class World:
    """The records an endpoint needs, built on demand through the same services the app uses."""

    def __init__(self, app: Flask, db: Session, office: Office, user_factory: Callable[..., User],
                 client: FlaskClient) -> None:
        self.app, self.db, self.office, self.user_factory, self.client = app, db, office, user_factory, client
        self.user: User | None = None

    def login(self, *roles: Role) -> User:
        """Create a user with the roles and log the client in."""
        self.user = self.user_factory(*roles)
        assert login(self.client, self.user.username).status_code == 302
        return self.user

    def me(self) -> User:
        assert self.user is not None
        return self.user

    def case(self, worker: User | None = None) -> Case:
        """A case of the office with a phone, assigned to `worker` (the logged-in user by default)."""
        owner = worker or self.me()
        case = Case(office_id=self.office.id or 0, reference=f"FZ/2026/{next(_refs):04d}",
                    applicant_name="Zażółć Gęślą-Jaźń", channel=Channel.PHONE, received_on=dt.date(2026, 3, 2),
                    assigned_worker_id=owner.id)
        self.db.add(case)
        self.db.flush()
        self.db.add(CasePhone(case_id=case.id or 0, number="+48600100200"))
        self.db.commit()
        return case

    def interview(self) -> Interview:
        """An RWS interview in progress, started by the logged-in user through the runner's service."""
        with self.app.app_context():
            principal = load_principal(self.db, self.me().id or 0)
            assert principal is not None
            interview = start.start_interview(self.db, actor=principal, case=self.case())
            self.db.commit()
        return interview

    def finished_interview(self, worker: User | None = None) -> Interview:
        """A finished interview with the demo answers, conducted by `worker` (the logged-in user by default)."""
        owner = worker or self.me()
        with self.app.app_context():
            interview = make_finished_interview(self.db, case=self.case(owner), worker=owner)
            self.db.commit()
        return interview

    def submitted_report(self) -> Report:
        """A report signed by another worker of the office, waiting for review."""
        worker = self.user_factory(Role.WORKER)
        interview = self.finished_interview(worker)
        settings_: Settings = self.app.extensions["telewywiad.settings"]
        with self.app.app_context():
            principal = load_principal(self.db, worker.id or 0)
            assert principal is not None
            review.submit_report(self.db, actor=principal, interview=interview, password=PASSWORD, settings=settings_)
            self.db.commit()
        return self.db.exec(select(Report).where(Report.interview_id == interview.id)).one()

    def referral(self) -> Referral:
        """A new referral raised by a worker of the office."""
        worker = self.user_factory(Role.WORKER)
        case = self.case(worker)
        referral = Referral(office_id=self.office.id or 0, case_id=case.id, person_name="Zażółć Gęślą-Jaźń",
                            phone="+48600100200", reason=ReasonCategory.ANXIETY, priority=Priority.NORMAL,
                            raised_by_id=worker.id or 0, consent_given=True, state=ReferralState.NEW,
                            due_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
        self.db.add(referral)
        self.db.commit()
        return referral

    def colleague(self) -> User:
        """Another user of the office."""
        return self.user_factory(Role.WORKER)

    def office_record(self, kind: str) -> int:
        """A rota absence, duty slot, section, number or template of the office (issue 18), as its id."""
        from app.directory.models import ApplicationTemplate, DirectoryNumber, NumberKind
        from app.staffing.models import AbsenceKind, DutySlot, RotaException, Section

        office_id = self.office.id or 0
        today = local_today()
        record: Any = {
            "absence": lambda: RotaException(office_id=office_id, user_id=self.colleague().id or 0,
                                             kind=AbsenceKind.QUARANTINE, starts_on=today, ends_on=today),
            "slot": lambda: DutySlot(office_id=office_id, worker_id=self.colleague().id or 0,
                                     starts_at=dt.datetime.now(dt.UTC), ends_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)),
            "section": lambda: Section(office_id=office_id, name=f"Sekcja {next(_refs)}"),
            "number": lambda: DirectoryNumber(office_id=office_id, kind=NumberKind.FAX, number="+48586754680"),
            "template": lambda: ApplicationTemplate(office_id=office_id, title="Wzór", filename="w.pdf",
                                                    media_type="application/pdf", size_bytes=9, sha256="0" * 64,
                                                    data=b"%PDF-1.4\n"),
        }[kind]()
        self.db.add(record)
        self.db.commit()
        return int(record.id)

    def visits(self) -> VisitOffice:
        """The office set up for visits (a room, two desks, hours, two reasons), once."""
        if not hasattr(self, "_visits"):
            self._visits = setup_visits(self.db, self.office)
        return self._visits

    def appointment(self) -> Appointment:
        """A visit booked by the front desk for the next working day."""
        visits = self.visits()
        with self.app.app_context():
            actor = load_principal(self.db, self.user_factory(Role.RECEPTION).id or 0)
            assert actor is not None
            appointment = booking.book(self.db, actor=actor, case=None, form=BookingForm(
                person_name="Zażółć Gęślą-Jaźń", phone="600100200", reason_id=str(visits.documents.id),
                kind="in_person", slot=slot(visits.desks[0], next_working_day(), 10)))
            self.db.commit()
        return appointment

    def draft(self) -> ResumeDraft:
        """A form kept after the logged-in user's session timed out."""
        draft = ResumeDraft(user_id=self.me().id or 0, method="POST", path="/cases/new",
                            form_json='{"applicant_name": "x"}')
        self.db.add(draft)
        self.db.commit()
        return draft


@dataclass
class Prepared:
    """What one endpoint's fuzzing needs: URL values, path values to vary, fields and hints for their values."""

    url: dict[str, Any]
    fields: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    hints: dict[str, tuple[str, ...]] = field(default_factory=dict)
    path_choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    query: dict[str, tuple[str, ...]] = field(default_factory=dict)
    keyed: tuple[str, ...] = ()  # interview answer keys: a field named after the key is sent with it


@dataclass(frozen=True)
class Target:
    """One POST endpoint: who posts it and how to prepare the world for it."""

    roles: tuple[Role, ...]
    prepare: Callable[[World], Prepared]


def _keys_of(interview: Interview) -> tuple[str, ...]:
    form = answers.form_of(interview)
    keys: list[str] = []
    for question in form.questions():
        if question.group:
            keys += [f"{question.group}.0.{question.id}", f"{question.group}.7.{question.id}"]
        else:
            keys.append(question.id)
    keys += [g.id for g in form.repeat_groups()]
    return tuple(keys)


def _sections_of(interview: Interview) -> tuple[str, ...]:
    return tuple(s.id for s in answers.form_of(interview).sections)


CASE_FIELDS = ("applicant_name", "pesel", *PHONE_FIELDS, "email", "address", "channel", "channel_detail",
               "received_on", "requested", "request_note", "urgent", "confirm_duplicates")
CASE_HINTS = {"channel": enum_values(Channel), "requested": enum_values(RequestedHelp), "urgent": ("1", "on")}
CALL_FIELDS = ("number", "outcome", "note", "callback_at", "callback_preset")
CALL_HINTS = {"outcome": enum_values(CallOutcome), "number": ("+48600100200",),
              "callback_preset": enum_values(Preset)}
PHONE_HINTS = {"phone": ("601 234 567", "+48600100200", "+44 20 7946 0958", "123"), "label": ("córka",)}
CONTACT_HINTS = {"route": enum_values(ContactRoute), "sent_on": ("2026-03-02", "02.03.2026", "2099-01-01", "1999-12-31")}
REFERRAL_FIELDS = tuple(ReferralInput.__dataclass_fields__)
REFERRAL_HINTS = {"reason": enum_values(ReasonCategory), "priority": enum_values(Priority),
                  "consent": ("yes", "no"), "emergency_action": ("", "called", "advised")}
ROLE_HINTS = {"roles": enum_values(Role)}
# Issue 18: rota, duty, directory, guides.
DAY_HINTS = ("2026-03-02", "02.03.2026", "2099-01-01", "1999-12-31", "31.02.2026")
CLOCK_HINTS = ("15:30", "19:00", "7.30", "25:00", "19:00-15:30")
PHONE_VALUES = ("601 234 567", "+48600100200", "58 675 46 75", "123")


def _rota_setup(world: World) -> Prepared:
    colleague = world.colleague()
    keys = ("g1", "n1", "n2", "n3", "")
    return Prepared(url={}, fields=("group-n1", "group-n2", "group-n3", f"section-{colleague.id}", f"member-{colleague.id}",
                                    f"member-{world.me().id}", "kind", "anchor", "day-0", "day-3"),
                    hints={"kind": ("alternate_weeks", "weekdays"), "anchor": DAY_HINTS, f"member-{colleague.id}": keys,
                           f"member-{world.me().id}": keys, "day-0": keys, "day-3": keys, "group-n1": ("Grupa A",),
                           "group-n2": ("Grupa B",)})


def _duty_call(world: World) -> Prepared:
    case = world.case()
    now = dt.datetime.now(dt.UTC)
    from app.staffing.models import DutySlot

    world.db.add(DutySlot(office_id=world.office.id or 0, worker_id=world.me().id or 0, starts_at=now - dt.timedelta(minutes=5),
                          ends_at=now + dt.timedelta(hours=1)))
    world.db.commit()
    return Prepared(url={}, fields=("number", "note", "case_id", "action"),
                    hints={"number": ("+48600100200", *PHONE_VALUES), "case_id": (str(case.id), "0", "x"),
                           "action": ("find", "record")})


OFFICE_TARGETS: dict[str, Target] = {
    "rota.configure": Target((Role.SUPERVISOR,), _rota_setup),
    "rota.absence_list": Target((Role.SUPERVISOR,), lambda w: Prepared(
        url={}, fields=("user_id", "kind", "starts_on", "ends_on", "note"),
        hints={"user_id": (str(w.colleague().id), "0"), "kind": ("sick_leave", "quarantine"), "starts_on": DAY_HINTS,
               "ends_on": DAY_HINTS})),
    "rota.remove_absence": Target((Role.SUPERVISOR,), lambda w: Prepared(url={"absence_id": w.office_record("absence")})),
    "duty.settings": Target((Role.SUPERVISOR,), lambda w: Prepared(
        url={}, fields=("number", "default_start", "default_end", "note"),
        hints={"number": PHONE_VALUES, "default_start": CLOCK_HINTS, "default_end": CLOCK_HINTS})),
    "duty.add_slot": Target((Role.SUPERVISOR,), lambda w: Prepared(
        url={}, fields=("worker_id", "day", "start", "end", "whole_week"),
        hints={"worker_id": (str(w.colleague().id), "0"), "day": DAY_HINTS, "start": CLOCK_HINTS, "end": CLOCK_HINTS,
               "whole_week": ("1",)})),
    "duty.remove_slot": Target((Role.SUPERVISOR,), lambda w: Prepared(url={"slot_id": w.office_record("slot")})),
    "duty.calls": Target((Role.WORKER,), _duty_call),
    "directory.my_entry": Target((Role.WORKER,), lambda w: Prepared(
        url={}, fields=("phone", "email", "phone_public", "email_public"),
        hints={"phone": PHONE_VALUES, "email": ("a@b.pl", "zły"), "phone_public": ("1",), "email_public": ("1",)})),
    "directory.staff_entry": Target((Role.ADMIN,), lambda w: Prepared(
        url={"user_id": w.colleague().id}, fields=("phone", "email", "phone_public"), hints={"phone": PHONE_VALUES})),
    "directory.contact": Target((Role.ADMIN,), lambda w: Prepared(
        url={}, fields=("slug", "applications_email", "epuap_address", "drop_box", "hours_0", "hours_6"),
        hints={"slug": ("gops-puck", "GOPS", "guides"), "epuap_address": ("/gops/SkrytkaESP", "x"),
               "hours_0": ("7:30-15:30", "15:30-7:30", "rano"), "hours_6": ("", "8-12")})),
    "directory.section": Target((Role.ADMIN,), lambda w: Prepared(url={}, fields=("name", "email"))),
    "directory.remove_section": Target((Role.ADMIN,), lambda w: Prepared(
        url={"staff_section_id": w.office_record("section")})),
    "directory.number": Target((Role.ADMIN,), lambda w: Prepared(
        url={"number_id": w.office_record("number")}, fields=("kind", "section_id", "label", "number", "valid_from", "valid_until"),
        hints={"kind": ("section", "special", "fax", "general"), "number": PHONE_VALUES, "valid_from": DAY_HINTS,
               "valid_until": DAY_HINTS})),
    "directory.remove_number": Target((Role.ADMIN,), lambda w: Prepared(url={"number_id": w.office_record("number")})),
    "directory.add_template": Target((Role.ADMIN,), lambda w: Prepared(url={}, fields=("title",), files=("file",))),
    "directory.remove_template": Target((Role.ADMIN,), lambda w: Prepared(url={"template_id": w.office_record("template")})),
    "guides.steps": Target((Role.WORKER,), lambda w: Prepared(
        url={"case_id": w.case().id, "guide_id": "epuap"}, fields=("done",), hints={"done": ("open_epuap", "sign_send")},
        path_choices={"guide_id": ("epuap", "empatia")})),
    "guides.outcome": Target((Role.WORKER,), lambda w: Prepared(
        url={"case_id": w.case().id, "guide_id": "epuap"}, fields=("number", "note"),
        hints={"number": ("+48600100200",)}, path_choices={"guide_id": ("epuap", "profil-zaufany")})),
}
# Issue 16: received documents.
DOCUMENT_FIELDS = ("kind", "channel", "received_on", "description", "interview_id", "annex", "from")
DOCUMENT_HINTS = {"kind": ("statement", "other_decision", "nope"), "channel": ("email", "phone_photo", "x"),
                  "received_on": DAY_HINTS, "annex": ("1", "on"), "interview_id": ("1", "0", "x"), "from": ("interview",)}


def _document(world: World) -> int:
    """A statement photo on a case of the logged-in worker, as its id."""
    from app.documents.models import CaseDocument, DocumentChannel, DocumentKind

    case = world.case()
    document = CaseDocument(office_id=world.office.id or 0, case_id=case.id or 0, kind=DocumentKind.STATEMENT,
                            channel=DocumentChannel.PHONE_PHOTO, received_on=dt.date(2026, 3, 2), filename="a.png",
                            media_type="image/png", size_bytes=8, sha256="0" * 64, data=b"\x89PNG\r\n\x1a\n",
                            uploaded_by_id=world.me().id or 0)
    world.db.add(document)
    world.db.commit()
    world.document_case = case.id  # type: ignore[attr-defined]
    return int(document.id or 0)


def _document_target(fields: tuple[str, ...], **hints: tuple[str, ...]) -> Callable[[World], Prepared]:
    def prepare(world: World) -> Prepared:
        document_id = _document(world)
        return Prepared(url={"case_id": world.document_case, "document_id": document_id},  # type: ignore[attr-defined]
                        fields=fields, hints=dict(hints))

    return prepare


BOOKING_FIELDS = ("person_name", "phone", "email", "reason_id", "kind", "slot", "from_day", "show")
HOURS_FIELDS = ("name", "address", *(f"d{d}_{p}" for d in range(7) for p in ("opens", "closes")))
TIME_HINTS = ("08:00", "15:00", "8:07", "25:00", "")


def _booking_hints(world: World) -> dict[str, tuple[str, ...]]:
    visits = world.visits()
    day = next_working_day()
    return {"kind": enum_values(AppointmentKind), "reason_id": (str(visits.documents.id), str(visits.consultation.id)),
            "slot": (slot(visits.desks[0], day, 11), slot(None, day, 12), slot(visits.desks[1], day, 7), "0@", "1@x"),
            "from_day": (day.isoformat(), "2026-02-30"), "email": ("a@example.org",), "phone": ("601234567",)}


def _exception(world: World) -> Prepared:
    exception = HoursException(place_id=world.visits().place.id or 0, day=next_working_day() + dt.timedelta(days=7))
    world.db.add(exception)
    world.db.commit()
    return Prepared(url={"exception_id": exception.id})


def _interview_target(fields: tuple[str, ...] = (), **hints: tuple[str, ...]) -> Callable[[World], Prepared]:
    def prepare(world: World) -> Prepared:
        return Prepared(url={"interview_id": world.interview().id}, fields=fields, hints=dict(hints))

    return prepare


def _wrong_phone(world: World) -> Prepared:
    case = world.case()
    phone = world.db.exec(select(CasePhone).where(CasePhone.case_id == case.id)).one()
    phone.wrong_since = dt.datetime.now(dt.UTC)
    world.db.add(phone)
    world.db.commit()
    return Prepared(url={"case_id": case.id, "phone_id": phone.id}, fields=("from",), hints={"from": ("today", "case")})


def _failed_call(world: World) -> Prepared:
    """A case whose last call went unanswered: the next try can be planned."""
    case = world.case()
    world.db.add(CallAttempt(case_id=case.id or 0, worker_id=world.me().id or 0, number="+48600100200",
                             outcome=CallOutcome.NO_ANSWER, at=dt.datetime.now(dt.UTC)))
    world.db.commit()
    return Prepared(url={"case_id": case.id}, fields=("retry_preset", "retry_at", "note"),
                    hints={"retry_preset": enum_values(Preset),
                           "retry_at": ("2026-03-02T10:00", "jutro")})


def _answers(world: World) -> Prepared:
    interview = world.interview()
    return Prepared(url={"interview_id": interview.id}, fields=("client_id",), keyed=_keys_of(interview))


def _pending(world: World) -> Prepared:
    """An interview with answers kept after a time-out, waiting to be sent back (or one of them given up)."""
    interview = world.interview()
    keys = _keys_of(interview)
    entries = [{"key": key, "values": ["Żółw"], "rev": 1, "client": "fuzz"} for key in (*keys[:3], "_notes")]
    world.db.add(ResumeDraft(user_id=world.me().id or 0, method="POST", path=f"/interviews/{interview.id}/answers",
                             object_type="interview", object_id=interview.id,
                             form_json=json.dumps({"entries": entries}, ensure_ascii=False)))
    world.db.commit()
    return Prepared(url={"interview_id": interview.id}, fields=("key", "choice"),
                    hints={"key": (*keys[:3], "_notes", "nope"), "choice": ("mine", "drop", "")})


def _section(world: World) -> Prepared:
    interview = world.interview()
    keys = _keys_of(interview)
    groups = tuple(g.id for g in answers.form_of(interview).repeat_groups())
    actions = tuple(f"{verb}:{g}{tail}" for verb in ("add", "remove") for g in groups for tail in ("", ":0", ":x", ":99"))
    return Prepared(
        url={"interview_id": interview.id, "section_id": _sections_of(interview)[0]},
        fields=("_action", "_go", *keys[:12]),
        hints={"_action": (*actions, "add:", "remove::", "add:nope:1"), "_go": ("next", "prev", "stay")},
        path_choices={"section_id": _sections_of(interview)},
    )


def _dismiss(world: World) -> Prepared:
    interview = world.interview()
    rules = tuple(rule.id for rule in answers.form_of(interview).flags)
    return Prepared(url={"interview_id": interview.id, "rule_id": rules[0]}, fields=("reason",),
                    path_choices={"rule_id": rules})


def _referral_from_interview(world: World) -> Prepared:
    interview = world.interview()
    rules = tuple(rule.id for rule in answers.form_of(interview).flags)
    return Prepared(url={"interview_id": interview.id}, fields=REFERRAL_FIELDS, hints=REFERRAL_HINTS,
                    query={"flag": rules})


OFFICE_FIELDS = ("name", "short_name", "address", "phone", "other_phones", "email", "reference_prefix", "letterhead")
OFFICE_HINTS = {"name": ("GOPS Puck",), "phone": ("58 673 22 11", "12"), "reference_prefix": ("RWS", "GOPS.8211", "A/B"),
                "email": ("gops@example.pl",), "other_phones": ("601 234 567\n+48 58 673 22 12",)}
HELPLINE_FIELDS = ("number", "name_pl", "name_en", "hours_pl", "hours_en", "show_with", "valid_from", "valid_until")
HELPLINE_HINTS = {"number": ("116 123", "800 70 2222"), "name_pl": ("Telefon zaufania",), "hours_pl": ("całą dobę",),
                  "show_with": ("crisis", "niebieska_karta", "basic_needs"),
                  "valid_from": ("2026-03-02", "02.03.2026"), "valid_until": ("2020-06-08", "2099-12-31")}


def _installation_admin(world: World) -> None:
    from app.offices.services import grant_installation_admin

    grant_installation_admin(world.db, user=world.me())
    world.db.commit()


def _new_office(world: World) -> Prepared:
    _installation_admin(world)
    return Prepared(url={}, fields=OFFICE_FIELDS, hints=OFFICE_HINTS)


def _office_admin(world: World) -> Prepared:
    _installation_admin(world)
    return Prepared(url={"office_id": world.office.id}, fields=("username", "full_name", "email", "password"))


def _settings_group(world: World) -> Prepared:
    from app.officeconfig import registry

    groups = tuple(g.key for g in registry.groups() if registry.definitions(g.key, form_only=True))
    keys = tuple(d.key for d in registry.definitions(form_only=True))
    return Prepared(url={"office_id": world.office.id, "group_key": groups[0]}, fields=keys,
                    hints={"cases.interview_working_days": ("14", "0", "x"), "referrals.workday_end": ("16:00",),
                           "referrals.notify_to": ("a@example.pl, b@example.pl",), "retention.case_years": ("10",)},
                    path_choices={"group_key": groups})


def _helpline(world: World) -> Prepared:
    ids = ("emergency", "adults_mental_crisis", "children", "blue_line")
    return Prepared(url={"office_id": world.office.id, "line_id": ids[1]}, fields=HELPLINE_FIELDS,
                    hints=HELPLINE_HINTS, path_choices={"line_id": ids})


def _form_draft(world: World) -> Prepared:
    from pathlib import Path

    from app.formdefs.loader import content_hash
    from app.formstore.models import FormOrigin, FormVersion

    text = (Path(__file__).resolve().parents[2] / "forms" / "rws" / "v1.yaml").read_text(encoding="utf-8")
    text = text.replace("\nversion: 1\n", "\nversion: 2\n", 1)
    row = FormVersion(form_id="rws", version=2, content_hash=content_hash(text), source=text,
                      origin=FormOrigin.UPLOAD, office_id=world.office.id)
    world.db.add(row)
    world.db.commit()
    return Prepared(url={"office_id": world.office.id, "version_id": row.id})


def _return(world: World) -> Prepared:
    report = world.submitted_report()
    interview = world.db.get(Interview, report.interview_id)
    assert interview is not None
    comments = tuple(f"comment-{key}" for key in _keys_of(interview)[:8]) + ("comment-", "comment-nope")
    return Prepared(url={"report_id": report.id}, fields=("general", *comments))


CASE_EDIT_FIELDS = ("applicant_name", "pesel", "email", "address", "urgent", "permanent_help", "worker_id")
CASE_CLOSE_FIELDS = ("outcome", "help_kinds", "decision_number", "decision_on", "transferred_to", "note")

TARGETS: dict[str, Target] = {
    "auth.login": Target((), lambda w: Prepared(url={}, fields=("username", "password", "next"))),
    "auth.logout": Target((Role.WORKER,), lambda w: Prepared(url={})),
    "auth.language": Target((Role.WORKER,), lambda w: Prepared(
        url={"code": "pl"}, fields=("next",), path_choices={"code": ("pl",)})),
    "auth.password": Target((Role.WORKER,), lambda w: Prepared(
        url={}, fields=("current_password", "new_password", "repeat_password"))),
    "auth.discard": Target((Role.WORKER,), lambda w: Prepared(url={"draft_id": w.draft().id}, fields=("next",))),
    "admin.new_user": Target((Role.ADMIN,), lambda w: Prepared(
        url={}, fields=("username", "full_name", "email", "roles", "password"), hints=ROLE_HINTS)),
    "admin.edit_user": Target((Role.ADMIN,), lambda w: Prepared(
        url={"user_id": w.colleague().id}, fields=("full_name", "email", "roles"), hints=ROLE_HINTS)),
    "admin.toggle_active": Target((Role.ADMIN,), lambda w: Prepared(
        url={"user_id": w.colleague().id}, fields=("active",), hints={"active": ("0", "1")})),
    "admin.set_password": Target((Role.ADMIN,), lambda w: Prepared(url={"user_id": w.colleague().id},
                                                                  fields=("password",))),
    "cases.new": Target((Role.WORKER,), lambda w: Prepared(url={}, fields=CASE_FIELDS, hints=CASE_HINTS)),
    "cases.duplicates": Target((Role.WORKER,), lambda w: Prepared(url={}, fields=CASE_FIELDS, hints=CASE_HINTS)),
    "cases.log_call": Target((Role.WORKER,), lambda w: Prepared(
        url={"case_id": w.case().id}, fields=CALL_FIELDS, hints=CALL_HINTS)),
    "cases.book_retry": Target((Role.WORKER,), _failed_call),
    "worklist.log_call": Target((Role.WORKER,), lambda w: Prepared(
        url={"case_id": w.case().id}, fields=CALL_FIELDS, hints=CALL_HINTS)),
    "worklist.book_retry": Target((Role.WORKER,), _failed_call),
    "cases.add_phone": Target((Role.WORKER,), lambda w: Prepared(
        url={"case_id": w.case().id}, fields=("phone", "label"), hints=PHONE_HINTS)),
    "cases.correct_phone": Target((Role.WORKER,), _wrong_phone),
    "cases.record_contact": Target((Role.WORKER,), lambda w: Prepared(
        url={"case_id": w.case().id}, fields=("route", "sent_on", "note"), hints=CONTACT_HINTS)),
    "cases.assign": Target((Role.SUPERVISOR,), lambda w: Prepared(
        url={"case_id": w.case(w.colleague()).id}, fields=("worker_id",),
        hints={"worker_id": ("me", "", "1", "2", "3", "999999")})),
    "case_record.edit": Target((Role.SUPERVISOR,), lambda w: Prepared(
        url={"case_id": w.case(w.colleague()).id}, fields=CASE_EDIT_FIELDS,
        hints={"urgent": ("1", ""), "permanent_help": ("1", ""), "worker_id": ("", "1", "2", "999999"),
               "pesel": ("44051401359", "1"), "email": ("a@example.pl", "x")})),
    "case_record.close": Target((Role.WORKER,), lambda w: Prepared(
        url={"case_id": w.case().id}, fields=CASE_CLOSE_FIELDS,
        hints={"outcome": enum_values(CaseOutcome), "help_kinds": enum_values(RequestedHelp),
               "decision_on": ("2026-03-02", "01.01.1999", "2099-01-01", "x")})),
    "case_record.reopen": Target((Role.WORKER,), lambda w: Prepared(url={"case_id": w.case().id}, fields=("reason",))),
    "interview_carry.confirm": Target((Role.WORKER,), _interview_target()),
    "interviews.start": Target((Role.WORKER,), lambda w: Prepared(
        url={"case_id": w.case().id}, fields=("call_attempt_id",))),
    "interviews.save": Target((Role.WORKER,), _answers),
    "interviews.notes": Target((Role.WORKER,), _interview_target(("_notes",))),
    "interviews.section": Target((Role.WORKER,), _section),
    "interview_pending.send": Target((Role.WORKER,), _pending),
    "interviews.finish": Target((Role.WORKER,), _interview_target(("accept_warnings",), accept_warnings=("1",))),
    "interviews.reopen": Target((Role.WORKER,), lambda w: Prepared(url={"interview_id": w.finished_interview().id})),
    "referrals.dismiss_flag": Target((Role.WORKER,), _dismiss),
    "referrals.new_from_interview": Target((Role.WORKER,), _referral_from_interview),
    "referrals.new_from_case": Target((Role.WORKER,), lambda w: Prepared(
        url={"case_id": w.case().id}, fields=REFERRAL_FIELDS, hints=REFERRAL_HINTS)),
    "referrals.act": Target((Role.PSYCHOLOGIST,), lambda w: Prepared(
        url={"referral_id": w.referral().id, "action": Action.ACCEPT.value},
        fields=("outcome", "note", "reason", "back"), hints={"back": ("list",)},
        path_choices={"action": enum_values(Action)})),
    "reports.approve": Target((Role.SUPERVISOR,), lambda w: Prepared(
        url={"report_id": w.submitted_report().id}, fields=("password",))),
    "reports.return_report": Target((Role.SUPERVISOR,), _return),
    "reports.sign": Target((Role.WORKER,), lambda w: Prepared(
        url={"interview_id": w.finished_interview().id}, fields=("password",))),
    "reports.certificate": Target((Role.WORKER,), lambda w: Prepared(
        url={}, fields=("p12_password", "password"), files=("pkcs12",))),
    "reports.verify": Target((Role.SUPERVISOR,), lambda w: Prepared(url={}, files=("pdf",))),
    **OFFICE_TARGETS,
    "appointments.new": Target((Role.RECEPTION,), lambda w: Prepared(
        url={}, fields=BOOKING_FIELDS, hints=_booking_hints(w))),
    "appointments.new_for_case": Target((Role.WORKER,), lambda w: Prepared(
        url={"case_id": w.case().id}, fields=BOOKING_FIELDS, hints=_booking_hints(w))),
    "appointments.cancel": Target((Role.RECEPTION,), lambda w: Prepared(
        url={"appointment_id": w.appointment().id}, fields=("reason",))),
    "appointments.reschedule": Target((Role.RECEPTION,), lambda w: Prepared(
        url={"appointment_id": w.appointment().id}, fields=("reason", "slot", "from_day"), hints=_booking_hints(w))),
    "appointments.mark": Target((Role.RECEPTION,), lambda w: Prepared(
        url={"appointment_id": w.appointment().id}, fields=("what",), hints={"what": enum_values(Mark)})),
    "visit_setup.rules": Target((Role.ADMIN,), lambda w: Prepared(url={}, fields=("entry_rules",))),
    "documents.index": Target((Role.WORKER,), lambda w: Prepared(
        url={"case_id": w.case().id}, fields=DOCUMENT_FIELDS, files=("photo", "file"), hints=DOCUMENT_HINTS)),
    "documents.annex": Target((Role.WORKER,), _document_target(("annex",), annex=("1", "0"))),
    "documents.withdraw": Target((Role.WORKER,), _document_target(("reason",), reason=("pomyłka", " "))),
    "visit_setup.new_place": Target((Role.ADMIN,), lambda w: Prepared(
        url={}, fields=HOURS_FIELDS, hints=dict.fromkeys(HOURS_FIELDS[2:], TIME_HINTS))),
    "visit_setup.place": Target((Role.ADMIN,), lambda w: Prepared(
        url={"place_id": w.visits().place.id}, fields=HOURS_FIELDS, hints=dict.fromkeys(HOURS_FIELDS[2:], TIME_HINTS))),
    "visit_setup.add_desk": Target((Role.ADMIN,), lambda w: Prepared(
        url={"place_id": w.visits().place.id}, fields=("desk_name", "capacity"), hints={"capacity": ("1", "2", "0")})),
    "visit_setup.desk": Target((Role.ADMIN,), lambda w: Prepared(
        url={"desk_id": w.visits().desks[0].id}, fields=("desk_name", "capacity"), hints={"capacity": ("1", "3")})),
    "visit_setup.remove_desk": Target((Role.ADMIN,), lambda w: Prepared(url={"desk_id": w.visits().desks[1].id})),
    "visit_setup.add_exception": Target((Role.ADMIN,), lambda w: Prepared(
        url={"place_id": w.visits().place.id}, fields=("day", "exc_opens", "exc_closes", "note"),
        hints={"day": ((next_working_day() + dt.timedelta(days=14)).isoformat(), "2020-01-01"),
               "exc_opens": TIME_HINTS, "exc_closes": TIME_HINTS})),
    "visit_setup.remove_exception": Target((Role.ADMIN,), _exception),
    "visit_setup.new_reason": Target((Role.ADMIN,), lambda w: Prepared(
        url={}, fields=("name", "duration", "in_person", "phone", "checklist", "active"),
        hints={"duration": ("15", "30", "7"), "in_person": ("1",), "phone": ("1",), "active": ("1",)})),
    "visit_setup.reason": Target((Role.ADMIN,), lambda w: Prepared(
        url={"reason_id": w.visits().documents.id}, fields=("name", "duration", "in_person", "phone", "checklist", "active"),
        hints={"duration": ("15", "30", "7"), "in_person": ("1",), "phone": ("1",), "active": ("1",)})),
    "offices.new": Target((Role.ADMIN,), _new_office),
    "offices.edit": Target((Role.ADMIN,), lambda w: Prepared(
        url={"office_id": w.office.id}, fields=OFFICE_FIELDS, hints=OFFICE_HINTS)),
    "offices.add_admin": Target((Role.ADMIN,), _office_admin),
    "officeconfig.save": Target((Role.ADMIN,), _settings_group),
    "helplines.new": Target((Role.ADMIN,), lambda w: Prepared(
        url={"office_id": w.office.id}, fields=HELPLINE_FIELDS, hints=HELPLINE_HINTS)),
    "helplines.change": Target((Role.ADMIN,), _helpline),
    "helplines.remove": Target((Role.ADMIN,), lambda w: Prepared(
        url={"office_id": w.office.id, "line_id": "children"}, path_choices={"line_id": ("emergency", "children")})),
    "formstore.upload": Target((Role.ADMIN,), lambda w: Prepared(
        url={"office_id": w.office.id}, fields=("text", "name"), files=("file",),
        hints={"text": ("id: rws\nversion: 2\n", "sections: []")})),
    "formstore.publish": Target((Role.ADMIN,), _form_draft),
}


def post_endpoints(app: Flask) -> set[str]:
    """Every endpoint that accepts POST."""
    return {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}


def test_every_post_route_is_fuzzed(app: Flask) -> None:
    """A new form-posting route fails here until it has an entry in TARGETS (and a stale entry fails too)."""
    assert post_endpoints(app) == set(TARGETS)


@pytest.fixture
def world(app: Flask, db: Session, office: Office, user_factory: Callable[..., User], client: FlaskClient) -> World:
    """An empty world for one endpoint."""
    return World(app, db, office, user_factory, client)


def _token(client: FlaskClient) -> str:
    return csrf_from(client.get("/login", follow_redirects=True).get_data(as_text=True))


def assert_clear_refusal(response: Any) -> None:
    """A 4xx names the problem: an alert, or a message at the field, on a Polish page or in the htmx fragment."""
    body = response.get_data(as_text=True)
    assert 'role="alert"' in body or 'class="error"' in body, body[:2000]
    if "<html" in body:
        assert '<html lang="pl"' in body
    for leak in ("Traceback", "sqlalchemy", "Error:", "File \"/"):
        assert leak not in body


@st.composite
def _request(draw: st.DrawFn, prepared: Prepared) -> tuple[dict[str, Any], dict[str, str], list[Part], str, bool]:
    url = dict(prepared.url)
    for name, choices in prepared.path_choices.items():
        url[name] = draw(st.one_of(st.sampled_from(choices), st.just(url[name]),
                                   st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)))
    query = {name: draw(st.one_of(st.sampled_from(choices), st.text(max_size=10).filter(
        lambda s: all(not 0xD800 <= ord(c) <= 0xDFFF for c in s)))) for name, choices in prepared.query.items()}
    parts = draw(form_parts(prepared.fields, prepared.hints, prepared.files))
    if prepared.keyed:
        key = draw(st.one_of(st.sampled_from(prepared.keyed), st.text(max_size=30)))
        parts = [Part("key", key), *parts]
        for _ in range(draw(st.sampled_from((1, 1, 0, 2, 4)))):
            parts.append(Part(key, draw(st.one_of(text_values(("yes", "no", "1", "2026-03-02", "84-100", "")),
                                                  st.text(max_size=60)))))
        if draw(st.booleans()):
            parts.append(Part(f"_rev:{key}", draw(st.sampled_from(("0", "1", "7", "-1", "x", "9" * 25)))))
    how = draw(st.sampled_from(("urlencoded", "urlencoded", "urlencoded", "multipart", "json", "text")))
    return url, query, parts, how, draw(st.booleans())


@pytest.mark.parametrize("endpoint", sorted(TARGETS))
def test_fuzzed_post_never_fails_and_refusals_change_nothing(
    endpoint: str, app: Flask, client: FlaskClient, world: World, db: Session
) -> None:
    """Random, huge, odd, mistyped, missing and repeated fields: no 5xx; a 4xx explains itself and writes nothing."""
    target = TARGETS[endpoint]
    if target.roles:
        world.login(*target.roles)
    prepared = target.prepare(world)
    csrf = _token(client)
    engine: Engine = db.get_bind()  # type: ignore[assignment]

    @FUZZ
    @given(st.data())
    def run(data: st.DataObject) -> None:
        url, query, parts, how, htmx = data.draw(_request(prepared))
        with app.test_request_context():
            path = url_for(endpoint, **url, **query)
        body, content_type = encode(parts, how)
        headers = {"X-CSRFToken": csrf}
        if htmx:
            headers["HX-Request"] = "true"
        note(f"POST {path[:200]} as {how}, htmx={htmx}: " + repr([(p.name[:40], p.data()[:80]) for p in parts])[:3000])
        before = snapshot(engine)
        response = client.post(path, data=body, content_type=content_type, headers=headers)
        assert response.status_code < 500, (endpoint, response.status_code)
        if 400 <= response.status_code < 500:
            assert_clear_refusal(response)
            assert changed_tables(before, snapshot(engine)) == [], (endpoint, response.status_code)

    run()


OVERLONG = "Żółw " * 1000  # 5,000 characters: past every text column's length (PostgreSQL enforces them)


@pytest.mark.parametrize("endpoint", sorted(TARGETS))
def test_overlong_value_in_any_field_is_refused_or_kept_never_a_500(
    endpoint: str, app: Flask, client: FlaskClient, world: World, db: Session
) -> None:
    """Each field in turn gets 5,000 characters while the others hold plausible values: a clear 4xx that writes
    nothing, or success; never a database error (SQLite ignores VARCHAR lengths, so only this test and the PostgreSQL
    pass see such a gap deterministically)."""
    target = TARGETS[endpoint]
    if target.roles:
        world.login(*target.roles)
    prepared = target.prepare(world)
    csrf = _token(client)
    engine: Engine = db.get_bind()  # type: ignore[assignment]
    with app.test_request_context():
        path = url_for(endpoint, **prepared.url)
    for long_field in prepared.fields:
        parts = [Part(name, OVERLONG if name == long_field else (prepared.hints.get(name) or ("",))[0])
                 for name in prepared.fields]
        body, content_type = encode(parts, "urlencoded")
        before = snapshot(engine)
        response = client.post(path, data=body, content_type=content_type, headers={"X-CSRFToken": csrf})
        assert response.status_code < 500, (endpoint, long_field, response.status_code)
        if 400 <= response.status_code < 500:
            assert_clear_refusal(response)
            assert changed_tables(before, snapshot(engine)) == [], (endpoint, long_field)


LIMIT_MB = 2


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A 2 MB request limit (TELEWYWIAD_MAX_UPLOAD_MB), so over-limit bodies stay cheap to send."""
    return settings.model_copy(update={"max_upload_mb": LIMIT_MB})


@pytest.mark.parametrize("endpoint", sorted(TARGETS))
def test_body_over_the_upload_limit_is_413_and_changes_nothing(
    endpoint: str, app: Flask, client: FlaskClient, world: World, db: Session
) -> None:
    """Every POST endpoint (file uploads included) refuses a body over MAX_UPLOAD_MB with a Polish 413 page."""
    target = TARGETS[endpoint]
    if target.roles:
        world.login(*target.roles)
    prepared = target.prepare(world)
    csrf = _token(client)
    with app.test_request_context():
        path = url_for(endpoint, **prepared.url)
    name = (prepared.files or prepared.fields or ("x",))[0]
    big = Part(name, b"%PDF-" + b"\x00" * (LIMIT_MB * 1024 * 1024), as_file=bool(prepared.files))
    body, content_type = encode([Part("csrf_token", csrf), big], "urlencoded")
    engine: Engine = db.get_bind()  # type: ignore[assignment]
    before = snapshot(engine)
    response = client.post(path, data=body, content_type=content_type, headers={"X-CSRFToken": csrf})
    assert response.status_code == 413
    assert "Plik jest za duży" in response.get_data(as_text=True)
    assert_clear_refusal(response)
    assert changed_tables(before, snapshot(engine)) == []
