"""The office's signing CA, users' signing certificates, and private keys wrapped with the user's password."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

CA_VALIDITY = dt.timedelta(days=10 * 365)
SIGNING_CERT_VALIDITY = dt.timedelta(days=3 * 365)
# Tolerates small clock differences between the server and a verifier.
_BACKDATE = dt.timedelta(minutes=5)


class PkiError(Exception):
    """Base class of the errors raised by this module."""


class WrongPassword(PkiError):  # noqa: N818 - the name the rest of the app catches
    """The password or passphrase does not open the key."""


class InvalidKeyBlob(PkiError):  # noqa: N818
    """The wrapped-key blob is damaged or not in a known format."""


class Pkcs12Error(PkiError):
    """The PKCS#12 file cannot be used for signing."""


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost parameters; stored in each blob so they can be raised later without breaking old blobs."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 1


DEFAULT_KDF = KdfParams()

_MAGIC = b"TWKEY1"
_HEADER = struct.Struct(">6sIII16s12s")  # magic, time_cost, memory_kib, parallelism, salt, nonce


@dataclass(frozen=True)
class CertificateInfo:
    """What the caller stores about a certificate, e.g. to mark it revoked."""

    subject_cn: str
    issuer_cn: str
    serial_number: int
    sha256_fingerprint: str
    not_before: dt.datetime
    not_after: dt.datetime


# RFC 5280 upper bounds for CN, O and title; cryptography refuses longer common names outright.
_NAME_MAX = 64


def _fit(text: str) -> str:
    # cryptography measures the limit in UTF-8 bytes, and Polish letters take two of them.
    if len(text.encode()) <= _NAME_MAX:
        return text
    while len((text + "…").encode()) > _NAME_MAX:
        text = text[:-1]
    return text + "…"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _cn(name: x509.Name) -> str:
    attrs = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else name.rfc4514_string()


def load_certificate(cert: x509.Certificate | bytes) -> x509.Certificate:
    """Return a certificate object from PEM or DER bytes (or the object itself)."""
    if isinstance(cert, x509.Certificate):
        return cert
    if cert.lstrip().startswith(b"-----BEGIN"):
        return x509.load_pem_x509_certificate(cert)
    return x509.load_der_x509_certificate(cert)


def describe_certificate(cert: x509.Certificate | bytes) -> CertificateInfo:
    """Return the serial number, SHA-256 fingerprint, names and validity of a certificate."""
    c = load_certificate(cert)
    return CertificateInfo(
        subject_cn=_cn(c.subject),
        issuer_cn=_cn(c.issuer),
        serial_number=c.serial_number,
        sha256_fingerprint=c.fingerprint(hashes.SHA256()).hex(),
        not_before=c.not_valid_before_utc,
        not_after=c.not_valid_after_utc,
    )


def create_office_ca(office_name: str, passphrase: str, *, now: dt.datetime | None = None) -> tuple[bytes, bytes]:
    """Create the office's signing CA; return (certificate PEM, private key PEM encrypted with ``passphrase``)."""
    if not passphrase:
        raise ValueError("the CA key needs a non-empty passphrase")
    start = (now or _now()) - _BACKDATE
    key = ec.generate_private_key(ec.SECP384R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "PL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, _fit(office_name)),
        x509.NameAttribute(NameOID.COMMON_NAME, _fit(f"CA podpisu — {office_name}")),
    ])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA384())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def load_ca_key(ca_key_pem: bytes, passphrase: str) -> SigningKey:
    """Decrypt the CA's private key, raising WrongPassword for a wrong passphrase."""
    try:
        key = serialization.load_pem_private_key(ca_key_pem, password=passphrase.encode())
    except (ValueError, TypeError) as exc:
        raise WrongPassword("the CA passphrase does not open the CA key") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise PkiError(f"unsupported CA key type {type(key).__name__}")
    return key


def issue_signing_certificate(
    ca_cert_pem: bytes,
    ca_key_pem: bytes,
    ca_passphrase: str,
    *,
    full_name: str,
    role: str,
    office_name: str,
    user_id: str | int,
    now: dt.datetime | None = None,
    validity: dt.timedelta = SIGNING_CERT_VALIDITY,
) -> tuple[bytes, ec.EllipticCurvePrivateKey]:
    """Issue a user's signing certificate from the office CA; return (certificate PEM, new private key)."""
    ca_cert = load_certificate(ca_cert_pem)
    ca_key = load_ca_key(ca_key_pem, ca_passphrase)
    start = (now or _now()) - _BACKDATE
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "PL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, _fit(office_name)),
        x509.NameAttribute(NameOID.TITLE, _fit(role)),
        x509.NameAttribute(NameOID.USER_ID, str(user_id)),
        x509.NameAttribute(NameOID.COMMON_NAME, _fit(full_name)),
    ])
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        # A certificate outliving its CA could never validate.
        .not_valid_after(min(start + validity, ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA384() if isinstance(ca_key, ec.EllipticCurvePrivateKey) else hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM), key


def _derive(password: str, salt: bytes, params: KdfParams) -> bytes:
    return hash_secret_raw(
        secret=password.encode(),
        salt=salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def wrap_private_key(private_key: SigningKey, password: str, *, params: KdfParams = DEFAULT_KDF) -> bytes:
    """Encrypt a private key with AES-256-GCM under an Argon2id key derived from the user's password."""
    if not password:
        raise ValueError("a key cannot be wrapped with an empty password")
    salt, nonce = os.urandom(16), os.urandom(12)
    header = _HEADER.pack(_MAGIC, params.time_cost, params.memory_kib, params.parallelism, salt, nonce)
    der = private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # The header is authenticated too, so nobody can lower the KDF cost of a stored blob unnoticed.
    return header + AESGCM(_derive(password, salt, params)).encrypt(nonce, der, header)


def unwrap_private_key(blob: bytes, password: str) -> SigningKey:
    """Decrypt a blob from wrap_private_key; raise WrongPassword if the password does not open it."""
    if len(blob) <= _HEADER.size or not blob.startswith(_MAGIC):
        raise InvalidKeyBlob("not a telewywiad wrapped key")
    magic, time_cost, memory_kib, parallelism, salt, nonce = _HEADER.unpack_from(blob)
    params = KdfParams(time_cost=time_cost, memory_kib=memory_kib, parallelism=parallelism)
    # Bounds keep a crafted header from making the server spend minutes or gigabytes on one attempt.
    if not (1 <= time_cost <= 20 and 1 <= parallelism <= 16 and 8 * parallelism <= memory_kib <= 1024 * 1024):
        raise InvalidKeyBlob("the wrapped key's KDF parameters are out of range")
    header = blob[: _HEADER.size]
    try:
        der = AESGCM(_derive(password, salt, params)).decrypt(nonce, blob[_HEADER.size:], header)
    except InvalidTag as exc:
        # GCM cannot tell a wrong password from a damaged blob; the wrong password is by far the likelier.
        raise WrongPassword("the password does not open this signing key") from exc
    key = serialization.load_der_private_key(der, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise InvalidKeyBlob(f"unsupported key type {type(key).__name__}")
    return key


def rewrap_private_key(
    blob: bytes, old_password: str, new_password: str, *, params: KdfParams = DEFAULT_KDF
) -> bytes:
    """Re-encrypt a wrapped key for a password change; raise WrongPassword if ``old_password`` is wrong."""
    return wrap_private_key(unwrap_private_key(blob, old_password), new_password, params=params)


def _spki(public_key: CertificatePublicKeyTypes) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_pkcs12(data: bytes, password: str | None) -> tuple[x509.Certificate, SigningKey, list[x509.Certificate]]:
    """Open a user's own PKCS#12 (e.g. qualified) certificate; return (certificate, key, other certificates)."""
    try:
        asn1_pkcs12.Pfx.load(data).native  # noqa: B018 - parses fully, to tell "not PKCS#12" from a wrong password
    except Exception as exc:
        raise Pkcs12Error("the file is not a PKCS#12 (.p12/.pfx) container") from exc
    try:
        bundle = pkcs12.load_pkcs12(data, password.encode() if password else None)
    except ValueError as exc:
        raise WrongPassword("the password does not open this PKCS#12 file") from exc
    if bundle.key is None:
        raise Pkcs12Error("the PKCS#12 file holds no private key")
    if bundle.cert is None:
        raise Pkcs12Error("the PKCS#12 file holds no certificate for its private key")
    key = bundle.key
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise Pkcs12Error(f"unsupported key type {type(key).__name__}; RSA or EC is needed")
    cert = bundle.cert.certificate
    if _spki(cert.public_key()) != _spki(key.public_key()):
        raise Pkcs12Error("the certificate in the PKCS#12 file does not match its private key")
    return cert, key, [c.certificate for c in bundle.additional_certs]


def export_pkcs12(
    cert: x509.Certificate | bytes,
    key: SigningKey,
    chain: Sequence[x509.Certificate | bytes],
    password: str,
    *,
    friendly_name: str = "telewywiad",
) -> bytes:
    """Bundle a certificate, its key and chain into a password-protected PKCS#12 file."""
    return pkcs12.serialize_key_and_certificates(
        friendly_name.encode(),
        key,
        load_certificate(cert),
        [load_certificate(c) for c in chain] or None,
        serialization.BestAvailableEncryption(password.encode()),
    )


def certificate_fingerprint(cert: x509.Certificate | bytes) -> str:
    """Return the certificate's SHA-256 fingerprint as lowercase hex."""
    return hashlib.sha256(load_certificate(cert).public_bytes(serialization.Encoding.DER)).hexdigest()
