"""Office PKI in the database: CA set-up, certificates on first need, password-bound keys, reset, own PKCS#12."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlmodel import Session, col, select

from app.auth.models import Role, User
from app.cli import main
from app.config import ConfigError, Mode, Settings
from app.interviews.models import Interview
from app.reports import pki, pki_store
from app.reports.document_check import check_document
from app.reports.errors import ReviewError
from app.reports.models import OfficeCA, Report, ReportFile, SigningCertificate
from tests.conftest import login, token
from tests.factories import PASSWORD

from .conftest import submit

NEW_PASSWORD = "Nowe-Hasło-Do-Podpisu-42"


def _certs(db: Session, user: User) -> list[SigningCertificate]:
    db.expire_all()
    return list(db.exec(select(SigningCertificate).where(SigningCertificate.user_id == user.id)
                        .order_by(col(SigningCertificate.id))).all())


def test_production_refuses_without_pki_passphrase(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Outside dev/demo/test the CA passphrase must come from TELEWYWIAD_PKI_PASSPHRASE."""
    settings = Settings(env=Mode.PRODUCTION, secret_key=secrets.token_urlsafe(48), instance_path=tmp_path)
    with pytest.raises(pki_store.PkiNotConfigured, match="TELEWYWIAD_PKI_PASSPHRASE"):
        pki_store.ca_passphrase(settings)
    assert not (tmp_path / pki_store.PASSPHRASE_FILE).exists()
    configured = Settings(env=Mode.PRODUCTION, secret_key=secrets.token_urlsafe(48), instance_path=tmp_path,
                          pki_passphrase="bardzo-długie-hasło-urzędu")  # type: ignore[arg-type]
    assert pki_store.ca_passphrase(configured) == "bardzo-długie-hasło-urzędu"
    assert ConfigError  # the app-level configuration errors stay separate from PKI set-up


def test_dev_passphrase_is_generated_once_in_instance_folder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """In demo mode a random passphrase is written once (0600) and reused."""
    settings = Settings(env=Mode.DEMO, instance_path=tmp_path)
    first = pki_store.ca_passphrase(settings)
    assert len(first) >= 32
    assert pki_store.ca_passphrase(settings) == first
    assert (tmp_path / pki_store.PASSPHRASE_FILE).stat().st_mode & 0o777 == 0o600


def test_pki_init_creates_the_office_ca_once(runner: FlaskCliRunner, db: Session, office) -> None:  # type: ignore[no-untyped-def]
    """`telewywiad pki init` creates an encrypted CA; running it again keeps the same one."""
    first = runner.invoke(main, args=["pki", "init"])
    assert first.exit_code == 0, first.output
    assert "signing CA created" in first.output
    ca = db.exec(select(OfficeCA)).one()
    assert "ENCRYPTED PRIVATE KEY" in ca.key_pem
    second = runner.invoke(main, args=["pki", "init"])
    assert "already exists" in second.output
    assert ca.fingerprint in second.output
    assert len(db.exec(select(OfficeCA)).all()) == 1


def test_certificate_is_issued_on_first_signing(db: Session, settings: Settings, interview: Interview,
                                                worker: User) -> None:
    """The first signature issues a certificate naming the worker, role and office; its key is wrapped."""
    assert _certs(db, worker) == []
    submit(db, settings, interview, worker)
    (cert,) = _certs(db, worker)
    info = pki.describe_certificate(cert.cert_pem.encode())
    assert info.subject_cn == "Anna Kowalczyk-Łęcka"
    assert "BEGIN" not in cert.wrapped_key.decode("latin-1")  # not a plain PEM key
    with pytest.raises(pki.WrongPassword):
        pki.unwrap_private_key(cert.wrapped_key, "inne hasło")
    assert pki.unwrap_private_key(cert.wrapped_key, PASSWORD)


def test_password_change_rewraps_the_signing_key(app: Flask, db: Session, settings: Settings,
                                                 interview: Interview, worker: User) -> None:
    """After a password change the key opens with the new password only, and signing works with it."""
    submit(db, settings, interview, worker)
    (before,) = _certs(db, worker)
    before_id, before_blob = before.id, bytes(before.wrapped_key)
    client = app.test_client()
    login(client, worker.username)
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD,
        "csrf_token": token(client),
    })
    assert response.status_code == 302
    (after,) = _certs(db, worker)
    assert after.id == before_id
    assert not after.revoked
    assert after.wrapped_key != before_blob
    with pytest.raises(pki.WrongPassword):
        pki.unwrap_private_key(after.wrapped_key, PASSWORD)
    assert pki.unwrap_private_key(after.wrapped_key, NEW_PASSWORD)


def test_signing_after_password_change_needs_the_new_password(app: Flask, db: Session, settings: Settings,
                                                              office, worker: User) -> None:  # type: ignore[no-untyped-def]
    """The old password no longer signs; the new one does, with the same certificate."""
    from app.auth.services import change_password
    from app.reports.demo import make_finished_interview

    from .conftest import make_case

    first = make_finished_interview(db, case=make_case(db, office, worker, "RWS/2026/0010"), worker=worker)
    second = make_finished_interview(db, case=make_case(db, office, worker, "RWS/2026/0011"), worker=worker)
    db.commit()
    submit(db, settings, first, worker)
    user = db.get(User, worker.id)
    assert user is not None
    change_password(db, user, current=PASSWORD, new=NEW_PASSWORD, repeat=NEW_PASSWORD)
    db.commit()
    client = app.test_client()
    login(client, worker.username, NEW_PASSWORD)
    old = client.post(f"/interviews/{second.id}/sign", data={"password": PASSWORD, "csrf_token": token(client)})
    assert old.status_code == 422
    new = client.post(f"/interviews/{second.id}/sign", data={"password": NEW_PASSWORD, "csrf_token": token(client)})
    assert new.status_code == 302
    assert len(_certs(db, worker)) == 1


def test_admin_reset_revokes_and_next_signing_issues_a_new_certificate(
    app: Flask, db: Session, settings: Settings, office, interview: Interview, worker: User, user_factory,  # type: ignore[no-untyped-def]
) -> None:
    """A reset password cannot open the old key: the certificate is revoked (flag and time), a new one follows."""
    from app.reports.demo import make_finished_interview

    from .conftest import make_case

    submit(db, settings, interview, worker)
    admin = user_factory(Role.ADMIN, username="admin1")
    client = app.test_client()
    login(client, admin.username)
    response = client.post(f"/admin/users/{worker.id}/password",
                           data={"password": NEW_PASSWORD, "csrf_token": token(client, f"/admin/users/{worker.id}")})
    assert response.status_code == 302
    (old,) = _certs(db, worker)
    old_fingerprint = old.fingerprint
    assert old.revoked
    assert old.revoked_at is not None
    assert old.revoked_reason == "password_reset"

    another = make_finished_interview(db, case=make_case(db, office, worker, "RWS/2026/0012"), worker=worker)
    db.commit()
    from app.auth.services import load_principal
    from app.reports.review import submit_report

    submit_report(db, actor=load_principal(db, worker.id or 0), interview=another, password=NEW_PASSWORD,  # type: ignore[arg-type]
                  settings=settings)
    db.commit()
    old_again, new = _certs(db, worker)
    assert old_again.revoked
    assert not new.revoked
    assert new.fingerprint != old_fingerprint


def _foreign_ca() -> tuple[bytes, bytes]:
    return pki.create_office_ca("Kwalifikowany Dostawca Usług Zaufania (test)", "ca-hasło")


def _foreign_p12(password: str, ca: tuple[bytes, bytes] | None = None) -> bytes:
    ca_pem, ca_key = ca or _foreign_ca()
    cert, key = pki.issue_signing_certificate(ca_pem, ca_key, "ca-hasło", full_name="Anna Kowalczyk-Łęcka",
                                              role="pracownik socjalny", office_name="prywatny", user_id=99)
    return pki.export_pkcs12(cert, key, [ca_pem], password)


def _upload_p12(client: FlaskClient, p12: bytes) -> str:
    """Upload a PKCS#12 as the logged-in user; the page shown after the redirect."""
    import io

    data = {"p12_password": "hasło-pliku", "password": PASSWORD, "csrf_token": token(client, "/account/signing"),
            "pkcs12": (io.BytesIO(p12), "moj.p12")}
    response = client.post("/account/signing", data=data, content_type="multipart/form-data",
                           follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_own_pkcs12_is_used_for_signing(app: Flask, db: Session, settings: Settings, interview: Interview,
                                        worker: User, office) -> None:  # type: ignore[no-untyped-def]
    """An uploaded PKCS#12 replaces the office certificate; signatures made with it are intact, not office-trusted."""
    pki_store.init_office_ca(db, office, pki_store.ca_passphrase(settings))
    db.commit()
    client = app.test_client()
    login(client, worker.username)
    page = _upload_p12(client, _foreign_p12("hasło-pliku"))
    assert "Twój certyfikat będzie używany" in page
    assert "nie jest na liście zaufanych" in page
    (cert,) = _certs(db, worker)
    assert cert.source == "pkcs12"
    assert "BEGIN CERTIFICATE" in cert.chain_pem
    stored = submit(db, settings, interview, worker)
    assert stored.certificate_id == cert.id
    (signature,) = check_document(db, stored.pdf, office_id=interview.office_id).verification.signatures
    assert signature.intact
    assert signature.valid
    assert not signature.trusted


def test_own_certificate_from_a_configured_provider_is_trusted(app: Flask, db: Session, settings: Settings,
                                                               interview: Interview, worker: User, office,  # type: ignore[no-untyped-def]
                                                               tmp_path: Path) -> None:
    """With the provider's CA in TELEWYWIAD_TRUSTED_CA_FILE, own-certificate signatures verify as trusted."""
    pki_store.init_office_ca(db, office, pki_store.ca_passphrase(settings))
    db.commit()
    provider = _foreign_ca()
    bundle = tmp_path / "kwalifikowani.pem"
    bundle.write_bytes(provider[0])
    settings.trusted_ca_file = bundle
    client = app.test_client()
    login(client, worker.username)
    page = _upload_p12(client, _foreign_p12("hasło-pliku", provider))
    assert "nie jest na liście zaufanych" not in page
    stored = submit(db, settings, interview, worker)
    (signature,) = check_document(db, stored.pdf, office_id=interview.office_id,
                                  extra_roots=settings.trusted_ca_certificates()).verification.signatures
    assert signature.intact and signature.valid and signature.trusted
    # Without the extra anchors the same file is not trusted: the office CA alone does not vouch for it.
    (untrusted,) = check_document(db, stored.pdf, office_id=interview.office_id).verification.signatures
    assert not untrusted.trusted


@pytest.mark.parametrize(("payload", "p12_password", "message"), [
    (b"x" * (pki_store.MAX_PKCS12_BYTES + 10), "hasło-pliku", "za duży"),
    (b"to nie jest certyfikat", "hasło-pliku", "To nie jest plik certyfikatu"),
    (None, "złe-hasło", "Hasło nie otwiera tego pliku"),
])
def test_bad_pkcs12_uploads_are_refused_clearly(app: Flask, db: Session, worker: User, payload: bytes | None,
                                                p12_password: str, message: str) -> None:
    """Oversized, malformed or wrongly-protected files are refused with a Polish message; nothing is stored."""
    import io

    client = app.test_client()
    login(client, worker.username)
    body = payload if payload is not None else _foreign_p12("hasło-pliku")
    response = client.post("/account/signing", content_type="multipart/form-data", data={
        "pkcs12": (io.BytesIO(body), "plik.p12"), "p12_password": p12_password, "password": PASSWORD,
        "csrf_token": token(client, "/account/signing"),
    })
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _certs(db, worker) == []


def test_wrong_password_refused_before_any_certificate(db: Session, settings: Settings, interview: Interview,
                                                      worker: User) -> None:
    """Signing with a wrong password issues no certificate and no office CA is needed to say so."""
    from app.auth.services import load_principal
    from app.reports.review import submit_report

    with pytest.raises(pki_store.SigningProblem, match="nieprawidłowe"):
        submit_report(db, actor=load_principal(db, worker.id or 0), interview=interview,  # type: ignore[arg-type]
                      password="zgaduję", settings=settings)
    db.rollback()
    assert db.exec(select(SigningCertificate)).all() == []
    assert db.exec(select(Report)).all() == []
    assert db.exec(select(ReportFile)).all() == []
    assert ReviewError
