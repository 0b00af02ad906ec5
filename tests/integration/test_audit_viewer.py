"""Audit log viewer, CSV export and `telewywiad audit verify`."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import text
from sqlmodel import Session

from app.auth.models import Role, User
from app.cli import main
from tests.conftest import login


def test_admin_sees_office_events_and_filters(client: FlaskClient, login_as: Callable[..., User]) -> None:
    """Administrators see their office's events; the action filter narrows them."""
    login_as(Role.ADMIN)
    page = client.get("/audit")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "login" in body
    filtered = client.get("/audit?action=user.create").get_data(as_text=True)
    assert "user.create" in filtered and "<strong>login</strong>" not in filtered


def test_other_office_events_are_not_shown(
    client: FlaskClient, login_as: Callable[..., User], db: Session
) -> None:
    """Events of another office never appear."""
    from app.audit.services import record

    login_as(Role.SUPERVISOR)
    record(db, "case.view", actor_id=999, office_id=999_999, object_type="case", object_id=424242)
    db.commit()
    assert "424242" not in client.get("/audit").get_data(as_text=True)


def test_log_is_paged_with_the_filters_kept_in_the_page_links(
    client: FlaskClient, login_as: Callable[..., User], db: Session
) -> None:
    """52 events of one kind fill two pages, newest first; "Starsze" leads to page 2 with the filter kept."""
    from app.audit.services import record

    admin = login_as(Role.ADMIN)
    for n in range(52):
        record(db, "case.view", actor_id=admin.id, office_id=admin.office_id, object_type="case", object_id=1000 + n)
    db.commit()
    first = client.get("/audit?action=case.view").get_data(as_text=True)
    assert "Zdarzeń: 52" in first and "case 1051" in first and "case 1001" not in first
    assert 'rel="next" href="/audit?action=case.view&amp;page=2">Starsze</a>' in first
    second = client.get("/audit?action=case.view&page=2").get_data(as_text=True)
    assert "case 1001" in second and "case 1000" in second and "case 1051" not in second
    assert 'rel="prev" href="/audit?action=case.view">Nowsze</a>' in second
    assert 'aria-label="Strona 2 z 2" aria-current="page"' in second


def test_csv_export_is_an_attachment_and_audited(client: FlaskClient, login_as: Callable[..., User]) -> None:
    """The export downloads as CSV and is itself recorded."""
    login_as(Role.ADMIN)
    response = client.get("/audit/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.get_data(as_text=True).splitlines()[0].startswith("id,at_utc,actor_id,action")
    assert "audit.export" in client.get("/audit").get_data(as_text=True)


def test_workers_and_psychologists_cannot_read_the_log(
    client: FlaskClient, login_as: Callable[..., User], user_factory: Callable[..., User]
) -> None:
    """Only administrators and supervisors may open the log."""
    login_as(Role.WORKER)
    assert client.get("/audit").status_code == 403
    psychologist = user_factory(Role.PSYCHOLOGIST)
    other = client.application.test_client()
    login(other, psychologist.username)
    assert other.get("/audit/export.csv").status_code == 403


def test_cli_verify_passes_then_detects_tampering(
    runner: FlaskCliRunner, client: FlaskClient, login_as: Callable[..., User], db: Session
) -> None:
    """`telewywiad audit verify` exits 0 on an intact chain and 1 naming the edited event."""
    login_as(Role.ADMIN)
    ok = runner.invoke(main, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "Audit chain intact" in ok.output
    db.execute(text("UPDATE audit_event SET action = 'nothing' WHERE id = (SELECT min(id) FROM audit_event)"))
    db.commit()
    broken = runner.invoke(main, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "edited" in broken.output and "BROKEN" in broken.output
