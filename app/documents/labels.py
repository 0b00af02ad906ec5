"""Translated names of document kinds and channels (Polish in the code, English in the catalog)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.documents.models import DocumentChannel, DocumentKind

KIND_LABELS = {
    DocumentKind.STATEMENT: _l("oświadczenie"),
    DocumentKind.INCOME_CERTIFICATE: _l("zaświadczenie o dochodach"),
    DocumentKind.OTHER_DECISION: _l("decyzja innego organu"),
    DocumentKind.DISABILITY_CERTIFICATE: _l("orzeczenie o niepełnosprawności"),
    DocumentKind.APPLICATION: _l("wniosek"),
    DocumentKind.CORRESPONDENCE: _l("pismo lub e-mail od wnioskodawcy"),
    DocumentKind.OTHER: _l("inny dokument"),
}

CHANNEL_LABELS = {
    DocumentChannel.EMAIL: _l("e-mail"),
    DocumentChannel.EPUAP: _l("ePUAP"),
    DocumentChannel.EMPATIA: _l("Emp@tia"),
    DocumentChannel.POST: _l("poczta"),
    DocumentChannel.DROP_BOX: _l("skrzynka podawcza"),
    DocumentChannel.IN_PERSON: _l("osobiście w ośrodku"),
    DocumentChannel.PHONE_PHOTO: _l("zdjęcie z telefonu wnioskodawcy (MMS, komunikator)"),
    DocumentChannel.WORKER_PHOTO: _l("zdjęcie zrobione przez pracownika"),
    DocumentChannel.INSTITUTION: _l("z innej instytucji (art. 105)"),
    DocumentChannel.OTHER: _l("inna droga"),
}


def kind_label(kind: str) -> str:
    """The kind of document in the user's language."""
    try:
        return str(KIND_LABELS[DocumentKind(kind)])
    except ValueError:
        return kind


def channel_label(channel: str) -> str:
    """How the document arrived, in the user's language."""
    try:
        return str(CHANNEL_LABELS[DocumentChannel(channel)])
    except ValueError:
        return channel
