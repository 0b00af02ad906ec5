"""Administrators edit the directory (sections, numbers with validity dates, contact details); every change is
checked at its field, stored whole or not at all, and audited. Staff publish their own entries."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import Office, Role, User
from app.directory.models import DirectoryNumber, NumberKind, OfficeContact, StaffContact
from app.staffing.models import Section, StaffPlacement
from tests.conftest import login, token
from tests.office_fixtures import make_section


def _post(client: FlaskClient, path: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": token(client, "/directory"), **data})


def test_sections_are_added_renamed_and_names_stay_unique(client: FlaskClient, db: Session, admin: User) -> None:
    """A section with an e-mail; the same name again (any case) is refused; a bad e-mail is named."""
    assert _post(client, "/admin/directory/sections/new", name="Fundusz  alimentacyjny", email="fa@ops.example").status_code == 302
    section = db.exec(select(Section)).one()
    assert (section.name, section.email) == ("Fundusz alimentacyjny", "fa@ops.example")
    again = _post(client, "/admin/directory/sections/new", name="fundusz alimentacyjny", email="zły@adres")
    body = again.get_data(as_text=True)
    assert again.status_code == 422 and "Sekcja o tej nazwie już jest" in body and "Nieprawidłowy adres e-mail." in body
    assert len(db.exec(select(Section)).all()) == 1
    assert _post(client, f"/admin/directory/sections/{section.id}", name="Fundusz alimentacyjny i 500+").status_code == 302
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.object_type == "staff_section")).all()
    assert actions == ["section.create", "section.update"]


def test_a_number_is_parsed_and_kept_in_e164(client: FlaskClient, db: Session, office: Office, admin: User) -> None:
    """A section number typed the Polish way is stored as +48… and listed under its section."""
    section = make_section(db, office, "Księgowość")
    response = _post(client, "/admin/directory/numbers/new", kind="section", section_id=str(section.id),
                     number="58 675 46 74", label="")
    assert response.status_code == 302
    entry = db.exec(select(DirectoryNumber)).one()
    assert (entry.number, entry.kind, entry.section_id) == ("+48586754674", NumberKind.SECTION, section.id)
    assert "58 675 46 74" in client.get("/directory").get_data(as_text=True)
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "directory.number_add")).one()
    assert event.actor_id == admin.id and "586754674" not in event.details  # ids and codes, not the number


def test_bad_numbers_and_dates_are_refused_at_their_fields_and_nothing_is_stored(
    client: FlaskClient, db: Session, admin: User
) -> None:
    """An invalid phone, an end before the start, a special number without a description: each named."""
    response = _post(client, "/admin/directory/numbers/new", kind="special", number="661 440 09",
                     valid_from="2020-06-08", valid_until="2020-03-16", label="")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nieprawidłowy numer telefonu." in body and 'value="661 440 09"' in body
    assert "Dzień wyłączenia numeru musi być późniejszy niż dzień, od którego działa." in body
    assert "Opisz, do czego służy numer specjalny" in body
    missing_section = _post(client, "/admin/directory/numbers/new", kind="section", number="58 675 46 74")
    assert "Wybierz sekcję, do której należy numer." in missing_section.get_data(as_text=True)
    assert db.exec(select(DirectoryNumber)).all() == []


def test_removing_a_section_takes_its_numbers_and_frees_its_staff(
    client: FlaskClient, db: Session, office: Office, admin: User
) -> None:
    """The section's numbers go (audited one by one); people placed in it stay, without a section."""
    section = make_section(db, office, "Kadry")
    db.add(DirectoryNumber(office_id=office.id or 0, kind=NumberKind.SECTION, section_id=section.id, number="+48586754681"))
    db.add(StaffPlacement(user_id=admin.id or 0, office_id=office.id or 0, section_id=section.id))
    db.commit()
    assert _post(client, f"/admin/directory/sections/{section.id}/remove").status_code == 302
    assert db.exec(select(Section)).all() == [] and db.exec(select(DirectoryNumber)).all() == []
    db.expire_all()
    assert db.get(StaffPlacement, admin.id).section_id is None  # type: ignore[union-attr]
    assert {"directory.number_remove", "section.delete"} <= set(db.exec(select(AuditEvent.action)).all())


def test_contact_details_are_checked_and_hours_are_tidied(client: FlaskClient, db: Session, office: Office, admin: User) -> None:
    """Hours typed "7.30 - 15.30" are kept as "7:30–15:30"; a bad short name and bad hours are named."""
    bad = _post(client, "/admin/directory/contact", slug="GOPS Puck!", hours_0="15:30-7:30", hours_1="rano")
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Krótka nazwa: 2–40 znaków" in body
    assert "Godzina zamknięcia musi być późniejsza niż otwarcia." in body and "Wpisz godziny jako od–do" in body
    assert db.get(OfficeContact, office.id) is None
    good = _post(client, "/admin/directory/contact", slug="gops-puck", hours_0="7.30 - 15.30", epuap_address="/gopspuck/SkrytkaESP",
                 applications_email="gops@puck.example")
    assert good.status_code == 302
    stored = db.get(OfficeContact, office.id)
    assert stored is not None and stored.slug == "gops-puck" and stored.hours.startswith('["7:30–15:30", ""')


def test_staff_choose_what_is_public_and_administrators_cannot_choose_for_them(
    client: FlaskClient, db: Session, office: Office, user_factory: Callable[..., User]
) -> None:
    """A worker publishes their number; the administrator corrects it, and publishing stays as the worker set it."""
    worker = user_factory(Role.WORKER, full_name="Tomasz Wójcik")
    admin = user_factory(Role.ADMIN)
    assert login(client, worker.username).status_code == 302
    assert _post(client, "/directory/me", phone="221002035", email="", phone_public="1").status_code == 302
    entry = db.get(StaffContact, worker.id)
    assert entry is not None and (entry.phone, entry.phone_public, entry.email_public) == ("+48221002035", True, False)
    needs_value = _post(client, "/directory/me", phone="221002035", email="", email_public="1")
    assert "Podaj adres, żeby pokazać go na stronie publicznej." in needs_value.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token(client, "/directory")})
    assert login(client, admin.username).status_code == 302
    assert _post(client, f"/admin/directory/staff/{worker.id}", phone="221002036", email="t.w@ops.example",
                 email_public="1").status_code == 302
    db.expire_all()
    entry = db.get(StaffContact, worker.id)
    assert entry is not None and (entry.phone, entry.phone_public, entry.email_public) == ("+48221002036", True, False)


def test_workers_cannot_edit_the_directory(client: FlaskClient, login_as: Callable[..., User]) -> None:
    """The directory is read by all staff and edited by administrators only."""
    login_as(Role.WORKER, Role.SUPERVISOR)
    assert client.get("/directory").status_code == 200
    assert client.get("/admin/directory").status_code == 403
    assert _post(client, "/admin/directory/sections/new", name="X").status_code == 403
