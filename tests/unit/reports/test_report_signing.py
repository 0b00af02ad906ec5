"""PAdES signing and counter-signing, checked with pdfsig (independent) and verify_pdf (office CA trust)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils.writer import PdfFileWriter

from app.pdf.fonts import stamp_font_path
from app.reports import pki
from app.reports.pdf import geometry
from app.reports.signing import SigningError, _InMemoryFontFactory, sign_pdf, sign_pdf_with_wrapped_key
from app.reports.verify import sha256_hex, verify_pdf

from .conftest import FAST_KDF, TZ, Signer, sign_as

Poppler = Callable[..., str]


def _pdfsig_blocks(output: str) -> list[str]:
    return re.split(r"^Signature #\d+:", output, flags=re.M)[1:]


def _last_page(poppler: Poppler, pdf: bytes) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo", pdf), re.M).group(1))  # type: ignore[union-attr]


def _flip(pdf: bytes, offset: int) -> bytes:
    data = bytearray(pdf)
    data[offset] ^= 0x01
    return bytes(data)


def test_pdfsig_accepts_worker_signature(poppler: Poppler, worker_signed: bytes) -> None:
    """poppler validates the PAdES signature on its own (trust aside: it knows only its NSS store)."""
    blocks = _pdfsig_blocks(poppler("pdfsig", worker_signed, check=False))
    assert len(blocks) == 1
    assert "Signature Field Name: Podpis_pracownika" in blocks[0]
    assert "Signer Certificate Common Name: Grzegorz Źdźbło" in blocks[0]
    assert "ETSI.CAdES.detached" in blocks[0]
    assert "Signature Validation: Signature is Valid." in blocks[0]
    assert "Total document signed" in blocks[0]


def test_pdfsig_accepts_both_signatures_after_counter_signing(poppler: Poppler, both_signed: bytes) -> None:
    """The supervisor's incremental update leaves the worker's signature valid."""
    blocks = _pdfsig_blocks(poppler("pdfsig", both_signed, check=False))
    assert len(blocks) == 2
    assert "Podpis_pracownika" in blocks[0]
    assert "Podpis_kierownika" in blocks[1]
    assert "Małgorzata Jędrzejczyk" in blocks[1]
    for block in blocks:
        assert "Signature Validation: Signature is Valid." in block
    assert "Not total document signed" in blocks[0]
    assert "Total document signed" in blocks[1]


def test_verify_pdf_trusts_office_ca(both_signed: bytes, office_ca: tuple[bytes, bytes]) -> None:
    """Both signatures are intact and chain to the office CA; only the last covers the whole file."""
    report = verify_pdf(both_signed, trust_roots=[office_ca[0]])
    assert report.all_valid
    worker_sig, supervisor_sig = report.signatures
    assert (worker_sig.field_name, worker_sig.signer_name) == ("Podpis_pracownika", "Grzegorz Źdźbło")
    assert supervisor_sig.signer_name == "Małgorzata Jędrzejczyk"
    assert (worker_sig.intact, worker_sig.trusted, worker_sig.covers_whole_document) == (True, True, False)
    assert (supervisor_sig.intact, supervisor_sig.trusted, supervisor_sig.covers_whole_document) == (True, True, True)
    assert worker_sig.signing_time == dt.datetime(2020, 4, 17, 14, 12, tzinfo=TZ)


def test_verify_pdf_reports_serial_for_revocation_checks(worker_signed: bytes, office_ca: tuple[bytes, bytes],
                                                         worker_signer: Signer) -> None:
    """The signer's serial and fingerprint match the issued certificate, for the caller's revoked flag."""
    (check,) = verify_pdf(worker_signed, trust_roots=[office_ca[0]]).signatures
    info = pki.describe_certificate(worker_signer.cert_pem)
    assert (check.signer_serial, check.signer_fingerprint) == (info.serial_number, info.sha256_fingerprint)


def test_verify_pdf_distrusts_another_ca(both_signed: bytes) -> None:
    """Signatures from a different office's CA are intact but not trusted."""
    other_ca, _ = pki.create_office_ca("Miejski Ośrodek Pomocy Społecznej we Wschowie", "inne")
    report = verify_pdf(both_signed, trust_roots=[other_ca])
    assert not report.all_valid
    assert all(s.intact and not s.trusted for s in report.signatures)


def test_flipped_byte_fails_verify_pdf_and_pdfsig(poppler: Poppler, both_signed: bytes,
                                                  office_ca: tuple[bytes, bytes]) -> None:
    """One flipped bit inside the signed page content invalidates both signatures, without crashing."""
    offset = both_signed.index(b"stream\n", 2000) + 200  # inside a compressed content stream of the report
    tampered = _flip(both_signed, offset)
    report = verify_pdf(tampered, trust_roots=[office_ca[0]])
    assert not report.all_valid
    assert not any(s.intact for s in report.signatures)
    blocks = _pdfsig_blocks(poppler("pdfsig", tampered, check=False))
    assert blocks
    assert all("Signature is Valid" not in b for b in blocks)


@pytest.mark.parametrize("offset", [100, 5000, 40000, 70000])
def test_flipped_byte_anywhere_never_crashes(both_signed: bytes, office_ca: tuple[bytes, bytes], offset: int) -> None:
    """Damage to structure or content always yields a negative verdict."""
    assert not verify_pdf(_flip(both_signed, offset), trust_roots=[office_ca[0]]).all_valid


def test_unsigned_file_is_not_valid(report_pdf: bytes, office_ca: tuple[bytes, bytes]) -> None:
    """A document without signatures is never reported valid."""
    report = verify_pdf(report_pdf, trust_roots=[office_ca[0]])
    assert not report.all_valid
    assert report.error == "the document carries no signature"


def test_appended_update_after_last_signature_is_not_valid(both_signed: bytes, office_ca: tuple[bytes, bytes]) -> None:
    """Bytes appended after the supervisor signed mean the signed document is no longer the whole file."""
    report = verify_pdf(both_signed + b"\n% appended\n", trust_roots=[office_ca[0]])
    assert not report.all_valid


def _signing_kwargs(signer: Signer, ca_pem: bytes, font_cache: Path) -> dict[str, object]:
    return {
        "signer_cert": signer.cert_pem, "chain": [ca_pem], "field_name": "Podpis_pracownika", "reason": "test",
        "location": "Puck", "signer_display_name": signer.name, "role": signer.role,
        "when": dt.datetime.now(dt.UTC), "font_cache_dir": font_cache,
    }


def test_wrong_password_signs_nothing(report_pdf: bytes, worker_signer: Signer, office_ca: tuple[bytes, bytes],
                                      font_cache: Path) -> None:
    """The stored key cannot be used without the user's password, so no signature is produced."""
    blob = pki.wrap_private_key(worker_signer.key, "prawdziwe hasło", params=FAST_KDF)
    result = None
    with pytest.raises(pki.WrongPassword):
        result = sign_pdf_with_wrapped_key(report_pdf, wrapped_key=blob, password="hasło z karteczki",
                                           **_signing_kwargs(worker_signer, office_ca[0], font_cache))
    assert result is None


def test_right_password_signs(report_pdf: bytes, worker_signer: Signer, office_ca: tuple[bytes, bytes],
                              font_cache: Path) -> None:
    """With the right password the unwrapped key produces a trusted signature."""
    blob = pki.wrap_private_key(worker_signer.key, "prawdziwe hasło", params=FAST_KDF)
    signed = sign_pdf_with_wrapped_key(report_pdf, wrapped_key=blob, password="prawdziwe hasło",
                                       **_signing_kwargs(worker_signer, office_ca[0], font_cache))
    assert verify_pdf(signed, trust_roots=[office_ca[0]]).all_valid


def test_signing_same_field_twice_is_refused(worker_signed: bytes, worker_signer: Signer, office_ca: tuple[bytes, bytes],
                                             font_cache: Path) -> None:
    """A signed field cannot be signed over."""
    with pytest.raises(SigningError, match="Podpis_pracownika"):
        sign_as(worker_signed, worker_signer, office_ca[0], field="Podpis_pracownika", box=geometry.WORKER_STAMP_BOX,
                reason="again", when=dt.datetime.now(dt.UTC), font_cache=font_cache)


def test_naive_time_is_refused(report_pdf: bytes, worker_signer: Signer, office_ca: tuple[bytes, bytes]) -> None:
    """A signing time without a zone would be ambiguous on the stamp and in the signature."""
    with pytest.raises(ValueError, match="timezone"):
        sign_pdf(report_pdf, signer_cert=worker_signer.cert_pem, signer_key=worker_signer.key, chain=[office_ca[0]],
                 field_name="X", reason="r", location="l", signer_display_name="n", role="r",
                 when=dt.datetime(2020, 4, 17, 12, 0))


def test_stamp_text_is_polish_and_inside_its_box(poppler: Poppler, both_signed: bytes) -> None:
    """Each stamp shows name, role, date and reason with correct diacritics, inside its reserved box."""
    last = _last_page(poppler, both_signed)
    for box, expected in (
        (geometry.WORKER_STAMP_BOX, ["Grzegorz Źdźbło, pracownik socjalny", "Data: 17.04.2020 14:12:00 UTC+01:00",
                                     "Cel: Sporządzenie protokołu wywiadu"]),
        (geometry.SUPERVISOR_STAMP_BOX, ["Małgorzata Jędrzejczyk, kierownik ośrodka",
                                         "Data: 17.04.2020 15:03:00 UTC+01:00", "Cel: Zatwierdzenie wywiadu"]),
    ):
        x1, y1, x2, y2 = box
        text = poppler("pdftotext", both_signed, "-f", str(last), "-l", str(last), "-x", str(int(x1)),
                       "-y", str(int(geometry.PAGE_HEIGHT - y2)), "-W", str(int(x2 - x1)), "-H", str(int(y2 - y1)))
        assert "Podpisano elektronicznie (PAdES)" in text
        for line in expected:
            assert line in text, line


def test_signed_last_page_renders(poppler: Poppler, both_signed: bytes, tmp_path: Path) -> None:
    """The last page with both stamps rasterises."""
    last = str(_last_page(poppler, both_signed))
    poppler("pdftoppm", both_signed, "-r", "60", "-png", "-f", last, "-l", last, after=(str(tmp_path / "p"),))
    (png,) = tmp_path.glob("p*.png")
    assert png.stat().st_size > 5000


def test_stamp_font_is_rescaled_to_1000_upem(font_cache: Path) -> None:
    """pyHanko letter-spaces 2048-unit fonts, so the stamp uses a 1000-unit copy, built once."""
    path = stamp_font_path(font_cache)
    assert TTFont(path)["head"].unitsPerEm == 1000
    assert stamp_font_path(font_cache) == path
    assert ord("ź") in TTFont(path).getBestCmap()


def test_stamp_text_keeps_the_fonts_kerning(font_cache: Path) -> None:
    """The embedded subset leaves out the layout tables, but the stamp is still shaped with them ("To" kerned)."""
    path = stamp_font_path(font_cache)
    font = TTFont(path)
    cmap, widths = font.getBestCmap(), font["hmtx"]
    engine = _InMemoryFontFactory(path.read_bytes()).create_font_engine(PdfFileWriter())
    for text in ("To", "AV"):
        unkerned = sum(widths[cmap[ord(c)]][0] for c in text) / font["head"].unitsPerEm
        assert engine.shape(text).x_advance < unkerned - 0.05, text


def test_sha256_hex_for_archiving(both_signed: bytes) -> None:
    """The archive digest is the plain SHA-256 of the file."""
    digest = sha256_hex(both_signed)
    assert len(digest) == 64
    assert digest != sha256_hex(both_signed[:-1])
