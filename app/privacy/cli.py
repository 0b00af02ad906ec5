"""`telewywiad retention run [--dry-run]` and `telewywiad privacy export --case ID --format json|pdf --out FILE`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

retention_cli = AppGroup("retention", help="Anonymise or delete records past their retention period.")
privacy_cli = AppGroup("privacy", help="Subject-access exports (GDPR art. 15).")


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Only list what would be anonymised or deleted (ids and counts).")
def retention_run(dry_run: bool) -> None:
    """Apply the configured retention periods in one transaction, with an audit entry."""
    from app.config import get_settings
    from app.db import get_session, standalone_session
    from app.privacy.retention import plan, run

    settings = get_settings().privacy
    if dry_run:
        due = plan(get_session(), settings)
        click.echo("Dry run — nothing changed. Would:")
    else:
        with standalone_session() as session:
            due = run(session, settings)
        click.echo("Retention applied:")
    for line in due.lines():
        click.echo(f"  {line}")


@privacy_cli.command("export")
@click.option("--case", "case_id", type=int, default=None, help="Everything held about the person of this case.")
@click.option("--pesel", default=None, help="Everything held about the person with this PESEL (within --office-id).")
@click.option("--office-id", type=int, default=None, help="Office to search by PESEL (defaults to the only office).")
@click.option("--format", "fmt", type=click.Choice(["json", "pdf"]), default="json", show_default=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def privacy_export(case_id: int | None, pesel: str | None, office_id: int | None, fmt: str, out: Path) -> None:
    """Write a person's data (cases, calls, interviews with answers, referrals, reports) as JSON or PDF."""
    from sqlmodel import select

    from app import audit
    from app.auth.models import Office
    from app.db import get_session
    from app.privacy.export import ExportError, cases_for, collect, to_json, to_pdf

    if (case_id is None) == (pesel is None):
        raise click.UsageError("give exactly one of --case or --pesel")
    session = get_session()
    if office_id is None and case_id is None:
        offices = session.exec(select(Office.id)).all()
        if len(offices) != 1:
            raise click.UsageError("several offices: give --office-id")
        office_id = offices[0]
    try:
        cases = cases_for(session, case_id=case_id, pesel=pesel, office_id=office_id)
    except ExportError as exc:
        raise click.ClickException(str(exc)) from exc
    data = collect(session, cases)
    body = to_json(data) if fmt == "json" else to_pdf(data)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(body)
    out.chmod(0o600)
    audit.log(session, "privacy.export", object_type="case", object_id=cases[0].id, office_id=cases[0].office_id,
              case_ids=[c.id for c in cases], format=fmt, channel="cli")
    session.commit()
    click.echo(f"Wrote {len(cases)} case(s) to {out} ({len(body)} bytes).")
    sys.stdout.flush()
