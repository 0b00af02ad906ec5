"""The public contact page: no login, no cookie, cacheable; the directory as of today (an expired special number
gone on its own date), the duty phone, how to apply, visiting rules, templates; Polish or English."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import time_machine
from flask.testing import FlaskClient
from sqlmodel import Session

from app.appointments.models import VisitRules
from app.auth.models import Office, Role, User
from app.clock import LOCAL_TZ
from app.directory.models import DirectoryNumber, NumberKind, OfficeContact
from app.staffing.models import DutySettings, DutySlot
from app.web.security import CSP
from tests.factories import make_office
from tests.office_fixtures import make_case


def _special(db: Session, office: Office) -> None:
    """Wschowa's case: a special number used from 16 March until it stops on 8 June 2020."""
    db.add(DirectoryNumber(office_id=office.id or 0, kind=NumberKind.SPECIAL, number="+48661440091",
                           label="specjalny numer w czasie epidemii", valid_from=date(2020, 3, 16), valid_until=date(2020, 6, 8)))
    db.commit()


def test_an_expired_special_number_disappears_on_its_date_and_the_page_says_since_when(
    anonymous: FlaskClient, db: Session, office: Office
) -> None:
    """7 June: listed to call (with the day it stops). 8 June just after midnight: no longer a number to call."""
    _special(db, office)
    with time_machine.travel(datetime(2020, 6, 7, 23, 55, tzinfo=LOCAL_TZ), tick=False):
        before = anonymous.get("/contact").get_data(as_text=True)
    assert 'href="tel:+48661440091"' in before and "od 8 czerwca 2020 przestaje działać" in before
    with time_machine.travel(datetime(2020, 6, 8, 0, 5, tzinfo=LOCAL_TZ), tick=False):
        after = anonymous.get("/contact")
    body = after.get_data(as_text=True)
    assert "tel:+48661440091" not in body
    assert "nieczynny od 8 czerwca 2020" in body and "<s" in body
    assert after.cache_control.max_age is not None and after.cache_control.max_age <= 300


def test_the_page_sets_no_cookie_keeps_the_strict_csp_and_is_cacheable(anonymous: FlaskClient, office: Office) -> None:
    """No Set-Cookie, no script, public caching with an ETag; a repeat with If-None-Match gets 304."""
    response = anonymous.get("/contact")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.cache_control.public and response.cache_control.max_age and response.headers.get("ETag")
    assert "<script" not in body and "csrf" not in body and "<form" not in body
    again = anonymous.get("/contact", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and "Set-Cookie" not in again.headers


def test_a_logged_in_colleague_gets_the_same_page_without_a_new_cookie(
    client: FlaskClient, login_as: Callable[..., User], office: Office
) -> None:
    """Staff reading the public page: the page does not depend on the session and does not touch the cookie."""
    login_as(Role.WORKER)
    response = client.get("/contact")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert "Wyloguj" not in response.get_data(as_text=True)


def test_the_page_tells_how_to_apply_and_visit_and_the_duty_hours(anonymous: FlaskClient, db: Session, office: Office) -> None:
    """Channels (post, e-mail, ePUAP, Emp@tia, drop box), the call-back rule, visits by arrangement, the duty phone."""
    db.add(OfficeContact(office_id=office.id or 0, slug="gops-puck", applications_email="gops@puck.example",
                         epuap_address="/gopspuck/SkrytkaESP",
                         hours='["7:30–15:30", "7:30–15:30", "7:30–15:30", "7:30–15:30", "7:30–15:30", "", ""]'))
    # The rules for entering are stated once, in the visit setup, and shown here and in visit confirmations.
    db.add(VisitRules(office_id=office.id or 0, entry_rules="Dezynfekcja rąk przy wejściu.\n\nMaseczka."))
    db.add(DutySettings(office_id=office.id or 0, number="+48662908348", note="Także w Święta Wielkanocne."))
    db.add(DutySlot(office_id=office.id or 0, worker_id=_someone(db, office).id or 0,
                    starts_at=datetime(2026, 3, 2, 15, 30, tzinfo=LOCAL_TZ), ends_at=datetime(2026, 3, 2, 19, 0, tzinfo=LOCAL_TZ)))
    db.commit()
    with time_machine.travel(datetime(2026, 3, 2, 16, 0, tzinfo=LOCAL_TZ), tick=False):
        body = anonymous.get("/contact/gops-puck").get_data(as_text=True)
    for text in ("Pocztą", "gops@puck.example", "/gopspuck/SkrytkaESP", "Emp@tię", "Do skrzynki na wnioski",
                 "Oddzwonimy do każdej osoby, która złoży wniosek.", "tylko po wcześniejszym umówieniu terminu",
                 "<li>Dezynfekcja rąk przy wejściu.</li>", "<li>Maseczka.</li>", 'href="tel:+48662908348"', "15:30–19:00", "dyżur trwa teraz",
                 "Poniedziałek: 7:30–15:30", "Także w Święta Wielkanocne."):
        assert text in body, text
    assert "Łucja" not in body  # the worker on duty is not named publicly


def _someone(db: Session, office: Office) -> User:
    from tests.factories import make_user

    user = make_user(db, office, Role.WORKER)
    db.commit()
    return user


def test_english_is_chosen_by_the_address_only(anonymous: FlaskClient, office: Office) -> None:
    """?lang=en: English page (lang="en") with office texts marked Polish; no cookie remembers it."""
    response = anonymous.get("/contact?lang=en")
    body = response.get_data(as_text=True)
    assert '<html lang="en">' in body and "How to apply" in body and "Set-Cookie" not in response.headers
    assert '<html lang="pl">' in anonymous.get("/contact").get_data(as_text=True)


def test_no_personal_data_of_clients_is_shown(anonymous: FlaskClient, db: Session, office: Office) -> None:
    """Cases of the office never reach the public page."""
    make_case(db, office, name="Halina Wróblewska")
    assert "Wróblewska" not in anonymous.get("/contact").get_data(as_text=True)


def test_several_offices_are_listed_and_each_has_its_page(anonymous: FlaskClient, db: Session, office: Office) -> None:
    """/contact lists the offices; one is reached by its short name, another by its id; unknown is 404."""
    other = make_office(db, "Ośrodek Pomocy Społecznej we Wschowie")
    db.add(OfficeContact(office_id=other.id or 0, slug="ops-wschowa"))
    db.commit()
    listing = anonymous.get("/contact").get_data(as_text=True)
    assert 'href="/contact/ops-wschowa"' in listing and f'href="/contact/{office.id}"' in listing
    assert "Wschowie" in anonymous.get("/contact/ops-wschowa").get_data(as_text=True)
    assert "Pucku" in anonymous.get(f"/contact/{office.id}").get_data(as_text=True)
    assert anonymous.get("/contact/nie-ma-takiego").status_code == 404
    assert anonymous.get("/contact/99999999999999").status_code == 404
