"""What an uploaded file is, judged from its bytes; which names are refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.documents import content


def _image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format=fmt)
    return out.getvalue()


MAIL = b"From: a@example.pl\r\nTo: b@example.pl\r\nSubject: x\r\n\r\nbody"


@pytest.mark.parametrize(("data", "extension", "media_type"), [
    (_image("JPEG"), "jpg", "image/jpeg"),
    (_image("PNG"), "png", "image/png"),
    (_image("TIFF"), "tif", "image/tiff"),
    (_image("WEBP"), "webp", "image/webp"),
    (b"%PDF-1.7\n%%EOF\n", "pdf", "application/pdf"),
    (MAIL, "eml", "message/rfc822"),
    # Folded headers, LF line ends, UTF-8 in a header and an mbox "From " line are all real saved mails.
    (b"From jan@example.pl Mon Mar  2 10:00:00 2026\nFrom: Jan\n <jan@example.pl>\nSubject: O\xc5\x9bwiadczenie\n"
     b"Date: Mon, 2 Mar 2026 10:00:00 +0100\n\ntre\xc5\x9b\xc4\x87", "eml", "message/rfc822"),
])
def test_accepted_types_are_recognised_by_content(data: bytes, extension: str, media_type: str) -> None:
    """Photos, scans, PDFs and saved e-mails, whatever they are called."""
    assert content.detect(data) == content.Detected(extension, media_type)


@pytest.mark.parametrize(("data", "program"), [
    (b"MZ" + b"\x00" * 100, "exe"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "elf"),
    (b"\x00asm\x01\x00\x00\x00", "wasm"),
])
def test_programs_are_named_as_programs(data: bytes, program: str) -> None:
    """A renamed executable is refused as what it is."""
    with pytest.raises(content.NotAccepted) as refused:
        content.detect(data)
    assert refused.value.program == program


@pytest.mark.parametrize("data", [
    b"<!doctype html><html><body>Statement</body></html>",
    b"plain text\n\nwith an empty line",
    b"Subject: no sender\r\nTo: b@example.pl\r\n\r\nbody",  # no From header
    b"From: only a sender\r\n\r\nbody",  # no other header a mail client writes
    b"From: a@example.pl\r\nSubject: x\r\nthis line is no header\r\n\r\nbody",
    b"From: a@example.pl\r\nSubject: \xff\xfe\r\n\r\nbinary in a header",
    b"From: a@example.pl\r\nSubject: never ends",  # no empty line after the headers
    b"PK\x03\x04" + b"\x00" * 40,  # a ZIP archive
    b"",
])
def test_everything_else_is_not_accepted(data: bytes) -> None:
    """HTML, text, broken "e-mails", archives: not a document we take."""
    with pytest.raises(content.NotAccepted) as refused:
        content.detect(data)
    assert refused.value.program is None


JPEG = content.Detected("jpg", "image/jpeg")


@pytest.mark.parametrize(("raw", "stored"), [
    ("IMG_20260302.jpg", "IMG_20260302.jpg"),
    ("skan.pdf", "skan.jpg"),  # the bytes decide the extension
    ("oświadczenie żony", "oświadczenie żony.jpg"),
    ("o\u0301swiadczenie.jpg", "óswiadczenie.jpg"),  # normalised to NFC
])
def test_names_keep_their_stem_and_get_the_real_extension(raw: str, stored: str) -> None:
    """What the worker chose is what the list shows, ending in what the file really is."""
    assert content.checked_name(raw, JPEG) == stored


@pytest.mark.parametrize(("raw", "reason"), [
    ("../../etc/passwd", "path"), ("C:\\Users\\x.jpg", "path"), ("a/b.jpg", "path"), ("a:b.jpg", "path"),
    ('a"b.jpg', "path"), ("a\x00b.jpg", "path"), (".htaccess", "path"), ("a..b.jpg", "path"), ("", "path"),
    ("x" * 201, "long"),
])
def test_names_with_paths_or_odd_characters_are_refused(raw: str, reason: str) -> None:
    """A path or a reserved character is refused, not silently repaired."""
    with pytest.raises(content.BadName) as refused:
        content.checked_name(raw, JPEG)
    assert refused.value.reason == reason


def test_annex_pages_counts_pdf_pages_and_refuses_what_cannot_be_read() -> None:
    """A readable PDF gives its page count, a photo one page; damaged files and e-mails give None."""
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out)
    for _ in range(3):
        canvas.showPage()
    canvas.save()
    assert content.annex_pages(content.Detected("pdf", "application/pdf"), out.getvalue()) == 3
    assert content.annex_pages(JPEG, _image("JPEG")) == 1
    assert content.annex_pages(content.Detected("pdf", "application/pdf"), b"%PDF-1.4\n" + b"\x00" * 300) is None
    assert content.annex_pages(JPEG, b"\xff\xd8\xff\xe0broken") is None
    assert content.annex_pages(content.Detected("eml", "message/rfc822"), MAIL) is None
