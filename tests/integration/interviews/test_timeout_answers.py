"""Answers typed after the session timed out: every one kept, in order, with its base revision, until stored."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.auth.models import ResumeDraft, Role, User
from app.interviews.models import Answer, Interview
from tests.conftest import csrf_from, login, token
from tests.factories import PASSWORD
from tests.integration.interviews.conftest import save
from tests.integration.test_session_timeout import age_session

SECTION_A = "segment_a"


def _expire(client: FlaskClient, db: Session) -> None:
    age_session(client, db, 45)


def _post(client: FlaskClient, interview: Interview, page_token: str, key: str, value: str, **extra: str):  # type: ignore[no-untyped-def]
    """An autosave from the page that was open before the time-out (its token, its screen id)."""
    data = {"key": key, key: value, "client_id": "phone-tab", **extra}
    return client.post(
        f"/interviews/{interview.id}/answers", data=data,
        headers={"HX-Request": "true", "X-CSRFToken": page_token,
                 "Referer": f"http://localhost/interviews/{interview.id}?section={SECTION_A}"},
    )


def _save_elsewhere(other: FlaskClient, interview: Interview, key: str, value: str, **extra: str) -> None:
    """A save from a device that never opened the interview page here (token from the account page)."""
    response = other.post(
        f"/interviews/{interview.id}/answers", data={"key": key, key: value, **extra},
        headers={"HX-Request": "true", "X-CSRFToken": token(other)},
    )
    assert response.status_code == 200


def _answers(db: Session, interview: Interview) -> dict[str, str]:
    db.expire_all()
    rows = db.exec(select(Answer).where(Answer.interview_id == interview.id)).all()
    return {row.key: row.raw for row in rows}


def _draft(db: Session, user: User) -> ResumeDraft | None:
    db.expire_all()
    return db.exec(select(ResumeDraft).where(ResumeDraft.user_id == user.id)).first()


def _type_three_after_timeout(client: FlaskClient, db: Session, interview: Interview) -> None:
    """City was stored once (revision 1); then the session expires and three answers are typed."""
    save(client, interview, "city", "Puck", client_id="phone-tab")
    page_token = csrf_from(client.get(f"/interviews/{interview.id}?section={SECTION_A}").get_data(as_text=True))
    _expire(client, db)
    for key, value, extra in (
        ("full_name", "Bożena Świętochowska", {}),
        ("city", "Władysławow", {"_rev:city": "1"}),
        ("postcode", "84-120", {}),
        ("city", "Władysławowo", {"_rev:city": "1"}),  # typed on: the same field again
    ):
        response = _post(client, interview, page_token, key, value, **extra)
        assert response.status_code == 401
        assert json.loads(response.headers["HX-Trigger"])["tw:session-expired"]["kept"] is True


def test_every_answer_typed_after_timeout_is_kept_in_order_with_its_revision(
    client: FlaskClient, db: Session, interview: Interview, worker: User
) -> None:
    """Not only the first post: all three fields are kept, in typing order, city with the revision it was based on."""
    _type_three_after_timeout(client, db, interview)
    draft = _draft(db, worker)
    assert draft is not None and draft.object_type == "interview" and draft.object_id == interview.id
    entries = json.loads(draft.form_json)["entries"]
    assert [(e["key"], e["values"], e["rev"], e["client"]) for e in entries] == [
        ("full_name", ["Bożena Świętochowska"], None, "phone-tab"),
        ("city", ["Władysławowo"], 1, "phone-tab"),
        ("postcode", ["84-120"], None, "phone-tab"),
    ]
    assert _answers(db, interview) == {**_answers(db, interview), "city": "Puck"}


def test_logging_in_again_in_the_same_tab_stores_every_value_on_the_interview(
    client: FlaskClient, db: Session, interview: Interview, worker: User
) -> None:
    """The login link leads straight back to the interview, which stores the kept answers and says so."""
    _type_three_after_timeout(client, db, interview)
    back = f"/interviews/{interview.id}?section={SECTION_A}"
    response = login(client, worker.username, next_url=back)
    assert response.headers["Location"] == back
    page = client.get(back).get_data(as_text=True)
    assert "Zapisano 3 odpowiedzi wpisane po wygaśnięciu sesji." in page
    assert 'value="Władysławowo"' in page and 'value="84-120"' in page
    stored = _answers(db, interview)
    assert (stored["full_name"], stored["city"], stored["postcode"]) == ("Bożena Świętochowska", "Władysławowo", "84-120")
    assert _draft(db, worker) is None


def test_resume_page_speaks_the_workers_language_and_sends_back_to_the_interview(
    client: FlaskClient, db: Session, interview: Interview, worker: User
) -> None:
    """Logged in from elsewhere: the resume page names the case, section and questions, shows the values (no
    technical fields), and its one button stores them and opens the interview (a page, not a fragment)."""
    _type_three_after_timeout(client, db, interview)
    response = login(client, worker.username)
    assert response.headers["Location"].startswith("/resume")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    reference = interview_reference(db, interview)
    assert f"sprawa {reference}" in page
    assert "A. Dane osoby i rodziny" in page and "Miejscowość" in page and "Kod pocztowy" in page
    assert "Władysławowo" in page and "Bożena Świętochowska" in page
    for technical in ("_rev", "client_id", "phone-tab", ">key<", ">city<"):
        assert technical not in page
    assert f'action="/interviews/{interview.id}/pending"' in page

    sent = client.post(f"/interviews/{interview.id}/pending", data={"csrf_token": token(client)})
    assert sent.status_code == 302 and sent.headers["Location"].startswith(f"/interviews/{interview.id}?section=")
    shown = client.get(sent.headers["Location"])
    assert shown.status_code == 200 and "<html" in shown.get_data(as_text=True)
    assert _answers(db, interview)["city"] == "Władysławowo"
    assert _draft(db, worker) is None


def interview_reference(db: Session, interview: Interview) -> str:
    """The case reference of the interview."""
    from app.cases.models import Case

    case = db.get(Case, interview.case_id)
    assert case is not None
    return case.reference


def test_newer_answer_from_elsewhere_is_never_silently_overwritten(
    app: Flask, client: FlaskClient, db: Session, interview: Interview, worker: User,
    user_factory,  # type: ignore[no-untyped-def]
) -> None:
    """A supervisor changed the city meanwhile: it stays, both versions are offered, and the worker chooses."""
    save(client, interview, "city", "Puck", client_id="phone-tab")
    page_token = csrf_from(client.get(f"/interviews/{interview.id}?section={SECTION_A}").get_data(as_text=True))
    _expire(client, db)
    _post(client, interview, page_token, "city", "Jastarnia", **{"_rev:city": "1"})
    _post(client, interview, page_token, "postcode", "84-140")
    supervisor = user_factory(Role.SUPERVISOR, username="kierowniczka", full_name="Kierowniczka Anna Zięba")
    laptop = app.test_client()
    login(laptop, supervisor.username)
    _save_elsewhere(laptop, interview, "city", "Hel", client_id="laptop", **{"_rev:city": "1"})

    login(client, worker.username)
    page = client.get(f"/interviews/{interview.id}?section={SECTION_A}").get_data(as_text=True)
    assert _answers(db, interview)["city"] == "Hel" and _answers(db, interview)["postcode"] == "84-140"
    assert "Odpowiedzi wpisane po wygaśnięciu sesji" in page
    assert "Jastarnia" in page and "Kierowniczka Anna Zięba" in page and "Zapisz moją wersję" in page

    form_token = csrf_from(page)
    chosen = client.post(f"/interviews/{interview.id}/pending",
                         data={"csrf_token": form_token, "key": "city", "choice": "mine"})
    assert chosen.status_code == 302
    assert _answers(db, interview)["city"] == "Jastarnia"
    assert _draft(db, worker) is None


def test_keeping_the_current_answer_drops_only_that_kept_value(
    app: Flask, client: FlaskClient, db: Session, interview: Interview, worker: User
) -> None:
    """'Zostaw obecną' gives up the kept value; the newer answer stays."""
    save(client, interview, "city", "Puck", client_id="phone-tab")
    page_token = csrf_from(client.get(f"/interviews/{interview.id}?section={SECTION_A}").get_data(as_text=True))
    _expire(client, db)
    _post(client, interview, page_token, "city", "Jastarnia", **{"_rev:city": "1"})
    laptop = app.test_client()
    login(laptop, worker.username)
    _save_elsewhere(laptop, interview, "city", "Hel", client_id="laptop", **{"_rev:city": "1"})
    assert _draft(db, worker) is not None  # the laptop's save stored its own value, not the kept one

    login(client, worker.username)
    form_token = token(client, f"/interviews/{interview.id}")
    client.post(f"/interviews/{interview.id}/pending", data={"csrf_token": form_token, "key": "city", "choice": "drop"})
    assert _answers(db, interview)["city"] == "Hel"
    assert _draft(db, worker) is None


def test_a_kept_value_leaves_the_draft_only_when_it_is_stored(
    app: Flask, client: FlaskClient, db: Session, interview: Interview, worker: User
) -> None:
    """Another answer saved normally does not remove the draft; the old tab's retry of its own value does."""
    _type_three_after_timeout(client, db, interview)
    login(client, worker.username)  # lands on the resume page; the interview is not opened
    _save_elsewhere(client, interview, "safe_to_talk", "yes", client_id="laptop")
    entries = json.loads(_draft(db, worker).form_json)["entries"]  # type: ignore[union-attr]
    assert [e["key"] for e in entries] == ["full_name", "city", "postcode"]

    # The phone tab, logged in again, retries its city with the revision it was based on.
    _save_elsewhere(client, interview, "city", "Władysławowo", client_id="phone-tab", **{"_rev:city": "1"})
    entries = json.loads(_draft(db, worker).form_json)["entries"]  # type: ignore[union-attr]
    assert [e["key"] for e in entries] == ["full_name", "postcode"]


def test_section_post_after_timeout_keeps_the_changed_fields(
    client: FlaskClient, db: Session, interview: Interview, worker: User
) -> None:
    """Without JavaScript the whole section is posted: what the worker changed is kept, the rest is not."""
    save(client, interview, "full_name", "Jan Żółć", client_id="x")
    page = client.get(f"/interviews/{interview.id}?section={SECTION_A}").get_data(as_text=True)
    _expire(client, db)
    response = client.post(
        f"/interviews/{interview.id}/sections/{SECTION_A}",
        data={"csrf_token": csrf_from(page), "_seen": ["full_name", "city", "postcode"], "full_name": "Jan Żółć",
              "_rev:full_name": "1", "city": "Reda", "postcode": "", "_notes": "dzwoni sąsiad", "_go": "next"},
    )
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    entries = json.loads(_draft(db, worker).form_json)["entries"]  # type: ignore[union-attr]
    assert [(e["key"], e["values"]) for e in entries] == [("city", ["Reda"]), ("_notes", ["dzwoni sąsiad"])]
    login(client, worker.username)
    client.get(f"/interviews/{interview.id}?section={SECTION_A}")
    db.expire_all()
    assert _answers(db, interview)["city"] == "Reda"
    stored = db.get(Interview, interview.id)
    assert stored is not None and stored.notes == "dzwoni sąsiad"


def test_autosave_after_logout_elsewhere_does_not_take_the_page_away(
    client: FlaskClient, db: Session, interview: Interview
) -> None:
    """With no session at all, an autosave is told to log in again (event) instead of redirecting the page."""
    page_token = token(client, f"/interviews/{interview.id}")
    client.delete_cookie("tw_session")
    response = _post(client, interview, page_token, "city", "Gdańsk")
    assert response.status_code == 400  # the token belonged to the ended session: refreshed after login
    assert "HX-Redirect" not in response.headers
    assert json.loads(response.headers["HX-Trigger"])["tw:session-expired"]["kept"] is False


def test_login_form_open_in_another_tab_survives_the_old_tabs_retries(
    app: Flask, client: FlaskClient, db: Session, interview: Interview, worker: User
) -> None:
    """The old tab keeps retrying while the login form is open in a new tab: that form's token stays valid."""
    page_token = token(client, f"/interviews/{interview.id}")
    _expire(client, db)
    _post(client, interview, page_token, "city", "Hel")
    login_token = csrf_from(client.get("/login").get_data(as_text=True))
    _post(client, interview, page_token, "city", "Hel Bór")  # a retry from the old tab meanwhile
    response = client.post("/login", data={"username": worker.username, "password": PASSWORD,
                                           "csrf_token": login_token})
    assert response.status_code == 302


def test_kept_answers_of_an_interview_finished_meanwhile_wait_and_say_why(
    app: Flask, client: FlaskClient, db: Session, interview: Interview, worker: User
) -> None:
    """A finished interview stores nothing: the kept value is shown with the reason and can be given up."""
    page_token = token(client, f"/interviews/{interview.id}")
    _expire(client, db)
    _post(client, interview, page_token, "city", "Krynica Morska")
    row = db.get(Interview, interview.id)
    assert row is not None
    row.state = "finished"
    db.add(row)
    db.commit()
    login(client, worker.username)
    page = client.get(f"/interviews/{interview.id}?section={SECTION_A}").get_data(as_text=True)
    assert "Krynica Morska" in page and "tylko do odczytu" in page and "Zapisz moją wersję" not in page
    assert "city" not in _answers(db, interview)
    client.post(f"/interviews/{interview.id}/pending",
                data={"csrf_token": csrf_from(page), "key": "city", "choice": "drop"})
    assert _draft(db, worker) is None
