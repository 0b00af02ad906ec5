"""`telewywiad audit verify`: check the audit log's hash chain."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

audit_cli = AppGroup("audit", help="Audit log.")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check the hash chain of the audit log; exits 1 and lists each break when it was tampered with."""
    from sqlmodel import func, select

    from app.audit.models import AuditEvent
    from app.audit.services import verify
    from app.db import get_session

    session = get_session()
    problems = verify(session)
    count = session.exec(select(func.count()).select_from(AuditEvent)).one()
    if problems:
        for problem in problems:
            click.echo(f"event {problem.event_id}: {problem.problem}", err=True)
        click.echo(f"Audit chain BROKEN: {len(problems)} problem(s) in {count} events.", err=True)
        sys.exit(1)
    click.echo(f"Audit chain intact: {count} events.")
