"""The public contact page (`/contact`, no login): the office's contacts and directory, today's hours, the duty
phone, how to submit an application, visiting rules, templates to download, the filing guides.

No session is read or written and nothing personal about clients is shown; the page is cacheable and works
without JavaScript, in Polish or (`?lang=en`) English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO

from flask import Blueprint, Response, abort, send_file
from sqlmodel import Session, col, select

from app.auth.models import Office
from app.clock import to_local, utcnow
from app.db import get_session
from app.directory.files import TemplateInfo, list_templates, office_template
from app.directory.labels import weekday_label
from app.directory.models import OfficeContact
from app.directory.view import Directory, directory_on
from app.guides.loader import Guide
from app.guides.services import guide_registry
from app.staffing.duty import duty_settings, on_duty_now, slots_between
from app.web.ids import parse_id
from app.web.public import render_public

bp = Blueprint("contact", __name__)

DUTY_DAYS_AHEAD = 7


@dataclass(frozen=True)
class DutyHours:
    """One duty as the public sees it: when (never who)."""

    starts_at: datetime
    ends_at: datetime


@dataclass
class PublicContact:
    """Everything the page shows for one office."""

    directory: Directory
    key: str
    duty_number: str
    duty_note: str
    duty_now: bool
    duty_hours: list[DutyHours]
    templates: list[TemplateInfo]
    guides: list[Guide]


def key_of(office: Office, contact: OfficeContact | None) -> str:
    """The office's part of the public URL: its short name, or its id when it has none."""
    return contact.slug if contact is not None and contact.slug else str(office.id)


def find_office(session: Session, key: str) -> Office | None:
    """The office named by a short name or an id."""
    office_id = parse_id(key)
    if office_id is None:
        office_id = session.exec(select(OfficeContact.office_id).where(OfficeContact.slug == key.lower())).first()
    return session.get(Office, office_id) if office_id is not None else None


def public_contact(session: Session, office: Office, now: datetime) -> PublicContact:
    """The page's data as of `now` (Polish date decides which numbers are in use)."""
    office_id = office.id or 0
    directory = directory_on(session, office, to_local(now).date(), public=True)
    settings = duty_settings(session, office_id)
    slots = slots_between(session, office_id, now - timedelta(hours=24), now + timedelta(days=DUTY_DAYS_AHEAD))
    return PublicContact(
        directory=directory,
        key=key_of(office, session.get(OfficeContact, office_id)),
        duty_number=settings.number,
        duty_note=settings.note,
        duty_now=settings.number != "" and on_duty_now(session, office_id, now) is not None,
        duty_hours=[DutyHours(s.starts_at, s.ends_at) for s, _ in slots if s.ends_at > now],
        templates=list_templates(session, office_id),
        guides=guide_registry().current(),
    )


def _page(template: str, **context: object) -> Response:
    return render_public(template, now=utcnow(), weekday_label=weekday_label, **context)


@bp.route("/contact")
def index() -> Response:
    """The only office's page, or the list of offices of a multi-office installation."""
    db = get_session()
    offices = db.exec(select(Office).order_by(col(Office.name))).all()
    if not offices:
        abort(404)
    if len(offices) == 1:
        return _page("contact/page.html", page=public_contact(db, offices[0], utcnow()))
    slugs = {c.office_id: c for c in db.exec(select(OfficeContact)).all()}
    return _page("contact/offices.html", offices=[(o, key_of(o, slugs.get(o.id or 0))) for o in offices])


@bp.route("/contact/<office_key>")
def office(office_key: str) -> Response:
    """One office's contact page."""
    db = get_session()
    found = find_office(db, office_key)
    if found is None:
        abort(404)
    return _page("contact/page.html", page=public_contact(db, found, utcnow()))


@bp.route("/contact/<office_key>/templates/<int:template_id>")
def template(office_key: str, template_id: int) -> Response:
    """Download an application template (the file as uploaded, checked when it was)."""
    db = get_session()
    found = find_office(db, office_key)
    if found is None:
        abort(404)
    try:
        stored = office_template(db, found.id or 0, template_id)
    except LookupError:
        abort(404)
    response = send_file(BytesIO(stored.data), mimetype=stored.media_type, as_attachment=True,
                         download_name=stored.filename, etag=stored.sha256, conditional=True, max_age=3600)
    response.cache_control.public = True
    return response

