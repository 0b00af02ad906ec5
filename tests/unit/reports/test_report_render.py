"""The report PDF: Polish text, embedded subset fonts, page numbers, reserved stamp area, determinism."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.pdf import fonts
from app.reports.data import InterviewMode, InterviewType, Section, sample_report
from app.reports.pdf import geometry, render_report

Poppler = Callable[..., str]



def _crop_text(poppler: Poppler, pdf: bytes, box: geometry.Box, page: int) -> str:
    """Text that pdftotext finds inside ``box`` (PDF coordinates) on ``page`` (1-based)."""
    x1, y1, x2, y2 = box
    return poppler("pdftotext", pdf, "-f", str(page), "-l", str(page), "-x", str(int(x1)),
                   "-y", str(int(geometry.PAGE_HEIGHT - y2)), "-W", str(int(x2 - x1)), "-H", str(int(y2 - y1)))


def _pages(poppler: Poppler, pdf: bytes) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo", pdf), re.M).group(1))  # type: ignore[union-attr]


def test_render_same_data_gives_same_bytes(report_pdf: bytes) -> None:
    """Rendering is deterministic, so a re-render can be compared with the archived file."""
    assert render_report(sample_report(household=6)) == report_pdf


def test_reportlab_runs_with_its_c_accelerator() -> None:
    """rl_accel (reportlab[accel]) is installed: the pure-Python fallbacks make every render ~20 % slower."""
    from reportlab.lib import rl_accel

    assert not rl_accel._py_funcs, sorted(rl_accel._py_funcs)


def test_pdftotext_extracts_polish_text_exactly(poppler: Poppler, report_pdf: bytes) -> None:
    """Diacritics survive extraction: the fonts carry correct ToUnicode maps."""
    text = poppler("pdftotext", report_pdf)
    for expected in (
        "Rodzinny wywiad środowiskowy —",
        "procedura telefoniczna (art. 15o ustawy COVID-19)",
        "Zażółć gęślą jaźń",
        "Łukasz Wójcik",
        "Małgorzata",
        "Jędrzejczyk",
        "Grzegorz Źdźbło",
        "Ścisława Wójcik",
        "Pouczenie o odpowiedzialności karnej (art. 233 Kodeksu karnego)",
        "Część A. Dane wnioskodawcy i rodziny",
        "Część J. Plan pomocy",
        "Podpisy elektroniczne (PAdES)",
    ):
        assert expected in text, expected


def test_every_page_says_strona_x_z_n(poppler: Poppler, report_pdf: bytes) -> None:
    """The footer numbers each page against the total page count, with the document id and version."""
    total = _pages(poppler, report_pdf)
    assert total >= 2
    for page in range(1, total + 1):
        text = poppler("pdftotext", report_pdf, "-f", str(page), "-l", str(page))
        assert f"strona {page} z {total}" in text
        assert "dokument RWS-2020-000142, wersja 1" in text


def test_pdffonts_shows_only_embedded_subset_dejavu(poppler: Poppler, report_pdf: bytes) -> None:
    """All fonts are DejaVu, embedded and subset; no unembedded base-14 font sneaks in."""
    rows = poppler("pdffonts", report_pdf).splitlines()[2:]
    names = {row.split()[0].split("+")[-1] for row in rows}
    assert names == {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"}
    for row in rows:
        emb, sub, uni = row.split()[-5:-2]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row


def test_stamp_boxes_on_last_page_are_free_of_text(poppler: Poppler, report_pdf: bytes) -> None:
    """The reserved boxes hold no body text, so stamps never cover the report."""
    last = _pages(poppler, report_pdf)
    for box in (geometry.WORKER_STAMP_BOX, geometry.SUPERVISOR_STAMP_BOX):
        assert _crop_text(poppler, report_pdf, box, last).strip() == ""
    captions = _crop_text(poppler, report_pdf, (geometry.MARGIN_LEFT, geometry.MARGIN_BOTTOM,
                                                geometry.PAGE_WIDTH - geometry.MARGIN_RIGHT,
                                                geometry.MARGIN_BOTTOM + geometry.SIGNATURE_AREA_HEIGHT), last)
    assert "Sporządził" in captions
    assert "Zatwierdził" in captions


@pytest.mark.parametrize("household", [0, 1, 6, 8])
def test_signature_area_stays_at_bottom_of_last_page(poppler: Poppler, household: int) -> None:
    """Whatever the length, the signature area ends on the last page at the fixed stamp coordinates."""
    pdf = render_report(sample_report(household=household))
    last = _pages(poppler, pdf)
    area = _crop_text(poppler, pdf, (geometry.MARGIN_LEFT, geometry.MARGIN_BOTTOM,
                                     geometry.PAGE_WIDTH - geometry.MARGIN_RIGHT,
                                     geometry.MARGIN_BOTTOM + geometry.SIGNATURE_AREA_HEIGHT), last)
    assert "Podpisy elektroniczne (PAdES)" in area


def test_pdftoppm_renders_every_page(poppler: Poppler, report_pdf: bytes, tmp_path: Path) -> None:
    """Each page rasterises to a non-empty PNG."""
    poppler("pdftoppm", report_pdf, "-r", "60", "-png", after=(str(tmp_path / "page"),))
    pngs = sorted(tmp_path.glob("page*.png"))
    assert len(pngs) == _pages(poppler, report_pdf)
    assert all(p.read_bytes().startswith(b"\x89PNG") and p.stat().st_size > 5000 for p in pngs)


def test_update_on_site_report_has_matching_title(poppler: Poppler) -> None:
    """The heading follows the interview type and mode."""
    data = dataclasses.replace(sample_report(), interview_type=InterviewType.UPDATE, mode=InterviewMode.ON_SITE)
    text = poppler("pdftotext", render_report(data))
    assert "Aktualizacja rodzinnego wywiadu środowiskowego —" in text
    assert "wywiad w miejscu zamieszkania" in text
    assert "Przebieg wywiadu" in text


def test_skipped_questions_and_markup_characters(poppler: Poppler) -> None:
    """Only the answers passed in are shown, and markup characters in answers are printed literally."""
    data = dataclasses.replace(
        sample_report(household=1),
        sections=(Section("Sytuacja zdrowotna", (("Uwagi", "ciśnienie < 140 & cukier > 100 <b>"),), segment="D"),),
    )
    text = poppler("pdftotext", render_report(data))
    assert "ciśnienie < 140 & cukier > 100 <b>" in text
    assert "Część A." not in text


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=300))
def test_render_accepts_any_answer_text(answer: str) -> None:
    """Arbitrary free text never breaks rendering."""
    data = dataclasses.replace(sample_report(household=1), sections=(Section("Uwagi", (("Odpowiedź", answer),)),))
    assert render_report(data).startswith(b"%PDF-")


def test_missing_fonts_give_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the DejaVu files the error names the files, the places searched and the fix."""
    monkeypatch.setattr(fonts, "VENDOR_FONT_DIR", tmp_path / "vendor")
    monkeypatch.setattr(fonts, "SYSTEM_FONT_DIR", tmp_path / "system")
    monkeypatch.delenv("TELEWYWIAD_FONT_DIR", raising=False)
    with pytest.raises(fonts.FontsMissingError, match=r"DejaVuSans\.ttf.*vendor.*node scripts/vendor\.js"):
        fonts.find_fonts()


def test_sample_report_rejects_impossible_household() -> None:
    """The factory only offers the members it has."""
    with pytest.raises(ValueError, match="household"):
        sample_report(household=99)


def test_letterhead_carries_the_offices_email_phones_and_extra_lines(poppler: Poppler) -> None:
    """The office's details from its settings page (e-mail, several phones, tax numbers, ePUAP box) head the report."""
    base = sample_report(household=1)
    office = dataclasses.replace(base.office, phone="58 673 22 11, 601 234 567", email="gops@puck.example.pl",
                                 extra_lines=("NIP 587-000-00-00", "ePUAP: /gopspuck/skrytka"))
    text = poppler("pdftotext", render_report(dataclasses.replace(base, office=office)), "-f", "1", "-l", "1")
    for expected in ("tel. 58 673 22 11, 601 234 567 · gops@puck.example.pl", "NIP 587-000-00-00",
                     "ePUAP: /gopspuck/skrytka"):
        assert expected in text, expected


def test_metadata_carry_title_author_and_the_reports_own_moment(poppler: Poppler) -> None:
    """Title, author and creation date (the moment of the report, Polish time), not invariant mode's 2000-01-01."""
    data = sample_report(household=1)
    info = poppler("pdfinfo", render_report(data), "-isodates")
    assert re.search(r"^Title:\s+\S", info, re.M)
    assert re.search(rf"^Author:\s+{re.escape(data.office.name)}$", info, re.M)
    created = re.search(r"^CreationDate:\s+(\S+)$", info, re.M)
    assert created is not None
    # pdfinfo writes the offset as +01 (hours only when the minutes are zero)
    assert created.group(1) == data.generated_at.isoformat()[:-3]  # 2020-04-17T14:05:00+01
    assert "2000-01-01" not in info


def test_empty_household_says_so_without_a_total(poppler: Poppler) -> None:
    text = poppler("pdftotext", render_report(sample_report(household=0)))
    assert "Nie podano członków gospodarstwa domowego." in text
    assert "Razem" not in text


def test_a_part_with_only_remarks_is_not_called_unanswered(poppler: Poppler) -> None:
    """The call record's remarks under "Dane rozmowy" are not preceded by "Brak odpowiedzi w tej części"."""
    data = dataclasses.replace(sample_report(household=1),
                               sections=(Section("Dane rozmowy", (), comment="Rozmowa przerwana na chwilę."),))
    text = poppler("pdftotext", render_report(data))
    assert "Rozmowa przerwana na chwilę." in text
    assert "Brak odpowiedzi w tej części" not in text
