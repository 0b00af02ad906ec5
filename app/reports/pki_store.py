"""The office PKI in the database: the CA, users' certificates issued on first need, password-bound keys."""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from app import audit
from app.auth.models import Office, Role, User
from app.auth.reauth import Guard, confirm_password
from app.auth.signals import office_created, password_changed, password_reset
from app.clock import utcnow
from app.config import Mode, Settings
from app.db import lock_row
from app.reports import pki, verify
from app.reports.models import CertificateSource, OfficeCA, SigningCertificate

PASSPHRASE_FILE = "pki_passphrase"  # noqa: S105  # nosec B105  # reason: a file name, not a secret
# A PKCS#12 with a certificate chain is a few kilobytes; anything far larger is not one.
MAX_PKCS12_BYTES = 64 * 1024
# The test suite only (Settings.cheap_hashing): the cheapest argon2id for wrapping newly issued signing keys, as the
# test password hasher (app/auth/passwords.py); everything else wraps with pki.DEFAULT_KDF.
TEST_ONLY_KDF = pki.KdfParams(time_cost=1, memory_kib=8, parallelism=1)

# Polish on purpose: it is written into certificates and stamps, whatever the user's UI language.
CERT_ROLE_TITLES = {Role.SUPERVISOR: "kierownik", Role.WORKER: "pracownik socjalny"}


class SigningProblem(ValueError):
    """Signing cannot go ahead; `message` is shown to the user, `field` names the form field concerned."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PkiNotConfigured(SigningProblem):
    """The installation has no CA passphrase or no office CA (an administrator must act)."""


def ca_passphrase(settings: Settings) -> str:
    """The CA key passphrase: from TELEWYWIAD_PKI_PASSPHRASE, or generated once per instance in dev/demo/test."""
    if settings.pki_passphrase is not None and settings.pki_passphrase.get_secret_value():
        return settings.pki_passphrase.get_secret_value()
    if settings.env is Mode.PRODUCTION:
        raise PkiNotConfigured(
            "TELEWYWIAD_PKI_PASSPHRASE is not set. The office signing CA's private key is encrypted with it; "
            "set a long random value (e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))'), "
            "keep it with the database backups, and run `telewywiad pki init`."
        )
    path = settings.instance_path / PASSPHRASE_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value)
    return value


def kdf_for(settings: Settings) -> pki.KdfParams:
    """The cost of wrapping a new signing key: the real one unless it is the test suite's cheap-hashing app."""
    return TEST_ONLY_KDF if settings.cheap_hashing else pki.DEFAULT_KDF


def office_ca(session: Session, office_id: int) -> OfficeCA | None:
    """The office's CA, if created."""
    return session.exec(select(OfficeCA).where(OfficeCA.office_id == office_id)).first()


def init_office_ca(session: Session, office: Office, passphrase: str, *, actor_id: int | None = None) -> tuple[OfficeCA, bool]:
    """Create the office's CA unless it exists; return it and whether it was created now."""
    assert office.id is not None  # noqa: S101
    lock_row(session, Office, office.id)  # two first signatures at once create one CA, not two (unique office_id)
    existing = office_ca(session, office.id)
    if existing is not None:
        return existing, False
    cert_pem, key_pem = pki.create_office_ca(office.name, passphrase)
    ca = OfficeCA(
        office_id=office.id,
        cert_pem=cert_pem.decode(),
        key_pem=key_pem.decode(),
        fingerprint=pki.certificate_fingerprint(cert_pem),
    )
    session.add(ca)
    session.flush()
    audit.log(session, "pki.ca_create", actor=actor_id, obj=ca, fingerprint=ca.fingerprint)
    return ca, True


def _ca_for_issuing(session: Session, office: Office, settings: Settings) -> tuple[OfficeCA, str]:
    passphrase = ca_passphrase(settings)
    assert office.id is not None  # noqa: S101
    ca = office_ca(session, office.id)
    if ca is None:
        if settings.env is Mode.PRODUCTION:
            raise PkiNotConfigured(str(_l(
                "Ośrodek nie ma jeszcze urzędu certyfikacji do podpisów. "
                "Administrator musi uruchomić polecenie „telewywiad pki init”."
            )))
        ca, _created = init_office_ca(session, office, passphrase)
    return ca, passphrase


def trust_roots(session: Session, office_id: int | None = None) -> list[bytes]:
    """The office CA certificates that signatures must chain to (every office's when office_id is None)."""
    query = select(OfficeCA.cert_pem)
    if office_id is not None:
        query = query.where(OfficeCA.office_id == office_id)
    return [pem.encode() for pem in session.exec(query).all()]


def certificate_trusted(session: Session, row: SigningCertificate, *, extra_roots: Sequence[bytes] = ()) -> bool:
    """Will signatures made with this certificate verify as trusted (office CA or the configured extra CAs)?"""
    chain = x509.load_pem_x509_certificates(row.chain_pem.encode()) if row.chain_pem.strip() else []
    return verify.chains_to(pki.load_certificate(row.cert_pem.encode()), chain,
                            trust_roots=[*trust_roots(session, row.office_id), *extra_roots])


def active_certificate(session: Session, user_id: int) -> SigningCertificate | None:
    """The user's newest usable certificate (not revoked, not expired)."""
    now = utcnow()
    rows = session.exec(
        select(SigningCertificate)
        .where(SigningCertificate.user_id == user_id, col(SigningCertificate.revoked).is_(False))
        .order_by(col(SigningCertificate.id).desc())
    ).all()
    for row in rows:
        not_after = row.not_after if row.not_after.tzinfo else row.not_after.replace(tzinfo=UTC)
        if not_after > now:
            return row
    return None


def certificates_of(session: Session, user_id: int) -> list[SigningCertificate]:
    """All of a user's certificates, newest first (revoked ones included, for the account page)."""
    return list(session.exec(
        select(SigningCertificate).where(SigningCertificate.user_id == user_id).order_by(col(SigningCertificate.id).desc())
    ).all())


def _row(user: User, cert: x509.Certificate, wrapped: bytes, source: str, chain: list[x509.Certificate]) -> SigningCertificate:
    info = pki.describe_certificate(cert)
    assert user.id is not None  # noqa: S101
    return SigningCertificate(
        office_id=user.office_id,
        user_id=user.id,
        source=source,
        cert_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        chain_pem="".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in chain),
        wrapped_key=wrapped,
        subject_cn=info.subject_cn[:200],
        serial_hex=format(info.serial_number, "x")[:64],
        fingerprint=info.sha256_fingerprint,
        not_after=info.not_after,
    )


@dataclass
class SigningMaterial:
    """What signing needs: the certificate row (not yet added when new), the unwrapped key and the chain."""

    certificate: SigningCertificate
    key: pki.SigningKey
    chain: list[bytes]
    is_new: bool


def _check_password(session: Session, user: User, password: str, guard: Guard | None) -> None:
    """The account password, counted towards the login lock-out (ReauthThrottled while locked)."""
    if not password:
        raise SigningProblem(str(_l("Wpisz swoje hasło, aby podpisać.")), "password")
    if not confirm_password(session, user=user, password=password, guard=guard):
        raise SigningProblem(str(_l("Hasło jest nieprawidłowe. Niczego nie podpisano.")), "password")


def signing_material(session: Session, *, user: User, roles: frozenset[Role], password: str,
                     settings: Settings, guard: Guard | None = None) -> SigningMaterial:
    """Open the user's key with their password, issuing a certificate first if they have none.

    Writes nothing but the counted attempt (`guard`): the caller adds `certificate` to the session only once
    signing has succeeded, so a failure stores nothing else.
    """
    _check_password(session, user, password, guard)
    assert user.id is not None  # noqa: S101
    current = active_certificate(session, user.id)
    if current is not None:
        try:
            key = pki.unwrap_private_key(current.wrapped_key, password)
        except pki.WrongPassword as exc:
            raise SigningProblem(str(_l(
                "Twój klucz podpisu nie otwiera się tym hasłem. Poproś administratora o nowy certyfikat."
            )), "password") from exc
        return SigningMaterial(current, key, _chain_of(session, current), is_new=False)
    office = session.get(Office, user.office_id)
    assert office is not None  # noqa: S101
    ca, passphrase = _ca_for_issuing(session, office, settings)
    title = ", ".join(CERT_ROLE_TITLES[r] for r in (Role.WORKER, Role.SUPERVISOR) if r in roles) or "pracownik"
    try:
        cert_pem, key = pki.issue_signing_certificate(
            ca.cert_pem.encode(), ca.key_pem.encode(), passphrase,
            full_name=user.full_name, role=title, office_name=office.name, user_id=user.id,
        )
    except pki.WrongPassword as exc:
        raise PkiNotConfigured(str(_l(
            "Hasło urzędu certyfikacji w konfiguracji nie pasuje do klucza ośrodka. Skontaktuj się z administratorem."
        ))) from exc
    wrapped = pki.wrap_private_key(key, password, params=kdf_for(settings))
    row = _row(user, pki.load_certificate(cert_pem), wrapped, CertificateSource.OFFICE, [])
    return SigningMaterial(row, key, [ca.cert_pem.encode()], is_new=True)


def _chain_of(session: Session, certificate: SigningCertificate) -> list[bytes]:
    if certificate.source == CertificateSource.UPLOADED:
        return [c.public_bytes(serialization.Encoding.PEM) for c in x509.load_pem_x509_certificates(
            certificate.chain_pem.encode())] if certificate.chain_pem else []
    ca = office_ca(session, certificate.office_id)
    return [ca.cert_pem.encode()] if ca else []


def store_new_certificate(session: Session, material: SigningMaterial) -> SigningCertificate:
    """Persist a certificate issued by signing_material, with an audit event."""
    cert = material.certificate
    session.add(cert)
    session.flush()
    audit.log(session, "pki.cert_issue", actor=cert.user_id, obj=cert, fingerprint=cert.fingerprint)
    return cert


def rewrap_on_password_change(session: Session, user: User, *, old: str, new: str) -> int:
    """Re-encrypt the user's usable keys under the new password; return how many were re-wrapped."""
    count = 0
    for cert in session.exec(select(SigningCertificate).where(
        SigningCertificate.user_id == user.id, col(SigningCertificate.revoked).is_(False)
    )).all():
        try:
            cert.wrapped_key = pki.rewrap_private_key(cert.wrapped_key, old, new)
        except pki.PkiError:
            # A key the old password does not open cannot be used any more: take it out of use.
            _revoke(cert, "unreadable")
        session.add(cert)
        count += 1
        audit.log(session, "pki.cert_rewrap", actor=user, obj=cert, office_id=user.office_id, revoked=cert.revoked)
    return count


def _revoke(cert: SigningCertificate, reason: str) -> None:
    cert.revoked = True
    cert.revoked_at = utcnow()
    cert.revoked_reason = reason


def revoke_on_password_reset(session: Session, user: User, *, actor_id: int) -> int:
    """An administrator set a new password: the old keys are unusable, so revoke them (new ones come at next signing)."""
    count = 0
    for cert in session.exec(select(SigningCertificate).where(
        SigningCertificate.user_id == user.id, col(SigningCertificate.revoked).is_(False)
    )).all():
        _revoke(cert, "password_reset")
        session.add(cert)
        count += 1
        audit.log(session, "pki.cert_revoke", actor=actor_id, obj=cert, office_id=user.office_id,
                  reason="password_reset", fingerprint=cert.fingerprint)
    return count


def import_pkcs12(session: Session, *, user: User, data: bytes, p12_password: str, password: str,
                  guard: Guard | None = None) -> SigningCertificate:
    """Use the user's own PKCS#12 for signing: its key is re-wrapped with the account password, the file is not kept."""
    _check_password(session, user, password, guard)
    if not data:
        raise SigningProblem(str(_l("Wybierz plik certyfikatu (.p12 lub .pfx).")), "pkcs12")
    if len(data) > MAX_PKCS12_BYTES:
        raise SigningProblem(str(_l("Plik certyfikatu jest za duży (najwyżej 64 KB).")), "pkcs12")
    try:
        cert, key, others = pki.load_pkcs12(data, p12_password or None)
    except pki.WrongPassword as exc:
        raise SigningProblem(str(_l("Hasło nie otwiera tego pliku certyfikatu.")), "p12_password") from exc
    except (pki.PkiError, ValueError) as exc:
        raise SigningProblem(str(_l("To nie jest plik certyfikatu PKCS#12 z kluczem prywatnym, którego można użyć.")),
                             "pkcs12") from exc
    now = utcnow()
    if not (cert.not_valid_before_utc <= now < cert.not_valid_after_utc):
        raise SigningProblem(str(_l("Certyfikat jest nieważny (poza okresem ważności).")), "pkcs12")
    # The uploaded certificate replaces the user's current one for signing.
    assert user.id is not None  # noqa: S101
    for old in session.exec(select(SigningCertificate).where(
        SigningCertificate.user_id == user.id, col(SigningCertificate.revoked).is_(False)
    )).all():
        _revoke(old, "replaced")
        session.add(old)
    row = _row(user, cert, pki.wrap_private_key(key, password), CertificateSource.UPLOADED, others)
    session.add(row)
    session.flush()
    audit.log(session, "pki.cert_upload", actor=user, obj=row, office_id=user.office_id, fingerprint=row.fingerprint)
    return row


# --------------------------------------------------------------------------- what auth and offices announce


@password_changed.connect
def _keys_follow_password(user: User, *, session: Session, old: str, new: str) -> None:
    rewrap_on_password_change(session, user, old=old, new=new)


@password_reset.connect
def _keys_revoked_on_reset(user: User, *, session: Session, actor_id: int) -> None:
    revoke_on_password_reset(session, user, actor_id=actor_id)


@office_created.connect
def _new_office_ca(office: Office, *, session: Session, actor_id: int | None, settings: Settings) -> str | None:
    """In production a new office gets its signing CA at once (elsewhere it is made at the first signature)."""
    if not settings.is_production:
        return None
    try:
        init_office_ca(session, office, ca_passphrase(settings), actor_id=actor_id)
    except PkiNotConfigured:
        return str(_l("Ośrodek nie ma jeszcze urzędu certyfikacji do podpisów: uruchom „telewywiad pki init”."))
    return None
