"""The README's production commands, exactly as written, on a fresh PostgreSQL: an office and its administrator,
who then logs in, adds a worker, changes a helpline and publishes a form version that the worker's next
interview uses, all without a restart.

The two blocks marked `<!-- production-commands: ... -->` in README.md are run by bash with `set -euo pipefail`
against a PostgreSQL cluster of this test's own (they create the role and database `telewywiad`), with the
settings of deploy/telewywiad.env.example with its CHANGE-ME values (and the instance folder) filled in, and the
passwords typed on standard input as a person would. Runs in the PostgreSQL pass of `make test`.
"""

from __future__ import annotations

import importlib.util
import io
import os
import re
import secrets
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from flask.testing import FlaskClient
from sqlalchemy import make_url
from sqlmodel import Session, select

from app import create_app
from app.auth.models import Office, User
from app.config import load_settings
from app.db import ENGINE_KEY
from app.interviews.models import Interview
from app.offices.models import InstallationAdmin
from tests.conftest import PG_URL, csrf_from
from tests.integration.formstore.conftest import rws_v2

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
ENV_TEMPLATE = ROOT / "deploy" / "telewywiad.env.example"
DB_PASSWORD = "Baza-" + secrets.token_urlsafe(12)
ADMIN_PASSWORD = "Pierwsze-Hasło-Ośrodka-2026"
HTTPS = "https://localhost"

pytestmark = pytest.mark.db


def readme_block(name: str) -> str:
    """The shell block after `<!-- production-commands: NAME -->`, as a reader would copy it."""
    text = README.read_text(encoding="utf-8")
    marker = f"<!-- production-commands: {name} -->"
    assert marker in text, f"README.md lost its {marker} block"
    block = text.split(marker, 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return textwrap.dedent(block).strip()


def _cluster_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("with_postgres", ROOT / "scripts" / "with_postgres.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fresh_cluster() -> Iterator[int]:
    """A PostgreSQL cluster of this test's own (the commands create cluster-wide names); yields its port."""
    if not PG_URL:
        pytest.skip("runs in the PostgreSQL pass of `make test` (scripts/with_postgres.py)")
    if os.geteuid() != 0:
        pytest.skip("the README's database commands run as root (su postgres)")
    with _cluster_module().cluster() as url:
        yield int(make_url(url).port or 5432)


def _settings(tmp_path: Path, port: int) -> dict[str, str]:
    """deploy/telewywiad.env.example with its CHANGE-ME values filled in, as step 3 of the README says."""
    text = ENV_TEMPLATE.read_text(encoding="utf-8")
    for placeholder, value in (
        ("CHANGE-ME-SECRET-KEY", secrets.token_urlsafe(48)),
        ("CHANGE-ME-DATABASE-PASSWORD", DB_PASSWORD),
        ("CHANGE-ME-PKI-PASSPHRASE", secrets.token_urlsafe(32)),
        ("127.0.0.1:5432", f"127.0.0.1:{port}"),
        ("/var/lib/telewywiad", str(tmp_path / "var-lib-telewywiad")),
    ):
        assert text.count(placeholder) == 1, placeholder
        text = text.replace(placeholder, value)
    values = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    assert not [key for key, value in values.items() if "CHANGE-ME" in value]
    return values


def _bash(script: str, env: dict[str, str], typed: str) -> subprocess.CompletedProcess[str]:
    """Run a block as a person would: in the project folder, passwords typed on the keyboard (stdin, no tty)."""
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=ROOT, env=env, input=typed, capture_output=True, text=True,
        timeout=300, start_new_session=True,  # no controlling terminal: password prompts read standard input
    )


def _post(client: FlaskClient, path: str, data: dict[str, object], **kwargs: object):  # type: ignore[no-untyped-def]
    """POST over https with the session's CSRF token and a same-origin Referer (as a browser sends them)."""
    page = client.get("/login" if path == "/login" else "/account", base_url=HTTPS)
    token = csrf_from(page.get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token}, headers={"Referer": f"{HTTPS}{path}"},
                       base_url=HTTPS, **kwargs)


def test_readme_production_commands_on_a_fresh_postgresql(
    fresh_cluster: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Step 2 and step 4 of the README create the office and its administrator; the administrator then works."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEWYWIAD_", "DATABASE_URL", "PG"))}
    database = _bash(readme_block("database"), {**base, "PGHOST": "127.0.0.1", "PGPORT": str(fresh_cluster)},
                     f"{DB_PASSWORD}\n{DB_PASSWORD}\n")
    assert database.returncode == 0, database.stderr
    settings = _settings(tmp_path, fresh_cluster)
    setup = _bash(readme_block("setup"), {**base, **settings}, f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n")
    assert setup.returncode == 0, setup.stderr
    assert "Created office 1 (Gminny Ośrodek Pomocy Społecznej w Przykładowie) and administrator admin" in setup.stdout
    assert "Office 1: signing CA created" in setup.stdout
    assert "GOPS Przykładowo" in setup.stdout  # `offices list`

    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    assert load_settings().is_production
    app = create_app()
    try:
        with Session(app.extensions[ENGINE_KEY]) as db:
            admin = db.exec(select(User).where(User.username == "admin")).one()
            office = db.exec(select(Office)).one()
            assert admin.office_id == office.id and db.get(InstallationAdmin, admin.id) is not None
        _work_as_the_new_administrator(app.test_client(), app)
    finally:
        app.extensions[ENGINE_KEY].dispose()


def _work_as_the_new_administrator(client: FlaskClient, app) -> None:  # type: ignore[no-untyped-def]
    """Log in over https, add a worker, change a helpline, publish RWS v2; the worker's interview uses it."""
    login = _post(client, "/login", {"username": "admin", "password": ADMIN_PASSWORD})
    assert login.status_code == 302 and "Secure" in login.headers["Set-Cookie"]
    created = _post(client, "/admin/users/new", {"full_name": "Anna Wiśniewska", "username": "a.wisniewska",
                                                 "password": "Hasło-Pracownika-2026", "roles": ["worker"]})
    assert created.status_code == 302
    changed = _post(client, "/admin/offices/1/helplines/adults_emotional_crisis", {
        "number": "116 123", "name_pl": "Telefon zaufania dla dorosłych", "hours_pl": "codziennie 14:00–22:00",
        "show_with": ["crisis"]})
    assert changed.status_code == 302
    uploaded = _post(client, "/admin/offices/1/forms", {"file": (io.BytesIO(rws_v2().encode()), "rws-v2.yaml")},
                     content_type="multipart/form-data")
    assert uploaded.status_code == 302
    version_id = re.search(r"/forms/(\d+)$", uploaded.headers["Location"]).group(1)  # type: ignore[union-attr]
    assert _post(client, f"/admin/offices/1/forms/{version_id}/publish", {}).status_code == 302

    worker = app.test_client()
    assert _post(worker, "/login", {"username": "a.wisniewska", "password": "Hasło-Pracownika-2026"}).status_code == 302
    registered = _post(worker, "/cases/new", {
        "applicant_name": "Zdzisław Łukasiewicz", "phone_1": "601 234 567", "channel": "post",
        "received_on": "2026-03-02", "requested": ["food"]})
    assert registered.status_code == 302, registered.get_data(as_text=True)
    case_path = urlparse(registered.headers["Location"]).path
    started = _post(worker, f"{case_path}/interviews", {})
    assert started.status_code in (302, 303)
    with Session(app.extensions[ENGINE_KEY]) as db:
        interview = db.exec(select(Interview)).one()
        assert interview.form_version == 2 and interview.form_hash
