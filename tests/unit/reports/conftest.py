"""Fixtures for the report library: an office CA, two signers, a rendered and signed report, poppler tools."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.reports import pki
from app.reports.data import sample_report
from app.reports.pdf import render_report
from app.reports.signing import SUPERVISOR_STAMP_BOX, WORKER_STAMP_BOX, sign_pdf

CA_PASSPHRASE = "hasło-urzędu-certyfikacji"
OFFICE = "Gminny Ośrodek Pomocy Społecznej w Pucku"
TZ = dt.timezone(dt.timedelta(hours=1))
# Cheap Argon2 parameters: the tests check the wrapping, not the cost.
FAST_KDF = pki.KdfParams(time_cost=1, memory_kib=8 * 1024, parallelism=1)

Poppler = Callable[..., str]


@dataclass(frozen=True)
class Signer:
    """A user's certificate and key as the tests use them."""

    name: str
    role: str
    cert_pem: bytes
    key: pki.SigningKey


@pytest.fixture(scope="session")
def office_ca() -> tuple[bytes, bytes]:
    """The office CA: (certificate PEM, encrypted key PEM)."""
    return pki.create_office_ca(OFFICE, CA_PASSPHRASE)


def _signer(office_ca: tuple[bytes, bytes], name: str, role: str, user_id: int) -> Signer:
    cert, key = pki.issue_signing_certificate(
        office_ca[0], office_ca[1], CA_PASSPHRASE, full_name=name, role=role, office_name=OFFICE, user_id=user_id
    )
    return Signer(name, role, cert, key)


@pytest.fixture(scope="session")
def worker_signer(office_ca: tuple[bytes, bytes]) -> Signer:
    """The social worker who wrote the report."""
    return _signer(office_ca, "Grzegorz Źdźbło", "pracownik socjalny", 7)


@pytest.fixture(scope="session")
def supervisor_signer(office_ca: tuple[bytes, bytes]) -> Signer:
    """The head of the centre who approves it."""
    return _signer(office_ca, "Małgorzata Jędrzejczyk", "kierownik ośrodka", 8)


@pytest.fixture(scope="session")
def font_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private cache dir for the rescaled stamp font."""
    return tmp_path_factory.mktemp("fontcache")


@pytest.fixture(scope="session")
def report_pdf() -> bytes:
    """The sample report (6 household members) rendered, unsigned."""
    return render_report(sample_report(household=6))


def sign_as(pdf: bytes, signer: Signer, ca_pem: bytes, *, field: str, box: tuple[float, float, float, float],
            reason: str, when: dt.datetime, font_cache: Path) -> bytes:
    """Sign ``pdf`` as ``signer`` in ``box``."""
    return sign_pdf(
        pdf, signer_cert=signer.cert_pem, signer_key=signer.key, chain=[ca_pem], field_name=field,
        reason=reason, location="Puck", signer_display_name=signer.name, role=signer.role, when=when,
        stamp_box=box, font_cache_dir=font_cache,
    )


@pytest.fixture(scope="session")
def worker_signed(report_pdf: bytes, worker_signer: Signer, office_ca: tuple[bytes, bytes], font_cache: Path) -> bytes:
    """The report signed by the worker."""
    return sign_as(report_pdf, worker_signer, office_ca[0], field="Podpis_pracownika", box=WORKER_STAMP_BOX,
                   reason="Sporządzenie protokołu wywiadu środowiskowego",
                   when=dt.datetime(2020, 4, 17, 14, 12, tzinfo=TZ), font_cache=font_cache)


@pytest.fixture(scope="session")
def both_signed(worker_signed: bytes, supervisor_signer: Signer, office_ca: tuple[bytes, bytes], font_cache: Path) -> bytes:
    """The worker-signed report counter-signed by the supervisor."""
    return sign_as(worker_signed, supervisor_signer, office_ca[0], field="Podpis_kierownika", box=SUPERVISOR_STAMP_BOX,
                   reason="Zatwierdzenie wywiadu", when=dt.datetime(2020, 4, 17, 15, 3, tzinfo=TZ),
                   font_cache=font_cache)


@pytest.fixture
def poppler(tmp_path: Path) -> Poppler:
    """Run a poppler tool on PDF bytes (via a temp file) and return stdout; skip if the tool is missing.

    ``after`` goes after the file name (pdftoppm's output prefix); pdftotext writes to stdout.
    """

    def run(tool: str, pdf: bytes, *args: str, after: tuple[str, ...] = (), check: bool = True) -> str:
        exe = shutil.which(tool)
        if exe is None:
            pytest.skip(f"{tool} (poppler-utils) is not installed; `make test` installs it")
        path = tmp_path / f"doc-{sum(1 for _ in tmp_path.glob('doc-*.pdf'))}.pdf"
        path.write_bytes(pdf)
        tail = after or (("-",) if tool == "pdftotext" else ())
        result = subprocess.run([exe, *args, str(path), *tail], capture_output=True, text=True, timeout=60,
                                check=False)
        if check and result.returncode != 0:
            raise AssertionError(f"{tool} failed ({result.returncode}): {result.stderr}")
        return result.stdout

    return run
