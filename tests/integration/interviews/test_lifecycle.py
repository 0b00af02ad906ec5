"""Starting, the plain-form path, completion, read-only, reopening, access and version pinning."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app import create_app
from app.audit.models import AuditEvent
from app.auth.models import Office, Role, User
from app.auth.services import load_principal
from app.config import Settings
from app.formdefs import FormDefinitionError
from app.interviews import answers as iv_answers
from app.interviews import start as iv_start
from app.interviews.demo import FINISHED_ANSWERS
from app.interviews.models import Answer, Interview, InterviewState
from tests.conftest import login, token
from tests.factories import make_office, make_user
from tests.integration.interviews.conftest import make_case, save, start


def _fill(client: FlaskClient, interview: Interview, answers: dict[str, object]) -> None:
    for key, value in answers.items():
        response = save(client, interview, key, value)  # type: ignore[arg-type]
        assert response.status_code == 200, (key, response.get_data(as_text=True))


def _finish(client: FlaskClient, interview: Interview, **data: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/interviews/{interview.id}/finish", data={"csrf_token": token(client, f"/interviews/{interview.id}"), **data}
    )


def test_start_endpoint_creates_rws_and_redirects_to_runner(client: FlaskClient, db: Session, worker: User, case) -> None:  # type: ignore[no-untyped-def]
    """POST /cases/<id>/interviews starts the RWS pinned to its version; a second tap resumes the same one."""
    response = client.post(f"/cases/{case.id}/interviews", data={"csrf_token": token(client)})
    assert response.status_code == 302
    interview = db.exec(select(Interview).where(Interview.case_id == case.id)).one()
    assert response.headers["Location"] == f"/interviews/{interview.id}"
    assert (interview.form_id, interview.form_version, interview.worker_id) == ("rws", 1, worker.id)
    again = client.post(f"/cases/{case.id}/interviews", data={"csrf_token": token(client)})
    assert again.headers["Location"] == f"/interviews/{interview.id}"
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Dane rozmowy" in page and "call-timer" in page and "Notatki z rozmowy" in page


def test_plain_form_post_saves_section_and_goes_to_next(client: FlaskClient, db: Session, interview: Interview) -> None:
    """Without JavaScript a section posts as a form: every field saved, then the next section."""
    response = client.post(
        f"/interviews/{interview.id}/sections/metadata",
        data={
            "csrf_token": token(client, f"/interviews/{interview.id}"),
            "_seen": ["mode", "answered_by", "identity_confirmation", "number_called"],
            "mode": "phone_15o",
            "answered_by": "person",
            "identity_confirmation": ["pesel_dob", "known_contact"],
            "number_called": "601 234 567",
            "_notes": "Rozmowa z panią Jadwigą.",
            "_go": "next",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/interviews/{interview.id}?section=safety"
    db.expire_all()
    rows = {a.key: a for a in db.exec(select(Answer).where(Answer.interview_id == interview.id))}
    assert rows["number_called"].value == '"+48601234567"'
    assert rows["identity_confirmation"].value == '["pesel_dob", "known_contact"]'
    assert db.get(Interview, interview.id).notes == "Rozmowa z panią Jadwigą."  # type: ignore[union-attr]


def test_plain_form_post_with_invalid_value_stays_on_section(client: FlaskClient, interview: Interview) -> None:
    """An invalid value sent without JavaScript is kept and the same section is shown again, at the field."""
    response = client.post(
        f"/interviews/{interview.id}/sections/metadata",
        data={"csrf_token": token(client, f"/interviews/{interview.id}"), "_seen": ["number_called"], "number_called": "123"},
    )
    assert response.headers["Location"] == f"/interviews/{interview.id}?section=metadata#q-number_called"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="123"' in page and "Nieprawidłowy numer telefonu." in page


def test_household_members_are_added_and_removed(client: FlaskClient, db: Session, interview: Interview) -> None:
    """Adding two members and removing the first moves the second up; the count is stored under the group id."""
    url = f"/interviews/{interview.id}/sections/segment_a"
    _fill(client, interview, {"safe_to_talk": "yes"})
    client.post(url, data={"csrf_token": token(client), "_action": "add:household"})
    client.post(
        url,
        data={"csrf_token": token(client), "_seen": ["household.0.member_name"], "household.0.member_name": "Łucja", "_action": "add:household"},
    )
    client.post(
        url,
        data={"csrf_token": token(client), "_seen": ["household.1.member_name"], "household.1.member_name": "Ździsław"},
    )
    client.post(url, data={"csrf_token": token(client), "_action": "remove:household:0"})
    answers = iv_answers.load_answers(db, interview.id)  # type: ignore[arg-type]
    assert answers["household"] == 1
    assert answers["household.0.member_name"] == "Ździsław"
    assert "household.1.member_name" not in answers


def test_household_buttons_with_htmx_get_only_the_household_list(client: FlaskClient, interview: Interview) -> None:
    """One partial per response: add/remove by htmx answers with the household list alone (no hx-select)."""
    url = f"/interviews/{interview.id}/sections/segment_a"
    _fill(client, interview, {"safe_to_talk": "yes"})
    response = client.post(url, data={"csrf_token": token(client), "_action": "add:household"},
                           headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<section class="q q-group" id="q-household"')
    assert "<html" not in body and 'id="section-form"' not in body and "hx-select" not in body
    assert 'name="household.0.member_name"' in body


def test_finish_lists_missing_items_with_links(client: FlaskClient, interview: Interview) -> None:
    """Finishing too early lists each missing required answer and mandatory segment, linked to its question."""
    _fill(client, interview, {"safe_to_talk": "yes"})
    response = _finish(client, interview)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'href="/interviews/{interview.id}?section=segment_a#q-full_name"' in body
    assert "H. Potrzeby" in body and "(część obowiązkowa)" in body and "Segment" not in body
    assert body.count('#q-full_name"') == 1


def test_finish_lists_each_gap_once(client: FlaskClient, interview: Interview) -> None:
    """An empty mandatory part shows its missing questions, not also a second "part has no answers" line."""
    _fill(client, interview, {"safe_to_talk": "yes"})
    body = _finish(client, interview).get_data(as_text=True)
    section_a = body.split("A. Dane osoby i rodziny")[1].split("<h3")[0]
    assert "Brak wymaganej odpowiedzi" in section_a
    assert "nie ma żadnej odpowiedzi" not in section_a


def test_finished_interview_is_read_only_until_reopened(
    client: FlaskClient, db: Session, interview: Interview, worker: User
) -> None:
    """A complete interview finishes; saves are then refused with 409; reopening is audited and allows saving."""
    _fill(client, interview, FINISHED_ANSWERS)
    warned = _finish(client, interview)
    assert warned.status_code == 200 and "Zakończ mimo braków zalecanych" in warned.get_data(as_text=True)
    finished = _finish(client, interview, accept_warnings="1")
    assert finished.headers["Location"] == f"/interviews/{interview.id}/summary"
    db.expire_all()
    assert db.get(Interview, interview.id).state == InterviewState.FINISHED  # type: ignore[union-attr]
    summary = client.get(finished.headers["Location"]).get_data(as_text=True)
    assert "Grażyna Wójcik-Żelazna" in summary and "Ubóstwo" in summary

    refused = save(client, interview, "city", "Radom")
    assert refused.status_code == 409 and "tylko do odczytu" in refused.get_data(as_text=True)
    page = client.get(f"/interviews/{interview.id}?section=segment_a").get_data(as_text=True)
    assert "disabled" in page and "hx-post" not in page.split('id="section-form"')[1]

    reopened = client.post(f"/interviews/{interview.id}/reopen", data={"csrf_token": token(client)})
    assert reopened.status_code == 302
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "interview.reopen")).one()
    assert (event.actor_id, event.object_id) == (worker.id, str(interview.id))
    assert save(client, interview, "city", "Radom").status_code == 200


def test_hidden_answers_are_kept_but_not_in_summary(client: FlaskClient, db: Session, interview: Interview) -> None:
    """An answer hidden by skip logic stays stored but the summary leaves it out."""
    _fill(client, interview, {"safe_to_talk": "yes", "identity_confirmation": ["other"], "identity_other": "Znał numer sprawy"})
    _fill(client, interview, {"identity_confirmation": ["pesel_dob"]})
    assert iv_answers.load_answers(db, interview.id)["identity_other"] == "Znał numer sprawy"  # type: ignore[arg-type]
    assert "Znał numer sprawy" not in client.get(f"/interviews/{interview.id}/summary").get_data(as_text=True)


def test_update_starts_prefilled_from_last_finished_interview(
    app: Flask, client: FlaskClient, db: Session, interview: Interview, worker: User, case  # type: ignore[no-untyped-def]
) -> None:
    """After a finished RWS the next start is the update, pre-filled except per-call questions."""
    _fill(client, interview, FINISHED_ANSWERS)
    _finish(client, interview, accept_warnings="1")
    db.refresh(case)  # the corrected name flowed back to the case in the request's session
    assert case.applicant_name == "Grażyna Wójcik-Żelazna"
    update = start(app, db, worker, case)
    assert update.form_id == "rws-update" and update.previous_interview_id == interview.id
    answers = iv_answers.load_answers(db, update.id)  # type: ignore[arg-type]
    assert answers["full_name"] == "Grażyna Wójcik-Żelazna"
    assert "safe_to_talk" not in answers and "instruction_acknowledged" not in answers


@pytest.fixture
def stranger_client(app: Flask, db: Session, office: Office) -> Callable[..., FlaskClient]:
    """A second browser logged in as a new user (same office unless given)."""

    def make(*roles: Role, office_: Office | None = None) -> FlaskClient:
        user = make_user(db, office_ or office, *roles)
        db.commit()
        other = app.test_client()
        login(other, user.username)
        return other

    return make


def test_access_rules(stranger_client: Callable[..., FlaskClient], db: Session, interview: Interview) -> None:
    """Another worker and another office get 404, a psychologist 403, the office's supervisor reaches it."""
    url = f"/interviews/{interview.id}"
    assert stranger_client(Role.WORKER).get(url).status_code == 404
    other_office = make_office(db)
    db.commit()
    assert stranger_client(Role.SUPERVISOR, office_=other_office).get(url).status_code == 404
    assert stranger_client(Role.PSYCHOLOGIST).get(url).status_code == 403
    assert stranger_client(Role.ADMIN).get(url).status_code == 403
    assert stranger_client(Role.SUPERVISOR).get(url).status_code == 200


def test_worker_cannot_start_on_a_colleagues_case(
    client: FlaskClient, db: Session, office: Office, worker: User
) -> None:
    """A case assigned to someone else is 404 for the start endpoint."""
    colleague = make_user(db, office, Role.WORKER)
    db.commit()
    case = make_case(db, office, colleague)
    assert client.post(f"/cases/{case.id}/interviews", data={"csrf_token": token(client)}).status_code == 404


FORMS = Path(__file__).resolve().parents[3] / "forms"


def test_publishing_v2_does_not_change_an_interview_started_on_v1(
    settings: Settings, db: Session, office: Office, tmp_path: Path, app: Flask
) -> None:
    """An interview pins rws v1; after v2 is published (new file, restart) it still reads v1 and new ones get v2."""
    forms_dir = tmp_path / "forms"
    shutil.copytree(FORMS, forms_dir)
    v1_settings = settings.model_copy(update={"forms_dir": forms_dir})
    worker = make_user(db, office, Role.WORKER)
    db.commit()
    first_app = create_app(v1_settings)
    with first_app.app_context():
        principal = load_principal(db, worker.id)  # type: ignore[arg-type]
        old = iv_start.start_interview(db, actor=principal, case=make_case(db, office, worker))  # type: ignore[arg-type]
        db.commit()
    v2 = (forms_dir / "rws" / "v1.yaml").read_text(encoding="utf-8")
    v2 = v2.replace("version: 1\n", "version: 2\n", 1).replace("Kod pocztowy", "Kod pocztowy (nowe brzmienie)")
    (forms_dir / "rws" / "v2.yaml").write_text(v2, encoding="utf-8")
    second_app = create_app(v1_settings)
    with second_app.app_context():
        principal = load_principal(db, worker.id)  # type: ignore[arg-type]
        new = iv_start.start_interview(db, actor=principal, case=make_case(db, office, worker))  # type: ignore[arg-type]
        db.commit()
        assert (new.form_id, new.form_version) == ("rws", 2)
        assert (old.form_id, old.form_version) == ("rws", 1)
        assert iv_answers.form_of(old).question("postcode").label.pl == "Kod pocztowy"
        assert iv_answers.form_of(new).question("postcode").label.pl == "Kod pocztowy (nowe brzmienie)"


def test_broken_form_definition_stops_start_up(settings: Settings, tmp_path: Path) -> None:
    """A definition with a problem refuses to start the app and names the file, item and problem."""
    forms_dir = tmp_path / "forms"
    shutil.copytree(FORMS, forms_dir)
    path = forms_dir / "rws" / "v1.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('relevant: "mode = \'onsite\'"', 'relevant: "mode = = 1"'), encoding="utf-8")
    with pytest.raises(FormDefinitionError) as caught:
        create_app(settings.model_copy(update={"forms_dir": forms_dir}))
    assert "rws/v1.yaml" in str(caught.value) and "legal_basis_onsite" in str(caught.value)


def test_interview_resumes_where_it_was_left_from_another_device(
    app: Flask, client: FlaskClient, interview: Interview, worker: User
) -> None:
    """After answering in segment A on the phone, the laptop opens the interview at segment A."""
    save(client, interview, "safe_to_talk", "yes")
    client.get(f"/interviews/{interview.id}?section=segment_a")
    save(client, interview, "city", "Kraków")
    laptop = app.test_client()
    login(laptop, worker.username)
    page = laptop.get(f"/interviews/{interview.id}").get_data(as_text=True)
    assert "A. Dane osoby i rodziny</h1>" in page and 'value="Kraków"' in page


def test_case_partial_lists_interviews_and_offers_start(
    app: Flask, client: FlaskClient, db: Session, interview: Interview, case, worker: User  # type: ignore[no-untyped-def]
) -> None:
    """The case page partial shows the interview in progress; a case without one offers the start button."""
    from flask import render_template

    client.get("/today")
    with app.test_request_context("/cases/1"):
        from flask_login import login_user

        principal = load_principal(db, worker.id)  # type: ignore[arg-type]
        login_user(principal)  # type: ignore[arg-type]
        from app.web import parts

        def cards(of):  # type: ignore[no-untyped-def]
            return parts.build("case", session=db, actor=principal, case=of)

        html = render_template("interviews/_case_interviews.html", case=case, parts=cards(case))
        assert "w toku" in html and f'href="/interviews/{interview.id}"' in html and "Wróć do wywiadu w toku" in html
        fresh = make_case(db, db.get(Office, case.office_id), worker)  # type: ignore[arg-type]
        html = render_template("interviews/_case_interviews.html", case=fresh, parts=cards(fresh), answered_call_id=7)
        assert f'action="/cases/{fresh.id}/interviews"' in html and 'name="call_attempt_id" value="7"' in html


def test_autosave_to_an_interview_out_of_reach_is_404_and_writes_nothing(
    stranger_client: Callable[..., FlaskClient], db: Session, interview: Interview
) -> None:
    """The autosave reads the interview with its kept-values check in one statement; the access rules still hold."""
    url = f"/interviews/{interview.id}/answers"
    for other in (stranger_client(Role.WORKER), stranger_client(Role.SUPERVISOR, office_=make_office(db))):
        headers = {"HX-Request": "true", "X-CSRFToken": token(other)}
        assert other.post(url, data={"key": "city", "city": "Puck"}, headers=headers).status_code == 404
    assert other.post("/interviews/999999/answers", data={"key": "city", "city": "Puck"},
                      headers=headers).status_code == 404
    db.expire_all()
    city = db.exec(select(Answer).where(Answer.interview_id == interview.id, Answer.key == "city")).first()
    assert city is None or city.raw != "Puck"
