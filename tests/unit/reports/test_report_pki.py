"""Office CA, signing certificates, password-bound key wrapping and PKCS#12 import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from app.config import Mode, Settings
from app.reports import pki, pki_store

from .conftest import CA_PASSPHRASE, FAST_KDF, Signer


def _same_key(a: pki.SigningKey, b: pki.SigningKey) -> bool:
    return a.private_numbers() == b.private_numbers()


def test_office_ca_is_a_ca_with_encrypted_key(office_ca: tuple[bytes, bytes]) -> None:
    """The CA certificate may sign certificates, and its key needs the passphrase."""
    cert = x509.load_pem_x509_certificate(office_ca[0])
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    assert b"ENCRYPTED PRIVATE KEY" in office_ca[1]
    with pytest.raises(pki.WrongPassword):
        pki.load_ca_key(office_ca[1], "nie to hasło")
    assert isinstance(pki.load_ca_key(office_ca[1], CA_PASSPHRASE), ec.EllipticCurvePrivateKey)


def test_signing_certificate_names_person_role_office(worker_signer: Signer, office_ca: tuple[bytes, bytes]) -> None:
    """CN is the full name, title the role, O the office; usage is signing and non-repudiation only."""
    cert = x509.load_pem_x509_certificate(worker_signer.cert_pem)
    ca = x509.load_pem_x509_certificate(office_ca[0])
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Grzegorz Źdźbło"
    assert cert.subject.get_attributes_for_oid(NameOID.TITLE)[0].value == "pracownik socjalny"
    assert str(cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value).startswith("Gminny Ośrodek")
    assert cert.subject.get_attributes_for_oid(NameOID.USER_ID)[0].value == "7"
    assert cert.issuer == ca.subject
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert (usage.digital_signature, usage.content_commitment, usage.key_cert_sign) == (True, True, False)
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert dt.timedelta(days=3 * 365) <= lifetime <= dt.timedelta(days=3 * 365 + 1)
    cert.verify_directly_issued_by(ca)


def test_long_polish_office_name_fits_certificate_limits() -> None:
    """Names over 64 UTF-8 bytes (Polish letters take two) are shortened with an ellipsis, not refused."""
    office = "Miejski Ośrodek Pomocy Społecznej w Przykładowie (demo) — Źródło Żółć"
    ca_pem, ca_key = pki.create_office_ca(office, CA_PASSPHRASE)
    cn = str(x509.load_pem_x509_certificate(ca_pem).subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)
    assert cn.startswith("CA podpisu — Miejski Ośrodek")
    assert cn.endswith("…")
    assert len(cn.encode()) <= 64
    cert_pem, _key = pki.issue_signing_certificate(ca_pem, ca_key, CA_PASSPHRASE, full_name="Żaneta Ćwikła",
                                                   role="pracownik socjalny", office_name=office, user_id=3)
    org = x509.load_pem_x509_certificate(cert_pem).subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0]
    assert len(str(org.value).encode()) <= 64


def test_issuing_with_wrong_ca_passphrase_fails(office_ca: tuple[bytes, bytes]) -> None:
    """No certificate is issued without the CA passphrase."""
    with pytest.raises(pki.WrongPassword):
        pki.issue_signing_certificate(office_ca[0], office_ca[1], "zgadywane", full_name="X", role="r",
                                      office_name="O", user_id=1)


def test_describe_certificate_exposes_serial_and_fingerprint(worker_signer: Signer) -> None:
    """The caller can store serial and fingerprint to keep its own revoked flag."""
    info = pki.describe_certificate(worker_signer.cert_pem)
    cert = x509.load_pem_x509_certificate(worker_signer.cert_pem)
    assert info.serial_number == cert.serial_number
    assert info.sha256_fingerprint == pki.certificate_fingerprint(cert)
    assert len(info.sha256_fingerprint) == 64
    assert info.subject_cn == "Grzegorz Źdźbło"
    assert "CA podpisu" in info.issuer_cn


def test_wrapped_key_opens_only_with_the_password(worker_signer: Signer) -> None:
    """The right password restores the key; a wrong one raises WrongPassword."""
    blob = pki.wrap_private_key(worker_signer.key, "Żółw-2020!", params=FAST_KDF)
    assert _same_key(pki.unwrap_private_key(blob, "Żółw-2020!"), worker_signer.key)
    with pytest.raises(pki.WrongPassword):
        pki.unwrap_private_key(blob, "żółw-2020!")


def test_rewrap_after_password_change(worker_signer: Signer) -> None:
    """After a password change only the new password opens the key."""
    blob = pki.wrap_private_key(worker_signer.key, "stare hasło", params=FAST_KDF)
    new_blob = pki.rewrap_private_key(blob, "stare hasło", "nowe hasło", params=FAST_KDF)
    assert _same_key(pki.unwrap_private_key(new_blob, "nowe hasło"), worker_signer.key)
    with pytest.raises(pki.WrongPassword):
        pki.unwrap_private_key(new_blob, "stare hasło")
    with pytest.raises(pki.WrongPassword):
        pki.rewrap_private_key(blob, "pomyłka", "nowe hasło", params=FAST_KDF)


def test_wrapped_blob_tampering_is_detected(worker_signer: Signer) -> None:
    """Lowering the stored KDF cost or garbage input is refused."""
    good = pki.wrap_private_key(worker_signer.key, "hasło", params=FAST_KDF)
    cheaper = bytearray(good)
    cheaper[13] ^= 0x01  # memory_kib 8192 -> 8193: still in range, but the header is authenticated
    with pytest.raises(pki.WrongPassword):
        pki.unwrap_private_key(bytes(cheaper), "hasło")
    zero_cost = bytearray(good)
    zero_cost[9] = 0  # time_cost 1 -> 0
    with pytest.raises(pki.InvalidKeyBlob, match="out of range"):
        pki.unwrap_private_key(bytes(zero_cost), "hasło")
    with pytest.raises(pki.InvalidKeyBlob):
        pki.unwrap_private_key(b"not a key", "hasło")


def test_default_kdf_is_argon2id_with_real_cost(worker_signer: Signer) -> None:
    """The default parameters are the production ones and are recorded in the blob."""
    blob = pki.wrap_private_key(worker_signer.key, "hasło")
    assert blob.startswith(b"TWKEY1")
    assert pki.DEFAULT_KDF.memory_kib >= 64 * 1024
    assert _same_key(pki.unwrap_private_key(blob, "hasło"), worker_signer.key)


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("cheap", [False, True])
def test_only_the_test_suite_wraps_new_signing_keys_cheaply(tmp_path: Path, mode: Mode, cheap: bool) -> None:
    """The real argon2id cost everywhere but env=test with TELEWYWIAD_TEST_CHEAP_HASHING (refused elsewhere)."""
    kdf = pki_store.kdf_for(Settings(env=mode, instance_path=tmp_path, test_cheap_hashing=cheap))
    if mode is Mode.TEST and cheap:
        assert kdf == pki_store.TEST_ONLY_KDF
    else:
        assert kdf == pki.DEFAULT_KDF
        assert kdf.memory_kib >= 64 * 1024 and kdf.time_cost >= 3


def test_pkcs12_round_trip(worker_signer: Signer, office_ca: tuple[bytes, bytes]) -> None:
    """A PKCS#12 export loads back to the same certificate, key and chain."""
    data = pki.export_pkcs12(worker_signer.cert_pem, worker_signer.key, [office_ca[0]], "p12-hasło")
    cert, key, chain = pki.load_pkcs12(data, "p12-hasło")
    assert cert == x509.load_pem_x509_certificate(worker_signer.cert_pem)
    assert _same_key(key, worker_signer.key)
    assert chain == [x509.load_pem_x509_certificate(office_ca[0])]


def test_pkcs12_with_foreign_rsa_certificate() -> None:
    """A user's own RSA certificate from another CA (as qualified ones often are) loads too."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Łucja Świątek")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    loaded_cert, loaded_key, chain = pki.load_pkcs12(pki.export_pkcs12(cert, key, [], "qes"), "qes")
    assert loaded_cert == cert
    assert isinstance(loaded_key, rsa.RSAPrivateKey)
    assert chain == []


def test_pkcs12_errors_are_clear(worker_signer: Signer) -> None:
    """Wrong password and non-PKCS#12 data raise distinct, named errors."""
    data = pki.export_pkcs12(worker_signer.cert_pem, worker_signer.key, [], "dobre")
    with pytest.raises(pki.WrongPassword):
        pki.load_pkcs12(data, "złe")
    with pytest.raises(pki.Pkcs12Error, match="not a PKCS#12"):
        pki.load_pkcs12(b"%PDF-1.7 nothing here", "dobre")
