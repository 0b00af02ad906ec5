"""On a 390×844 phone: attach a photo of a statement from the case page, sign and approve the report, find the
document in the signed PDF's list (and its photo as an annex), export the approved interview as JSON valid against
the shipped schema, and open the head of the centre's statistics (axe clean)."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import jsonschema
from axe_playwright_python.sync_playwright import Axe
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from app.auth.models import User
from app.cases.models import Case, Channel
from app.clock import local_today
from app.db import make_engine
from app.documents.models import CaseDocument
from app.handoff.interview import SCHEMA_PATH
from app.reports.demo import make_finished_interview
from app.reports.models import Report, ReportFile
from tests.browser.conftest import ARTIFACTS, LiveServer, screenshot
from tests.browser.pages import assert_fits_phone, assert_touch_targets, log_in_as, log_out

REFERENCE = "RWS/2026/0716"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _statement_photo(path: Path) -> Path:
    """A phone photo of a handwritten-looking statement: a sheet slightly turned on a desk."""
    sheet = Image.new("RGB", (900, 1200), (252, 251, 246))
    draw = ImageDraw.Draw(sheet)
    draw.text((80, 90), "OSWIADCZENIE O DOCHODACH", fill=(20, 20, 20))
    for line in range(12):
        draw.line((80, 200 + line * 70, 820, 200 + line * 70), fill=(160, 160, 170), width=2)
    draw.text((90, 1050), "podpis: Zazolc Gesla-Jazn", fill=(30, 30, 90))
    photo = Image.new("RGB", (1080, 1440), (120, 100, 80))
    photo.paste(sheet.rotate(3, expand=True, fillcolor=(120, 100, 80)), (60, 60))
    photo.save(path, format="JPEG", quality=85)
    return path


def _seed(server: LiveServer) -> tuple[int, int]:
    engine = make_engine(server.database_url)
    with Session(engine) as db:
        worker = db.exec(select(User).where(User.username == "demo-worker")).one()
        case = Case(office_id=worker.office_id, reference=REFERENCE, applicant_name="Zażółć Gęślą-Jaźń",
                    channel=Channel.EPUAP, received_on=local_today(), assigned_worker_id=worker.id)
        db.add(case)
        db.flush()
        interview = make_finished_interview(db, case=case, worker=worker)
        db.commit()
        ids = (case.id or 0, interview.id or 0)
    engine.dispose()
    return ids


def _log_in(page: Page, server: LiveServer, username: str) -> None:
    log_in_as(page, server.url, username, server.password)


def _approved_pdf(server: LiveServer, interview_id: int) -> bytes:
    engine = make_engine(server.database_url)
    with Session(engine) as db:
        report = db.exec(select(Report).where(Report.interview_id == interview_id)).one()
        stored = db.exec(select(ReportFile).where(ReportFile.report_id == report.id, ReportFile.kind == "approved")).one()
        pdf = stored.pdf
    engine.dispose()
    return pdf


def _pdf_page_with(pdf: Path, text: str) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60).stdout
    pages = int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[-1])
    for number in range(1, pages + 1):
        found = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
                               capture_output=True, text=True, check=True, timeout=60).stdout
        if text in " ".join(found.split()):
            return number
    raise AssertionError(f"{text!r} is on no page of {pdf}")


def _axe_clean(page: Page) -> None:
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.response["violations"] == [], json.dumps(results.response["violations"], ensure_ascii=False)[:3000]


AXE = Axe()


def test_document_report_export_and_statistics_on_a_phone(page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    """The worker's and the head of the centre's part of issue 16, end to end on a phone."""
    case_id, interview_id = _seed(live_server)
    photo = _statement_photo(tmp_path / "IMG_20260302_101500.jpg")

    # The worker attaches a photo of the statement from the case page.
    _log_in(page, live_server, "demo-worker")
    page.goto(f"{live_server.url}/cases/{case_id}")
    card = page.locator("section.case-documents")
    expect(card.get_by_role("heading", name="Dokumenty")).to_be_visible()
    card.get_by_role("link", name="Dodaj dokument lub zdjęcie").tap()
    expect(page.get_by_role("heading", level=1, name="Dokumenty i oświadczenia")).to_be_visible()

    # A web page renamed to .jpg is refused by its content; what was typed stays.
    fake = tmp_path / "oswiadczenie.jpg"
    fake.write_bytes(b"<!doctype html><html><body><script>alert(1)</script></body></html>")
    page.get_by_label("albo wybierz plik z urządzenia").set_input_files(str(fake))
    page.get_by_label("Co to jest").select_option("statement")
    page.get_by_label("Czego dotyczy (nieobowiązkowe)").fill("dochody za luty")
    page.get_by_label("Jak wpłynął").select_option("phone_photo")
    page.get_by_role("button", name="Dodaj dokument", exact=True).tap()
    expect(page.get_by_text("Nie rozpoznano dokumentu po zawartości pliku.")).to_be_visible()
    expect(page.get_by_label("Czego dotyczy (nieobowiązkowe)")).to_have_value("dochody za luty")
    assert_fits_phone(page)
    screenshot(page, "documents-refused-html")

    page.get_by_label("Zrób zdjęcie aparatem").set_input_files(str(photo))
    page.get_by_label("Dołącz do podpisywanego raportu jako załącznik (zdjęcie lub PDF)").check()
    page.get_by_role("button", name="Dodaj dokument", exact=True).tap()
    expect(page.get_by_text("Dodano dokument: oświadczenie (IMG_20260302_101500.jpg).")).to_be_visible()
    expect(page.locator("section.case-documents").get_by_role("link", name="Oświadczenie: dochody za luty")).to_be_visible()
    assert_fits_phone(page)
    assert_touch_targets(page)
    screenshot(page, "documents-case-card")
    page.goto(f"{live_server.url}/cases/{case_id}/documents")
    assert_fits_phone(page)
    _axe_clean(page)
    screenshot(page, "documents-page")

    # Signed by the worker, approved by the supervisor.
    page.goto(f"{live_server.url}/interviews/{interview_id}/sign")
    page.get_by_label("Twoje hasło").fill(live_server.password)
    page.get_by_role("button", name="Podpisz i wyślij").tap()
    expect(page.get_by_text("Raport podpisany i wysłany do zatwierdzenia (wersja 1).")).to_be_visible()
    log_out(page)
    _log_in(page, live_server, "demo-supervisor")
    page.get_by_role("link", name=REFERENCE).tap()
    expect(page.get_by_role("heading", name="Dokumenty i oświadczenia otrzymane")).to_be_visible()
    page.get_by_label("Twoje hasło").fill(live_server.password)
    page.get_by_role("button", name="Zatwierdź i podpisz").tap()
    expect(page.get_by_text("Raport zatwierdzony i podpisany.")).to_be_visible()

    # The signed PDF lists the document with its hash; the photo is an annex; both signatures hold.
    pdf = tmp_path / "zatwierdzony.pdf"
    pdf.write_bytes(_approved_pdf(live_server, interview_id))
    listed = _pdf_page_with(pdf, "Dokumenty i oświadczenia otrzymane")
    annex = _pdf_page_with(pdf, "Załącznik nr 1 — oświadczenie (IMG_20260302_101500.jpg)")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60).stdout
    assert hashlib.sha256(photo.read_bytes()).hexdigest() in "".join(text.split())
    ARTIFACTS.mkdir(exist_ok=True)
    for number, name in ((listed, "documents-report-list"), (annex, "documents-report-annex")):
        subprocess.run(["pdftoppm", "-r", "80", "-f", str(number), "-l", str(number), "-png", "-singlefile", str(pdf),
                        str(ARTIFACTS / name)], check=True, timeout=60)
    signatures = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, timeout=60, check=False).stdout
    assert signatures.count("Signature is Valid.") == 2, signatures

    # The approved interview exported as JSON from the case page, valid against the shipped schema.
    page.goto(f"{live_server.url}/cases/{case_id}")
    with page.expect_download() as download:
        page.locator("#h-handoff").locator("..").get_by_role("link", name="Pobierz JSON").first.tap()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(exported)
    assert exported["report"]["state"] == "approved"
    assert [d["filename"] for d in exported["documents"]] == ["IMG_20260302_101500.jpg"]

    # The head of the centre's figures for this month: charts, tables, CSV; axe clean, fits the phone.
    page.get_by_role("link", name="Statystyki").tap()
    expect(page.get_by_role("heading", level=1, name="Statystyki")).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page.get_by_role("img", name="Liczba wniosków według drogi wpływu")).to_be_visible()
    assert_fits_phone(page)
    assert_touch_targets(page)
    _axe_clean(page)
    screenshot(page, "statistics-phone")
    page.get_by_label("Od dnia").fill("2026-03-31")
    page.get_by_label("Do dnia").fill("2026-03-01")
    page.get_by_role("button", name="Pokaż").tap()
    expect(page.get_by_text("Koniec okresu (01.03.2026) jest przed jego początkiem (31.03.2026).").first).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "statistics-bad-period")

    engine = make_engine(live_server.database_url)
    with Session(engine) as db:
        stored = db.exec(select(CaseDocument).where(CaseDocument.case_id == case_id)).one()
        assert stored.data == photo.read_bytes() and stored.annex
    engine.dispose()
