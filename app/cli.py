"""The `telewywiad` command group: database, users, demo data, serving, and feature commands."""

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
from app.config import ENV_FILE_NAME, ConfigError, environment_instance_path
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
users_cli = AppGroup("users", help="User accounts.")
demo_cli = AppGroup("demo", help="Demo data.")


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


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--full-name", required=True)
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(["worker", "psychologist", "supervisor", "admin", "reception"]))
@click.option("--office-id", type=int, default=None, help="Defaults to the only office.")
@click.option("--email", default="")
@click.password_option(help="Prompted when not given.")
def users_create(username: str, full_name: str, roles: tuple[str, ...], office_id: int | None, email: str, password: str) -> None:
    """Create a user account."""
    from sqlmodel import select

    from app.auth.models import Office, Role
    from app.auth.services import AccountError, create_user
    from app.db import get_session

    session = get_session()
    if office_id is None:
        offices = session.exec(select(Office)).all()
        if len(offices) != 1:
            raise click.UsageError("Give --office-id: there is not exactly one office.")
        office_id = offices[0].id
    assert office_id is not None  # noqa: S101
    try:
        user = create_user(
            session, office_id=office_id, username=username, full_name=full_name, password=password,
            roles={Role(r) for r in roles}, email=email,
        )
    except AccountError as exc:
        raise click.ClickException(exc.message) from exc
    session.commit()
    click.echo(f"Created user {user.username} (id {user.id}).")


@users_cli.command("list")
def users_list() -> None:
    """List accounts (username, roles, active)."""
    from sqlmodel import col, select

    from app.auth.models import User
    from app.auth.services import roles_of
    from app.db import get_session

    session = get_session()
    for user in session.exec(select(User).order_by(col(User.username))).all():
        roles = ",".join(sorted(roles_of(session, user.id or 0)))
        click.echo(f"{user.id}\t{user.username}\t{roles}\t{'active' if user.active else 'disabled'}")


@demo_cli.command("prepare", with_appcontext=False)
def demo_prepare() -> None:
    """Write instance/telewywiad.env for a local demo (demo mode, cookies over plain http)."""
    instance = environment_instance_path()
    instance.mkdir(parents=True, exist_ok=True)
    env_file = instance / ENV_FILE_NAME
    if env_file.exists():
        click.echo(f"{env_file} exists; keeping it.")
        return
    env_file.write_text(
        "# Written by `make run` for a local demo on http://127.0.0.1. Not for production.\n"
        "TELEWYWIAD_ENV=demo\nTELEWYWIAD_SESSION_COOKIE_SECURE=false\n",
        encoding="utf-8",
    )
    click.echo(f"Wrote {env_file} (demo mode).")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Only seed a database that has no office yet.")
@click.option("--scale", type=click.IntRange(min=0), default=0,
              help="Also make N bulk cases with interviews, ~50 answers each and reports (benchmarks).")
def demo_seed(if_empty: bool, scale: int) -> None:
    """Create the demo office, accounts and records (idempotent)."""
    from app.config import get_settings
    from app.db import get_session
    from app.demo.seed import is_empty, seed

    session = get_session()
    if if_empty and not is_empty(session):
        click.echo("Database already has data; demo seed skipped. Demo logins: demo-worker, demo-psychologist, "
                   "demo-supervisor, demo-admin (password as printed when first seeded).")
        return
    configured = get_settings().demo_password
    result = seed(session, configured.get_secret_value() if configured else None)
    session.commit()
    if result.created_accounts:
        click.echo("Demo accounts: " + ", ".join(result.created_accounts))
        if configured is None:
            click.echo(f"Demo password (shown once): {result.password}")
        else:
            click.echo("Demo password: the value of TELEWYWIAD_DEMO_PASSWORD")
    else:
        click.echo("Demo accounts already exist; passwords unchanged.")
    if scale:
        from app.demo.scale import seed_scale

        assert result.context is not None  # noqa: S101
        added = seed_scale(session, result.context, scale)
        session.commit()
        click.echo(f"Scale data: {added.cases} cases, {added.interviews} interviews, {added.answers} answers added "
                   f"in {added.seconds:.1f} s.")


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
