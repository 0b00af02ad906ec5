"""`telewywiad referrals export` and `telewywiad mail send-outbox`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.config import get_settings

referrals_cli = AppGroup("referrals", help="Psychological-support referrals.")
mail_cli = AppGroup("mail", help="Outgoing e-mail (the outbox).")


@referrals_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["pdf", "csv"]), required=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--office-id", type=int, default=None, help="Defaults to the only office.")
def export_command(fmt: str, out: Path, office_id: int | None) -> None:
    """Write the office's open referrals (urgent first, then oldest) as PDF or CSV."""
    from app import audit
    from app.auth.cli import office_id_or_only
    from app.auth.models import Office
    from app.db import get_session
    from app.referrals.exports import export_rows, to_csv, to_pdf

    session = get_session()
    office_id = office_id_or_only(session, office_id)
    office = session.get(Office, office_id)
    if office is None or office.id is None:
        raise click.UsageError(f"No office with id {office_id}.")
    rows = export_rows(session, office.id)
    out.write_bytes(to_csv(rows) if fmt == "csv" else to_pdf(rows, office=office))
    out.chmod(0o600)  # personal data: readable by the one who exported it
    audit.log(session, "referral.exported", object_type="referral_list", office_id=office.id, format=fmt,
              count=len(rows))
    session.commit()
    click.echo(f"Wrote {len(rows)} referrals to {out} ({fmt}).")


@mail_cli.command("send-outbox")
def send_outbox_command() -> None:
    """Deliver pending e-mail; what fails stays in the outbox and is tried again on a later run."""
    from app.db import get_session
    from app.referrals.mail import send_outbox
    settings = get_settings().referrals
    if not settings.mail_configured:
        raise click.ClickException(
            "SMTP is not configured (TELEWYWIAD_SMTP_HOST and TELEWYWIAD_SMTP_FROM); messages stay in the outbox."
        )
    report = send_outbox(get_session(), settings=settings)
    busy = f", being sent by another run {report.busy}" if report.busy else ""
    click.echo(f"Sent {report.sent}, failed {report.failed} (will retry), waiting for retry {report.waiting}{busy}.")
    for line in report.errors or []:
        click.echo(line, err=True)
    if report.failed:
        raise SystemExit(1)
