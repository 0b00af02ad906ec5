"""The documents received about an interview's case, as the report lists them and appends the chosen annexes."""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale
from sqlmodel import Session

from app.documents.labels import channel_label, kind_label
from app.documents.services import documents_at
from app.interviews.models import Interview
from app.reports import data as rd


def received_documents(session: Session, interview: Interview, at: dt.datetime) -> tuple[
        tuple[rd.DocumentReceived, ...], tuple[rd.Annex, ...]]:
    """The case's and this interview's documents on file at `at` (the report's time), annexes numbered in order."""
    assert interview.id is not None  # noqa: S101
    documents: list[rd.DocumentReceived] = []
    annexes: list[rd.Annex] = []
    with force_locale("pl"):  # the report is a Polish document whatever the signer's language
        for row in documents_at(session, case_id=interview.case_id, interview_id=interview.id, at=at):
            kind = kind_label(row.kind)
            number = None
            if row.annex and row.data:
                number = len(annexes) + 1
                annexes.append(rd.Annex(number=number, title=f"{kind} ({row.filename})", media_type=row.media_type,
                                        data=row.data))
            documents.append(rd.DocumentReceived(kind=kind, description=row.description, filename=row.filename,
                                                 channel=channel_label(row.channel), received_on=row.received_on,
                                                 sha256=row.sha256, annex_number=number))
    return tuple(documents), tuple(annexes)
