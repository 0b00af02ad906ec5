"""PAdES signatures with a visible stamp, added as incremental updates so earlier signatures stay valid."""

from __future__ import annotations

import datetime as dt
import functools
import io
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from app.pdf.fonts import stamp_font_path
from app.reports.pdf.geometry import SIGNATURE_PAGE, SUPERVISOR_STAMP_BOX, WORKER_STAMP_BOX, Box
from app.reports.pki import SigningKey, load_certificate, unwrap_private_key

__all__ = ["SUPERVISOR_STAMP_BOX", "WORKER_STAMP_BOX", "SigningError", "sign_pdf", "sign_pdf_with_wrapped_key"]

# pyHanko fills %(ts)s itself in ISO form; a key of our own keeps the Polish date format.
_STAMP_TEXT = "Podpisano elektronicznie (PAdES)\n%(signer)s\nData: %(signed_at)s\n%(reason)s\n%(location)s"
# Characters per stamp line at 8 pt in a 236 pt box; longer lines would make pyHanko shrink the whole stamp.
_WRAP = 44
_CMS_OVERHEAD = 3072
# Tables the embedded stamp font can do without: the OpenType layout tables, which HarfBuzz uses for shaping and
# pyHanko leaves out of the embedded subset anyway, and MATH (equation layout), which no PDF viewer reads.
_NOT_EMBEDDED_TABLES = ("GDEF", "GSUB", "GPOS", "MATH")


class SigningError(RuntimeError):
    """The document could not be signed (bad input, field already signed, ...)."""


class _SigningTimePdfSigner(signers.PdfSigner):
    """A PdfSigner whose CMS signing time is the caller's ``when``, so stamp and signature agree."""

    def __init__(self, *args: object, signing_time: dt.datetime, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._signing_time = signing_time

    def init_signing_session(
        self, pdf_out: BasePdfFileWriter, existing_fields_only: bool = False
    ) -> PdfSigningSession:
        """Start pyHanko's session, then pin its clock to the requested signing time."""
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        # pyHanko reads the wall clock here and offers no parameter for it.
        session.system_time = self._signing_time
        return session


class _InMemoryFontFactory(FontEngineFactory):
    """Serves the stamp font from memory.

    pyHanko's GlyphAccumulatorFactory opens the file anew for every signature and never closes it.
    """

    def __init__(self, font_bytes: bytes) -> None:
        self._font_bytes = font_bytes

    def create_font_engine(self, writer: BasePdfFileWriter, obj_stream: Any = None) -> GlyphAccumulator:
        """Return a glyph accumulator over the cached font, in an object stream when the writer has them."""
        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        engine = GlyphAccumulator(writer=writer, font_handle=io.BytesIO(self._font_bytes), font_size=8,
                                  bcp47_lang_code="pl-PL", obj_stream=obj_stream)
        # Shaping (kerning, ligatures) reads the layout tables through HarfBuzz, from the bytes above; the
        # fontTools copy is only subset for embedding, and pyHanko drops the layout tables from that subset.
        # fontTools (4.68) still parses them before dropping them, and parses and rewrites MATH: together about
        # half the CPU of a signature. Removed from the fontTools copy, the subset never touches them.
        for tag in _NOT_EMBEDDED_TABLES:
            if tag in engine.tt:
                del engine.tt[tag]
        return engine


@functools.cache
def _stamp_style(font_file: Path) -> TextStampStyle:
    return TextStampStyle(
        stamp_text=_STAMP_TEXT,
        text_box_style=TextBoxStyle(
            font=_InMemoryFontFactory(font_file.read_bytes()),
            font_size=8,
            leading=10,
        ),
        inner_content_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN, y_align=AxisAlignment.ALIGN_MID, margins=Margins.uniform(6)
        ),
        border_width=1,
        border_color=(0.12, 0.23, 0.37),
        background=None,
    )


def format_signing_time(when: dt.datetime) -> str:
    """Format a signing time for the stamp, with its UTC offset (e.g. 17.04.2020 14:05:00 UTC+01:00)."""
    offset = when.strftime("%z")
    return when.strftime("%d.%m.%Y %H:%M:%S") + f" UTC{offset[:3]}:{offset[3:]}"


def _wrap(label: str, text: str) -> str:
    return "\n".join(textwrap.wrap(f"{label}{text}", _WRAP, subsequent_indent="  ")) if text else ""


def _asn1_cert(cert: x509.Certificate | bytes) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(load_certificate(cert).public_bytes(serialization.Encoding.DER))


def _asn1_key(key: SigningKey) -> asn1_keys.PrivateKeyInfo:
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return asn1_keys.PrivateKeyInfo.load(der)


def _reserved_bytes(certs: Sequence[asn1_x509.Certificate]) -> int:
    # The CMS blob embeds every certificate plus signed attributes and the signature value (at most 512
    # bytes for RSA-4096). Sizing it up front spares pyHanko a dummy signing pass made only to measure it.
    size = sum(len(c.dump()) for c in certs) + _CMS_OVERHEAD
    return size + size % 2  # pyHanko requires an even count


def sign_pdf(
    pdf_bytes: bytes,
    *,
    signer_cert: x509.Certificate | bytes,
    signer_key: SigningKey,
    chain: Sequence[x509.Certificate | bytes],
    field_name: str,
    reason: str,
    location: str,
    signer_display_name: str,
    role: str,
    when: dt.datetime,
    stamp_box: Box = WORKER_STAMP_BOX,
    page: int = SIGNATURE_PAGE,
    font_cache_dir: Path | None = None,
) -> bytes:
    """Add a PAdES signature with a visible stamp in ``stamp_box`` on ``page`` as an incremental update."""
    if when.tzinfo is None:
        raise ValueError("when must be timezone-aware")
    if len(stamp_box) != 4 or stamp_box[0] >= stamp_box[2] or stamp_box[1] >= stamp_box[3]:
        raise ValueError("stamp_box must be (x1, y1, x2, y2) with x1 < x2 and y1 < y2")
    cert = _asn1_cert(signer_cert)
    chain_certs = [_asn1_cert(c) for c in chain]
    signer = signers.SimpleSigner(
        signing_cert=cert,
        signing_key=_asn1_key(signer_key),
        cert_registry=SimpleCertificateStore.from_certs(chain_certs),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=signer_display_name,
    )
    pdf_signer = _SigningTimePdfSigner(
        meta,
        signer=signer,
        stamp_style=_stamp_style(stamp_font_path(font_cache_dir)),
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=field_name,
            on_page=page,
            box=tuple(int(round(v)) for v in stamp_box),  # type: ignore[arg-type]
        ),
        signing_time=when,
    )
    text_params = {
        "signer": _wrap("", f"{signer_display_name}, {role}"),
        "signed_at": format_signing_time(when),
        "reason": _wrap("Cel: ", reason),
        "location": _wrap("Miejsce: ", location),
    }
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
        out = pdf_signer.sign_pdf(writer, appearance_text_params=text_params,
                                  bytes_reserved=_reserved_bytes([cert, *chain_certs]))
    except Exception as exc:
        raise SigningError(f"could not sign field {field_name!r}: {exc}") from exc
    return bytes(out.getbuffer())


def sign_pdf_with_wrapped_key(pdf_bytes: bytes, *, wrapped_key: bytes, password: str, **kwargs: Any) -> bytes:
    """Unwrap the user's stored key with their password, then sign; WrongPassword means nothing was signed."""
    return sign_pdf(pdf_bytes, signer_key=unwrap_private_key(wrapped_key, password), **kwargs)
