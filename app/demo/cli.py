"""`telewywiad demo prepare/seed`: a local demo's settings file and its office, accounts and records."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.config import ENV_FILE_NAME, environment_instance_path

demo_cli = AppGroup("demo", help="Demo data.")


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
