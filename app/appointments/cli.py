"""`telewywiad appointments remind`: queue the reminders due the working day before (run daily from cron/systemd)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

appointments_cli = AppGroup("appointments", help="Visits by appointment.")


@appointments_cli.command("remind")
def remind_command() -> None:
    """Queue a reminder e-mail for each booked visit of the next working day (idempotent; `mail send-outbox` sends)."""
    from app import audit
    from app.appointments.notices import queue_reminders
    from app.db import get_session

    session = get_session()
    run = queue_reminders(session)
    if run.skipped_day_off:
        click.echo("Today is not a working day: reminders go out on the working day before a visit.")
        return
    audit.log(session, "appointment.reminders", object_type="appointment_reminders", count=len(run.queued),
              appointment_ids=run.queued)
    session.commit()
    click.echo(f"Queued {len(run.queued)} reminder(s).")
