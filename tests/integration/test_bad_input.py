"""Bad input is refused out loud: over-long text, digits of other scripts and bad e-mail addresses.

Each case checks the Polish message, that the typed value stays on screen, and that nothing was trimmed or
stored in a different form than the one every other path (duplicates, search, export) reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlmodel import Session, select

from app.auth.models import Role, User
from app.cases.models import Case
from app.cli import main
from app.clock import local_today
from app.interviews.models import Answer, Interview
from tests.conftest import token
from tests.integration.interviews.conftest import make_case, save, start

PESEL = "41031412343"
FULL_WIDTH_PESEL = "４１０３１４１２３４３"
ARABIC_POSTCODE = "٨٤-١٢٠"
TOO_LONG = "Za długi tekst: najwyżej"


def _registration(client: FlaskClient, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "csrf_token": token(client, "/cases/new"),
        "applicant_name": "Krystyna Ćwiek",
        "pesel": "",
        "phone_1": "601 234 567",
        "channel": "post",
        "received_on": local_today().isoformat(),
        "requested": ["food"],
    }
    data.update(changes)
    return data


# --------------------------------------------------------------------------- over-long text


def test_over_long_interview_answer_is_refused_and_kept_whole(
    app: Flask, client: FlaskClient, db: Session, login_as: Callable[..., User], office  # type: ignore[no-untyped-def]
) -> None:
    """12,006 characters: no "Zapisano", the limit named, and all 12,006 kept as typed (never the first 10,000)."""
    worker = login_as(Role.WORKER)
    interview = start(app, db, worker, make_case(db, office, worker))
    typed = "Ż" * 12_006
    response = save(client, interview, "a_comments", typed)
    body = response.get_data(as_text=True)
    assert TOO_LONG in body and "10\u00a0000" in body and "12\u00a0006" in body
    assert 'data-state="saved"' not in body
    row = db.exec(select(Answer).where(Answer.interview_id == interview.id, Answer.key == "a_comments")).one()
    assert (len(row.raw), row.valid, row.value) == (12_006, False, None)
    page = client.get(f"/interviews/{interview.id}?section=segment_a").get_data(as_text=True)
    assert typed in page and 'maxlength="10000"' in page


def test_over_long_notes_are_refused_whole_and_stay_on_screen(
    app: Flask, client: FlaskClient, db: Session, login_as: Callable[..., User], office  # type: ignore[no-untyped-def]
) -> None:
    """Notes over 20,000 characters: 422 with the message, nothing stored; the no-JS post shows them back."""
    worker = login_as(Role.WORKER)
    interview = start(app, db, worker, make_case(db, office, worker))
    typed = "notatka " * 2_501  # 20,008 characters
    page_token = token(client, f"/interviews/{interview.id}")
    response = client.post(f"/interviews/{interview.id}/notes", data={"_notes": typed},
                           headers={"HX-Request": "true", "X-CSRFToken": page_token})
    assert response.status_code == 422 and TOO_LONG in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Interview, interview.id).notes == ""  # type: ignore[union-attr]

    posted = client.post(f"/interviews/{interview.id}/sections/safety",
                         data={"csrf_token": page_token, "_seen": ["safe_to_talk"], "safe_to_talk": "yes",
                               "_notes": typed, "_go": "next"})
    html = posted.get_data(as_text=True)
    assert posted.status_code == 422 and TOO_LONG in html and typed.strip() in html
    db.expire_all()
    stored = db.get(Interview, interview.id)
    assert stored is not None and stored.notes == ""
    answer = db.exec(select(Answer).where(Answer.interview_id == interview.id, Answer.key == "safe_to_talk")).one()
    assert answer.raw == "yes"  # the answers of the section were saved; only the notes wait


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("applicant_name", "Ł" * 201, "Imię i nazwisko może mieć najwyżej 200 znaków."),
        ("address", "ul. " + "Długa " * 60, "Adres może mieć najwyżej 300 znaków."),
        ("request_note", "x" * 2001, "Opis może mieć najwyżej 2000 znaków."),
    ],
)
def test_over_long_registration_field_is_refused_and_kept(
    client: FlaskClient, login_as: Callable[..., User], db: Session, field: str, value: str, message: str
) -> None:
    """Registration refuses an over-long field with its limit; the value comes back whole; no case is stored."""
    login_as(Role.WORKER)
    response = client.post("/cases/new", data=_registration(client, **{field: value}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert value.strip() in html
    assert db.exec(select(Case)).first() is None


def test_registration_fields_declare_their_limits(client: FlaskClient, login_as: Callable[..., User]) -> None:
    """Every text field of the form says its limit (maxlength), long ones also in words."""
    login_as(Role.WORKER)
    html = client.get("/cases/new").get_data(as_text=True)
    for name, limit in (("applicant_name", 200), ("phone_1", 30), ("email", 254), ("address", 300),
                        ("channel_detail", 200), ("request_note", 2000)):
        assert f'name="{name}"' in html
        tag = html.split(f'name="{name}"', 1)[1].split(">", 1)[0]
        assert f'maxlength="{limit}"' in tag, name
    assert "Najwyżej 2\u00a0000 znaków." in html


def test_search_text_over_the_limit_is_refused_not_cut(client: FlaskClient, login_as: Callable[..., User]) -> None:
    """A search longer than 100 characters says so instead of searching for its first 100."""
    login_as(Role.WORKER)
    typed = "Kowalska " * 12
    html = client.get("/cases", query_string={"q": typed}).get_data(as_text=True)
    assert TOO_LONG in html and "najwyżej 100 znaków" in html
    assert typed.strip() in html


# --------------------------------------------------------------------------- digits of other scripts


def test_full_width_pesel_is_one_pesel_everywhere(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], db: Session, runner: FlaskCliRunner
) -> None:
    """Registered with full-width digits: stored in ASCII, found by the duplicate check, search and GDPR export."""
    login_as(Role.WORKER)
    assert client.post("/cases/new", data=_registration(client, pesel=PESEL)).status_code == 302
    first = db.exec(select(Case)).one()

    duplicate = client.post("/cases/new", data=_registration(client, pesel=FULL_WIDTH_PESEL, phone_1="602 000 111"))
    html = duplicate.get_data(as_text=True)
    assert duplicate.status_code == 422 and first.reference in html  # shown as a possible duplicate
    confirmed = client.post("/cases/new", data=_registration(client, pesel=FULL_WIDTH_PESEL, phone_1="602 000 111",
                                                             confirm_duplicates="1"))
    assert confirmed.status_code == 302
    assert sorted(c.pesel or "" for c in db.exec(select(Case)).all()) == [PESEL, PESEL]

    found = client.get("/cases", query_string={"q": FULL_WIDTH_PESEL[:6]}).get_data(as_text=True)
    assert "Znalezione sprawy: 2" in found

    out = app.instance_path + "/export.json"
    result = runner.invoke(main, args=["privacy", "export", "--pesel", FULL_WIDTH_PESEL, "--out", out])
    assert result.exit_code == 0, result.output
    with open(out, encoding="utf-8") as handle:
        exported = json.load(handle)
    assert len(exported["cases"]) == 2


@pytest.mark.parametrize(("field", "value"), [("pesel", "٤١٠٣١٤١٢٣٤٣"), ("phone_1", "٦٠١ ٢٣٤ ٥٦٧"),
                                              ("received_on", "٢٠٢٦-٠١-٠٥")])
def test_registration_refuses_digits_of_another_script(
    client: FlaskClient, login_as: Callable[..., User], db: Session, field: str, value: str
) -> None:
    """Arabic-Indic digits are not read as numbers: a message at the field, the value kept, nothing stored."""
    login_as(Role.WORKER)
    response = client.post("/cases/new", data=_registration(client, **{field: value}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "zwykłymi cyframi 0–9" in html and value in html
    assert db.exec(select(Case)).first() is None


def test_interview_postcode_in_arabic_indic_digits_is_invalid(
    app: Flask, client: FlaskClient, db: Session, login_as: Callable[..., User], office  # type: ignore[no-untyped-def]
) -> None:
    """The form engine reads digits the same way: the postcode is kept as typed, invalid, with the message."""
    worker = login_as(Role.WORKER)
    interview = start(app, db, worker, make_case(db, office, worker))
    body = save(client, interview, "postcode", ARABIC_POSTCODE).get_data(as_text=True)
    assert "zwykłymi cyframi 0–9" in body
    row = db.exec(select(Answer).where(Answer.interview_id == interview.id, Answer.key == "postcode")).one()
    assert (row.raw, row.valid, row.value) == (ARABIC_POSTCODE, False, None)
    save(client, interview, "postcode", "８４－１２０")  # full-width digits and dash: converted
    db.expire_all()
    row = db.exec(select(Answer).where(Answer.interview_id == interview.id, Answer.key == "postcode")).one()
    assert (row.valid, json.loads(row.value or "null")) == (True, "84-120")


def test_search_with_digits_of_another_script_says_so(client: FlaskClient, login_as: Callable[..., User]) -> None:
    """The search box refuses what registration refuses, with the same message."""
    login_as(Role.WORKER)
    html = client.get("/cases", query_string={"q": "٤١٠٣١٤"}).get_data(as_text=True)
    assert "zwykłymi cyframi 0–9" in html and "Znalezione sprawy: 0" in html


# --------------------------------------------------------------------------- e-mail addresses


@pytest.mark.parametrize("address", ["<script>@x.pl", "jan@kowalski", "jan kowalski@example.pl", "a@@example.pl"])
def test_bad_email_is_refused_at_registration(
    client: FlaskClient, login_as: Callable[..., User], db: Session, address: str
) -> None:
    """email-validator (syntax, no DNS): a bad address gets the message, stays in the field, nothing is stored."""
    login_as(Role.WORKER)
    response = client.post("/cases/new", data=_registration(client, email=address))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Nieprawidłowy adres e-mail" in html
    assert db.exec(select(Case)).first() is None


def test_bad_email_is_refused_for_an_account(client: FlaskClient, login_as: Callable[..., User], db: Session) -> None:
    """The same check for staff accounts."""
    login_as(Role.ADMIN)
    response = client.post("/admin/users/new", data={
        "csrf_token": token(client, "/admin/users/new"), "full_name": "Jan Nowak", "username": "jnowak",
        "email": "<script>@x.pl", "roles": ["worker"], "password": "Długie-Hasło-Nowaka-7",
    })
    assert response.status_code == 422 and "Nieprawidłowy adres e-mail" in response.get_data(as_text=True)
    assert db.exec(select(User).where(User.username == "jnowak")).first() is None


def test_good_email_is_stored_with_its_domain_normalised(
    client: FlaskClient, login_as: Callable[..., User], db: Session
) -> None:
    """A valid address is kept; only the domain's letter case is normalised (as e-mail treats it)."""
    login_as(Role.WORKER)
    client.post("/cases/new", data=_registration(client, email="Krystyna.Cwiek@Poczta.PL"))
    assert db.exec(select(Case)).one().email == "Krystyna.Cwiek@poczta.pl"
