"""Office services: create and edit offices (checked field by field), installation administrators, first setup."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from app import audit
from app.auth.models import DEFAULT_REFERENCE_PREFIX, Office, Role, User
from app.auth.services import Principal, create_user
from app.db import dialect_insert
from app.errors import InvalidInput
from app.fields import FieldError, parse_email, parse_phone
from app.offices.models import InstallationAdmin
from app.web.forms import PostedForm

_PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")
MAX_LETTERHEAD_LINES = 6
MAX_LETTERHEAD_LINE = 120
MAX_OTHER_PHONES = 10


class OfficeError(InvalidInput):
    """Office data that cannot be stored; `errors` maps each form field to its problem in Polish."""


class SetupError(ValueError):
    """The installation cannot be set up as asked (e.g. it already has an office)."""


@dataclass
class OfficeForm(PostedForm):
    """What was typed into the office form (or given on the command line), kept as typed."""

    name: str = ""
    short_name: str = ""
    address: str = ""
    phone: str = ""
    other_phones: str = ""
    email: str = ""
    reference_prefix: str = DEFAULT_REFERENCE_PREFIX
    letterhead: str = ""

    @classmethod
    def of(cls, office: Office) -> OfficeForm:
        """The stored office as form values."""
        return cls(**{f.name: str(getattr(office, f.name)) for f in fields(cls)})


def _line_count_ok(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def clean_office(form: OfficeForm) -> dict[str, str]:
    """The values to store, or OfficeError naming every field with a problem."""
    errors: dict[str, str] = {}
    name = " ".join(form.name.split())
    if not name:
        errors["name"] = str(_l("Podaj pełną nazwę ośrodka."))
    elif len(name) > 200:
        errors["name"] = str(_l("Nazwa może mieć najwyżej 200 znaków."))
    short_name = " ".join(form.short_name.split())
    if len(short_name) > 60:
        errors["short_name"] = str(_l("Nazwa skrócona może mieć najwyżej 60 znaków."))
    address = " ".join(form.address.split())
    if len(address) > 300:
        errors["address"] = str(_l("Adres może mieć najwyżej 300 znaków."))
    phone = ""
    try:
        phone = parse_phone(form.phone) or ""
    except FieldError as exc:
        errors["phone"] = exc.message
    others: list[str] = []
    lines = _line_count_ok(form.other_phones)
    if len(lines) > MAX_OTHER_PHONES:
        errors["other_phones"] = str(_l("Podaj najwyżej 10 dodatkowych numerów."))
    for number, line in enumerate(lines, start=1):
        try:
            parsed = parse_phone(line)
        except FieldError as exc:
            errors.setdefault("other_phones", str(_l("Wiersz %(n)s: %(problem)s", n=number, problem=exc.message)))
            continue
        if parsed and parsed != phone and parsed not in others:
            others.append(parsed)
    email = ""
    try:
        email = parse_email(form.email)
    except FieldError as exc:
        errors["email"] = exc.message
    prefix = form.reference_prefix.strip()
    if not _PREFIX.match(prefix):
        errors["reference_prefix"] = str(_l(
            "Przedrostek znaku sprawy: od 1 do 20 znaków – litery bez polskich znaków, cyfry, kropka, myślnik "
            "lub podkreślnik (np. RWS albo GOPS.8211)."
        ))
    letterhead = _line_count_ok(form.letterhead)
    if len(letterhead) > MAX_LETTERHEAD_LINES or any(len(line) > MAX_LETTERHEAD_LINE for line in letterhead):
        errors["letterhead"] = str(_l("Nagłówek: najwyżej 6 wierszy po 120 znaków."))
    if errors:
        raise OfficeError(errors)
    return {
        "name": name, "short_name": short_name, "address": address, "phone": phone, "other_phones": "\n".join(others),
        "email": email, "reference_prefix": prefix, "letterhead": "\n".join(letterhead),
    }


def create_office(session: Session, *, form: OfficeForm, actor_id: int | None = None) -> Office:
    """Create an office from checked form values; audited."""
    values = clean_office(form)
    office = Office.model_validate(values)
    session.add(office)
    session.flush()
    audit.log(session, "office.create", actor=actor_id, obj=office)
    return office


def update_office(session: Session, office: Office, *, form: OfficeForm, actor_id: int | None = None) -> list[str]:
    """Change an office's details; audited with every changed field's old and new value. Returns the changed fields."""
    values = clean_office(form)
    changes = {k: {"old": getattr(office, k), "new": v} for k, v in values.items() if getattr(office, k) != v}
    for key, change in changes.items():
        setattr(office, key, change["new"])
    if changes:
        session.add(office)
        session.flush()
        audit.log(session, "office.update", actor=actor_id, obj=office, changes=changes)
    return sorted(changes)


def all_offices(session: Session) -> list[Office]:
    """Every office, by name."""
    return list(session.exec(select(Office).order_by(col(Office.name))).all())


def is_installation_admin(session: Session, user_id: int) -> bool:
    """Whether the user administers the whole installation."""
    return session.get(InstallationAdmin, user_id) is not None


def manageable_offices(session: Session, principal: Principal) -> list[Office]:
    """Offices whose details, settings and forms the user may change: all for an installation administrator."""
    if is_installation_admin(session, principal.id):
        return all_offices(session)
    if principal.has(Role.ADMIN):
        office = session.get(Office, principal.office_id)
        return [office] if office else []
    return []


def may_manage(session: Session, principal: Principal, office_id: int) -> bool:
    """Whether the user may change this office's details, settings and forms."""
    if principal.has(Role.ADMIN) and office_id == principal.office_id:
        return True
    return is_installation_admin(session, principal.id)


def grant_installation_admin(session: Session, *, user: User, actor_id: int | None = None) -> bool:
    """Make the user an installation administrator; False when they already were. Audited."""
    assert user.id is not None  # noqa: S101
    inserted = session.exec(
        dialect_insert(session, InstallationAdmin)
        .values(user_id=user.id, granted_by_id=actor_id)
        .on_conflict_do_nothing(index_elements=["user_id"])
    ).rowcount
    if inserted:
        audit.log(session, "office.manager_grant", actor=actor_id, obj=user)
    return bool(inserted)


def revoke_installation_admin(session: Session, *, user: User, actor_id: int | None = None) -> bool:
    """Take the installation-wide rights away; False when the user did not have them. Audited."""
    row = session.get(InstallationAdmin, user.id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    audit.log(session, "office.manager_revoke", actor=actor_id, obj=user)
    return True


def create_office_admin(
    session: Session, *, office: Office, username: str, full_name: str, password: str, email: str = "",
    actor_id: int | None = None,
) -> User:
    """An administrator account in the office (the first one of a new office, or one more)."""
    assert office.id is not None  # noqa: S101
    return create_user(session, office_id=office.id, username=username, full_name=full_name, password=password,
                       roles={Role.ADMIN}, email=email, actor_id=actor_id)


@dataclass
class SetupResult:
    """What `telewywiad setup` created."""

    office: Office
    admin: User


def setup_installation(
    session: Session, *, form: OfficeForm, username: str, full_name: str, password: str, email: str = ""
) -> SetupResult:
    """First setup of an empty installation: the first office and its administrator, who administers the installation.

    Refuses when any office exists, so running it twice never makes a second "first" office.
    """
    if session.exec(select(Office.id)).first() is not None:
        raise SetupError(str(_l("Instalacja ma już ośrodek. Kolejne ośrodki dodaje się poleceniem "
                                "„telewywiad offices create” albo w aplikacji.")))
    office = create_office(session, form=form)
    admin = create_office_admin(session, office=office, username=username, full_name=full_name,
                                password=password, email=email)
    grant_installation_admin(session, user=admin)
    audit.log(session, "installation.setup", actor=admin, obj=office)
    return SetupResult(office=office, admin=admin)
