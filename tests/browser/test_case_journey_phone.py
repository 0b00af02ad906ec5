"""Issue 16 end to end on a 390×844 phone: register an application without a phone, edit it and add a number,
start the interview and find segment A pre-filled, attach a photo of a statement, raise a referral from a flag and
see it in segment J, fail to finish while flags are undecided, finish, sign, approve, export the interview as JSON
(valid against the shipped schema), close the case with a decision; the statistics show the closing and the PDF
lists the document and the referral."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import jsonschema
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from app.auth.models import User
from app.cases.models import Case, CaseState
from app.cases.record_models import CaseClosing
from app.db import make_engine
from app.formdefs import fired_flags
from app.formdefs.extension import form_registry
from app.handoff.interview import SCHEMA_PATH
from app.interviews.models import Interview
from app.reports.demo import DEMO_ANSWERS, storage_values, write_answers
from tests.browser.conftest import LiveServer, screenshot
from tests.browser.pages import assert_fits_phone, assert_touch_targets, log_in_as, log_out
from tests.browser.test_documents_export_statistics_phone import (
    _approved_pdf,
    _axe_clean,
    _pdf_page_with,
    _statement_photo,
)

PERSON = "Gražyna Ćwikła-Żmudzka"
CARRIED = ("full_name", "pesel", "address", "email", "phone")


def _answer_the_rest(server: LiveServer, interview_id: int) -> list[str]:
    """The worker's answers to the other parts, as the runner stores them; the person is very anxious about the future."""
    raw = {k: v for k, v in DEMO_ANSWERS.items() if k not in CARRIED and not k.startswith("psych_")}
    raw["fear_about_future"] = "strong"
    engine = make_engine(server.database_url)
    with Session(engine) as db:
        interview = db.get(Interview, interview_id)
        assert interview is not None
        form = form_registry().latest("rws")
        values = storage_values(form, raw)
        write_answers(db, interview, values, user_id=interview.worker_id)
        db.commit()
        flags = [f.rule_id for f in fired_flags(form, values)]
    engine.dispose()
    return flags


def _case(server: LiveServer) -> Case:
    engine = make_engine(server.database_url)
    with Session(engine) as db:
        case = db.exec(select(Case).where(Case.applicant_name == PERSON)).one()
        db.expunge(case)
    engine.dispose()
    return case


def test_the_case_to_its_end_on_a_phone(page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    """Register → edit → carried data → document → referral in J → undecided flags → sign → export → close → figures."""
    log_in_as(page, live_server.url, "demo-worker", live_server.password)

    # 1. An application by ePUAP without a phone number: registered, contact by letter / e-mail / ePUAP.
    page.goto(f"{live_server.url}/cases/new")
    page.get_by_label("Imię i nazwisko").fill(PERSON)
    page.get_by_label("Adres").fill("ul. Źródlana 7/3, Puck")
    page.get_by_label("Jak wpłynął").select_option("epuap")
    page.get_by_label("Żywność").check()
    page.get_by_role("button", name="Zarejestruj wniosek").tap()
    expect(page.get_by_role("heading", level=1, name=PERSON)).to_be_visible()
    expect(page.get_by_text("Wniosek bez numeru telefonu.")).to_be_visible()
    case = _case(live_server)
    assert case.state == CaseState.OTHER_ROUTE and case.needs_other_route
    page.goto(f"{live_server.url}/today?show=to-call")
    card = page.locator("li.queue-item", has_text=PERSON)
    expect(card).to_contain_text("Bez numeru telefonu: kontakt listem, e-mailem lub przez ePUAP")
    assert_fits_phone(page)
    screenshot(page, "journey-today-no-phone")

    # 2. Edit: the e-mail and PESEL arrive by letter; a wrong PESEL is refused with the typing kept; then a number.
    page.goto(f"{live_server.url}/cases/{case.id}")
    page.get_by_role("link", name="Zmień dane sprawy").tap()
    expect(page.get_by_role("heading", level=1, name="Zmień dane sprawy")).to_be_visible()
    page.get_by_label("PESEL").fill("84031212347")
    page.get_by_label("E-mail").fill("g.zmudzka@example.pl")
    page.get_by_role("button", name="Zapisz zmiany").tap()
    expect(page.locator("#f-pesel-error")).to_be_visible()
    expect(page.get_by_label("E-mail")).to_have_value("g.zmudzka@example.pl")
    assert_fits_phone(page)
    _axe_clean(page)
    screenshot(page, "journey-edit-refused")
    page.get_by_label("PESEL").fill("84031212346")
    page.get_by_role("button", name="Zapisz zmiany").tap()
    expect(page.get_by_text("Zapisano zmiany w sprawie")).to_be_visible()
    history = page.locator("ol.case-changes")
    expect(history).to_contain_text("E-mail: nie podano → g.zmudzka@example.pl")
    page.locator("details.add-phone summary").tap()
    page.get_by_label("Nowy numer").fill("601 234 567")
    page.get_by_role("button", name="Dodaj numer").tap()
    expect(page.get_by_text("Dodano numer 601 234 567.")).to_be_visible()
    expect(page.get_by_text("Wniosek bez numeru telefonu.")).to_have_count(0)
    expect(history).to_contain_text("Telefon: nie podano → 601 234 567")
    assert_fits_phone(page)
    screenshot(page, "journey-case-edited")

    # 3. The interview: segment A comes from the case, to read back and confirm.
    page.get_by_role("button", name="Rozpocznij wywiad").tap()
    expect(page).to_have_url(re.compile(r"/interviews/\d+"))
    interview_id = int(page.url.split("/interviews/")[1].split("?")[0].split("#")[0])
    page.goto(f"{live_server.url}/interviews/{interview_id}?section=segment_a")
    carried = page.locator("section.carried")
    expect(carried.get_by_role("heading", name="Dane z wniosku — potwierdź")).to_be_visible()
    expect(page.locator("#f-q-full_name")).to_have_value(PERSON)
    expect(page.locator("#f-q-pesel")).to_have_value("84031212346")
    expect(page.locator("#f-q-email")).to_have_value("g.zmudzka@example.pl")
    expect(page.locator("#q-full_name .badge")).to_have_text("z wniosku — potwierdź")
    assert_fits_phone(page)
    assert_touch_targets(page)
    screenshot(page, "journey-segment-a-carried")
    carried.get_by_role("button", name="Dane się zgadzają").tap()
    expect(page.get_by_text("Dane z wniosku potwierdzone.")).to_be_visible()
    expect(page.locator("section.carried")).to_have_count(0)
    flags = _answer_the_rest(live_server, interview_id)
    assert "anxiety_severe" in flags

    # 4. A photo of the statement, attached from the case page.
    photo = _statement_photo(tmp_path / "IMG_20261130_101500.jpg")
    page.goto(f"{live_server.url}/cases/{case.id}")
    page.locator("section.case-documents").get_by_role("link", name="Dodaj dokument lub zdjęcie").tap()
    page.get_by_label("Zrób zdjęcie aparatem").set_input_files(str(photo))
    page.get_by_label("Co to jest").select_option("statement")
    page.get_by_label("Czego dotyczy (nieobowiązkowe)").fill("dochody za październik")
    page.get_by_label("Jak wpłynął").select_option("phone_photo")
    page.get_by_role("button", name="Dodaj dokument", exact=True).tap()
    expect(page.get_by_text("Dodano dokument: oświadczenie (IMG_20261130_101500.jpg).")).to_be_visible()

    # 5. Finishing is refused while the flags wait for a decision; each is listed like a missing answer.
    page.goto(f"{live_server.url}/interviews/{interview_id}/finish")
    problems = page.locator("section.finish-problems")
    expect(problems).to_contain_text("Sygnał bez decyzji: Silny lęk o przyszłość.")
    expect(page.get_by_role("button", name="Zakończ wywiad")).to_have_count(0)
    expect(page.get_by_role("button", name="Zakończ mimo braków zalecanych")).to_have_count(0)
    assert_fits_phone(page)
    screenshot(page, "journey-finish-undecided-flags")

    # 6. A referral from the flag, with consent; segment J shows it.
    problems.get_by_role("link", name="Sygnał bez decyzji: Silny lęk o przyszłość.", exact=False).first.tap()
    page.locator("#flag-anxiety_severe").get_by_role("link", name="Potwierdź i skieruj do psychologa").tap()
    expect(page.get_by_role("heading", level=1, name="Skierowanie do psychologa")).to_be_visible()
    expect(page.locator("#f-phone")).to_have_value("+48 601 234 567")
    page.get_by_label("Tak, zgadza się").check()
    page.get_by_label("Krótka notatka dla psychologa").fill("Silny lęk po utracie pracy.")
    page.get_by_role("button", name="Wyślij do psychologa").tap()
    expect(page.get_by_text("Skierowanie wysłano do psychologów.")).to_be_visible()
    page.goto(f"{live_server.url}/interviews/{interview_id}?section=segment_j")
    expect(page.locator("#q-psych_referral input[value=yes]")).to_be_checked()
    expect(page.locator("#q-psych_consent input[value=yes]")).to_be_checked()
    expect(page.locator("#f-q-psych_reason")).to_have_value("Silny lęk po utracie pracy.")
    assert_fits_phone(page)
    screenshot(page, "journey-segment-j-referral")

    # 7. The other flags dismissed with a reason; then the interview finishes.
    page.goto(f"{live_server.url}/interviews/{interview_id}/flags")
    for rule_id in flags:
        if rule_id == "anxiety_severe":
            continue
        flag = page.locator(f"#flag-{rule_id}")
        flag.locator("details.dismiss summary").tap()
        flag.get_by_label("Powód odrzucenia").fill("Omówiono w planie pomocy; zasiłek celowy na żywność.")
        flag.get_by_role("button", name="Odrzuć z tym powodem").tap()
        expect(page.locator(f"#flag-{rule_id}")).to_contain_text("odrzucony")
    page.goto(f"{live_server.url}/interviews/{interview_id}/finish")
    expect(page.locator("section.finish-problems")).to_have_count(0)
    page.locator("form.actions button[type=submit]").tap()
    expect(page.get_by_text("Wywiad zakończony.")).to_be_visible()

    # 8. Signed by the worker, approved by the supervisor.
    page.goto(f"{live_server.url}/interviews/{interview_id}/sign")
    page.get_by_label("Twoje hasło").fill(live_server.password)
    page.get_by_role("button", name="Podpisz i wyślij").tap()
    expect(page.get_by_text("Raport podpisany i wysłany do zatwierdzenia (wersja 1).")).to_be_visible()
    log_out(page)
    log_in_as(page, live_server.url, "demo-supervisor", live_server.password)
    page.get_by_role("link", name=case.reference).first.tap()
    page.get_by_label("Twoje hasło").fill(live_server.password)
    page.get_by_role("button", name="Zatwierdź i podpisz").tap()
    expect(page.get_by_text("Raport zatwierdzony i podpisany.")).to_be_visible()

    # 9. The PDF lists the document and the referral (with the time of consent).
    pdf = tmp_path / "raport.pdf"
    pdf.write_bytes(_approved_pdf(live_server, interview_id))
    _pdf_page_with(pdf, "IMG_20261130_101500.jpg")
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True,
                                   timeout=60).stdout.split())
    assert "Silny lęk po utracie pracy." in text and "Wysoki priorytet" in text
    assert "tak (" in text

    # 10. The interview exported as JSON, valid against the shipped schema.
    page.goto(f"{live_server.url}/cases/{case.id}")
    with page.expect_download() as download:
        page.locator("#h-handoff").locator("..").get_by_role("link", name="Pobierz JSON").first.tap()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(exported)

    # 11. Closing with the decision: a date before the application is refused, the typing kept; then closed.
    page.get_by_role("link", name="Zamknij sprawę i zapisz decyzję").tap()
    expect(page.get_by_role("heading", level=1, name="Zamknij sprawę")).to_be_visible()
    page.get_by_label("Przyznano świadczenie").check()
    page.get_by_label("Numer decyzji").fill("OPS.4011.321.2026")
    before = case.received_on - dt.timedelta(days=3)
    page.get_by_label("Data decyzji").fill(before.isoformat())
    page.get_by_role("button", name="Zamknij sprawę").tap()
    expect(page.locator("#f-decision_on-error")).to_contain_text("wcześniejszej niż wpływ wniosku")
    expect(page.get_by_label("Numer decyzji")).to_have_value("OPS.4011.321.2026")
    assert_fits_phone(page)
    assert_touch_targets(page)
    _axe_clean(page)
    screenshot(page, "journey-close-refused")
    page.get_by_label("Data decyzji").fill(case.received_on.isoformat())
    page.get_by_role("button", name="Zamknij sprawę").tap()
    expect(page.get_by_text("zamknięta: przyznano świadczenie")).to_be_visible()
    expect(page.locator("#h-closing").locator("..")).to_contain_text("OPS.4011.321.2026")
    assert_fits_phone(page)
    _axe_clean(page)
    screenshot(page, "journey-case-closed")

    # 12. The head of the centre's figures count the closing.
    page.get_by_role("link", name="Statystyki").tap()
    table = page.locator("table", has=page.get_by_text("Zamknięte sprawy i decyzje"))
    closings = page.locator("section", has=page.get_by_role("heading", name="Zamknięte sprawy i decyzje"))
    expect(closings).to_contain_text("przyznano świadczenie")
    del table
    assert_fits_phone(page)
    screenshot(page, "journey-statistics-closings")

    engine = make_engine(live_server.database_url)
    with Session(engine) as db:
        closing = db.exec(select(CaseClosing).where(CaseClosing.case_id == case.id)).one()
        assert (closing.outcome, closing.decision_number) == ("granted", "OPS.4011.321.2026")
        assert db.get(Case, case.id).state == CaseState.CLOSED  # type: ignore[union-attr]
        assert db.exec(select(User).where(User.username == "demo-worker")).one()
    engine.dispose()
