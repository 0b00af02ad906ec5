"""The `telewywiad` command group: the entry point, and what concerns the whole installation.

Here: `db` (the schema), `serve`, `backup` and `restore`. Every other command lives in its package's `cli.py`
(`users` in auth, `audit` in audit, `demo` in demo, `setup` and `offices` in offices, and each feature's own)
and is added to the group at the end of this module.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup, FlaskGroup

from app import create_app
from app.appointments.cli import appointments_cli
from app.audit.cli import audit_cli
from app.auth.cli import users_cli
from app.config import ConfigError
from app.demo.cli import demo_cli
from app.formdefs import FormDefinitionError
from app.formdefs.cli import forms_cli
from app.handoff.cli import interviews_cli
from app.offices.cli import offices_cli, setup_command
from app.privacy.cli import privacy_cli, retention_cli
from app.referrals.cli import mail_cli, referrals_cli
from app.reports.cli import pki_cli, reports_cli


def _create(*_args: Any) -> Any:
    try:
        return create_app()
    except ConfigError as exc:
        click.echo(f"Configuration error: {exc}", err=True)
        sys.exit(2)
    except FormDefinitionError as exc:
        click.echo(f"Form definitions: {exc}", err=True)
        sys.exit(2)


main = FlaskGroup(create_app=_create, add_default_commands=True, load_dotenv=False, help="telewywiad — admin commands.")

db_cli = AppGroup("db", help="Database schema.")


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create or upgrade the database schema."""
    from app.db import get_engine
    from app.migrations import upgrade

    upgrade(get_engine(), revision)
    click.echo(f"Database at revision {revision}.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Autogenerate a migration from the models (developers)."""
    from alembic import command

    from app.db import get_engine
    from app.migrations import alembic_config

    command.revision(alembic_config(get_engine()), message=message, autogenerate=True)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=lambda: int(os.environ.get("PORT", "5000")), type=int, show_default="5000 or $PORT")
@click.option("--workers", default=2, type=int, show_default=True)
@click.option("--threads", default=4, type=int, show_default=True)
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the app with gunicorn (several processes, like production)."""
    from gunicorn.app.base import BaseApplication

    current_app.extensions["telewywiad.engine"].dispose()

    class _Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", "-")
            # Path without query string: search terms may be names.
            self.cfg.set("access_log_format", '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms')
            self.cfg.set("graceful_timeout", 10)

        def load(self) -> Any:
            return create_app()

    click.echo(f"telewywiad listening on http://{host}:{port}")
    _Server().run()


@main.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def backup_command(out: Path) -> None:
    """Write a consistent online backup of the database to a file."""
    from app import audit
    from app.db import get_engine, standalone_session
    from app.maintenance.backup import BackupError, backup

    try:
        backup(get_engine(), out)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    with standalone_session() as session:
        audit.log(session, "backup.create")
    click.echo(f"Backup written to {out} ({out.stat().st_size} bytes).")


@main.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(source: Path, yes: bool) -> None:
    """Replace the database's contents with a backup (stop the app first)."""
    from app.db import get_engine
    from app.maintenance.backup import BackupError, restore

    if not yes:
        click.confirm("This replaces everything in the database with the backup. Continue?", abort=True)
    try:
        restore(get_engine(), source)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored from {source}. Run `telewywiad audit verify` to check the audit chain.")


main.add_command(db_cli)
main.add_command(audit_cli)
main.add_command(users_cli)
main.add_command(demo_cli)
main.add_command(forms_cli)
main.add_command(referrals_cli)
main.add_command(mail_cli)
main.add_command(reports_cli)
main.add_command(pki_cli)
main.add_command(retention_cli)
main.add_command(privacy_cli)
main.add_command(appointments_cli)
main.add_command(interviews_cli)
main.add_command(offices_cli)
main.add_command(setup_command)
