"""Fixtures for received documents: sample files (a phone photo, a PDF, a saved e-mail), an assigned case, uploads."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image, ImageDraw
from reportlab.pdfgen.canvas import Canvas
from sqlmodel import Session

from app.auth.models import Office, User
from app.cases.models import Case
from app.clock import local_today
from tests.conftest import token

RECEIVED = (local_today() - dt.timedelta(days=1)).isoformat()


def photo_bytes(width: int = 900, height: int = 1200, text: str = "OŚWIADCZENIE O DOCHODACH") -> bytes:
    """A JPEG as a phone camera sends it: a sheet of paper with a line of text."""
    image = Image.new("RGB", (width, height), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, width - 40, height - 40), outline=(20, 20, 20), width=6)
    draw.text((80, 120), text.encode("ascii", "replace").decode(), fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def pdf_bytes(pages: int = 2) -> bytes:
    """A small PDF of `pages` pages (a scanned decision, say)."""
    out = io.BytesIO()
    canvas = Canvas(out)
    for number in range(pages):
        canvas.drawString(72, 720, f"Decyzja PUP - strona {number + 1}")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


EML = (
    b"Return-Path: <zazolc@example.pl>\r\n"
    b"From: =?utf-8?q?Za=C5=BC=C3=B3=C5=82=C4=87?= <zazolc@example.pl>\r\n"
    b"To: ops@example.gov.pl\r\n"
    b"Subject: =?utf-8?q?O=C5=9Bwiadczenie?=\r\n"
    b"Date: Mon, 2 Mar 2026 10:00:00 +0100\r\n"
    b"Message-ID: <1@example.pl>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
) + "Oświadczam, że mój dochód w lutym wyniósł 1240 zł.\r\n".encode()
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode"
HTML = b"<!doctype html><html><head><title>x</title></head><body><script>alert(1)</script></body></html>"


@pytest.fixture
def my_case(case_factory: Callable[..., Case], worker: User) -> Case:
    """A case assigned to the logged-in worker."""
    return case_factory(assigned=worker, name="Zażółć Gęślą-Jaźń")


Poster = Callable[..., Any]


@pytest.fixture
def upload(client: FlaskClient) -> Poster:
    """POST the upload form for a case: upload(case, data, name, field='photo', **form fields) → response."""

    def post(case: Case, data: bytes | None, name: str = "zdjecie.jpg", *, field: str = "photo",
             **fields: str) -> Any:
        form: dict[str, Any] = {"csrf_token": token(client), "kind": "statement", "channel": "phone_photo",
                                "received_on": RECEIVED, "description": "dochody za luty", **fields}
        if data is not None:
            form[field] = (io.BytesIO(data), name)
        return client.post(f"/cases/{case.id}/documents", data=form, content_type="multipart/form-data")

    return post


@pytest.fixture
def other_office(db: Session) -> Office:
    """A second office (its staff must never see the first office's documents)."""
    from tests.factories import make_office

    office = make_office(db, "Ośrodek Pomocy Społecznej w Innym Mieście")
    db.commit()
    return office
