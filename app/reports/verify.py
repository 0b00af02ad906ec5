"""Verify the PAdES signatures of a report against the office CA, offline."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, ValidationError

from app.reports.pki import load_certificate

# Only signature-related updates may follow a signature; anything else means the document changed.
_ACCEPTABLE_MODIFICATIONS = {ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING}


@dataclass(frozen=True)
class SignatureCheck:
    """The verdict on one signature in the document."""

    field_name: str
    signer_name: str | None
    signer_serial: int | None
    signer_fingerprint: str | None
    signing_time: dt.datetime | None
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_document: bool
    modifications_ok: bool
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """True when the signature is intact, cryptographically valid, trusted and followed only by signing."""
        return self.intact and self.valid and self.trusted and self.modifications_ok and self.problem is None


@dataclass(frozen=True)
class VerificationReport:
    """The verdict on every signature, in document order, and on the document as a whole."""

    signatures: tuple[SignatureCheck, ...]
    error: str | None = None

    @property
    def all_valid(self) -> bool:
        """True when there is at least one signature, all are ok and the last one covers the whole file."""
        return (
            self.error is None
            and bool(self.signatures)
            and all(s.ok for s in self.signatures)
            and self.signatures[-1].covers_whole_document
        )


def sha256_hex(data: bytes) -> str:
    """Return the SHA-256 digest of ``data`` as lowercase hex, for archiving a signed file."""
    return hashlib.sha256(data).hexdigest()


def _asn1(cert: x509.Certificate | bytes) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(load_certificate(cert).public_bytes(serialization.Encoding.DER))


def _check(sig: EmbeddedPdfSignature, context: ValidationContext) -> SignatureCheck:
    field_name = sig.field_name
    try:
        cert = sig.signer_cert
        signer_name = cert.subject.native.get("common_name")
        serial = cert.serial_number
        fingerprint = cert.sha256.hex()
    except Exception as exc:  # a damaged CMS blob must yield a verdict, not a crash
        return SignatureCheck(field_name, None, None, None, None, False, False, False, False, False,
                              problem=f"unreadable signature: {exc}")
    try:
        status = validate_pdf_signature(sig, context)
    except Exception as exc:
        return SignatureCheck(field_name, signer_name, serial, fingerprint, None, False, False, False, False, False,
                              problem=f"validation failed: {exc}")
    level = status.modification_level
    return SignatureCheck(
        field_name=field_name,
        signer_name=signer_name,
        signer_serial=serial,
        signer_fingerprint=fingerprint,
        signing_time=status.signer_reported_dt,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        covers_whole_document=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        modifications_ok=status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        or (level in _ACCEPTABLE_MODIFICATIONS and bool(status.docmdp_ok)),
        problem=None if status.trusted else _trust_problem(status.intact, status.valid, status.trust_problem_indic),
    )


def _trust_problem(intact: bool, valid: bool, indication: object) -> str:
    if not intact:
        return "the signed bytes were changed"
    if not valid:
        return "the signature value does not verify"
    return f"the signer's certificate does not chain to the office CA or a CA of TELEWYWIAD_TRUSTED_CA_FILE ({indication})"


def verify_pdf(pdf_bytes: bytes, *, trust_roots: Sequence[x509.Certificate | bytes]) -> VerificationReport:
    """Check every signature against ``trust_roots`` only, never fetching anything from the network."""
    if not trust_roots:
        raise ValueError("trust_roots must name at least one office CA certificate")
    # Explicit roots and no fetching: the system trust store and AIA/OCSP/CRL look-ups are never consulted.
    context = ValidationContext(trust_roots=[_asn1(c) for c in trust_roots], allow_fetching=False)
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # a corrupted file is a "not valid" verdict, not an error page
        return VerificationReport(signatures=(), error=f"the file cannot be read as a PDF: {exc}")
    if not embedded:
        return VerificationReport(signatures=(), error="the document carries no signature")
    return VerificationReport(signatures=tuple(_check(sig, context) for sig in embedded))


def chains_to(cert: x509.Certificate, intermediates: Sequence[x509.Certificate | bytes], *,
              trust_roots: Sequence[x509.Certificate | bytes]) -> bool:
    """True when ``cert`` builds a valid path to one of ``trust_roots`` (offline; revocation not consulted)."""
    if not trust_roots:
        return False
    context = ValidationContext(trust_roots=[_asn1(c) for c in trust_roots], allow_fetching=False)
    validator = CertificateValidator(_asn1(cert), intermediate_certs=[_asn1(c) for c in intermediates],
                                     validation_context=context)
    try:
        asyncio.run(validator.async_validate_path())
    except (PathBuildingError, PathValidationError, ValidationError):
        return False
    return True
