"""`/healthz` says the process answers; `/readyz` says it can serve: the database answers and the forms are loaded."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from app import create_app
from app.config import Settings
from app.db import ENGINE_KEY


def test_ready_when_the_database_answers_and_forms_are_loaded(client: FlaskClient) -> None:
    """Both probes answer 200 in plain text, without logging in."""
    assert client.get("/healthz").get_data(as_text=True) == "ok"
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ready"


def test_not_ready_while_the_database_is_unreachable(settings: Settings, tmp_path: Path) -> None:
    """A database that cannot be opened: the process is alive (healthz 200) but not ready (readyz 503, saying why)."""
    missing = tmp_path / "no-such-folder" / "db.sqlite3"
    app = create_app(settings.model_copy(update={"database_url": f"sqlite:///{missing}"}))
    try:
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.get_data(as_text=True) == "not ready: database unreachable"
    finally:
        app.extensions[ENGINE_KEY].dispose()
