"""`telewywiad users create/list`: user accounts from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlmodel import Session, select

from app.auth.models import Office

users_cli = AppGroup("users", help="User accounts.")


def office_id_or_only(session: Session, office_id: int | None) -> int:
    """The office given with --office-id, else the installation's only office (UsageError when not exactly one)."""
    if office_id is not None:
        return office_id
    offices = session.exec(select(Office)).all()
    if len(offices) != 1 or offices[0].id is None:
        raise click.UsageError("Give --office-id: there is not exactly one office.")
    return offices[0].id


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--full-name", required=True)
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(["worker", "psychologist", "supervisor", "admin", "reception"]))
@click.option("--office-id", type=int, default=None, help="Defaults to the only office.")
@click.option("--email", default="")
@click.password_option(help="Prompted when not given.")
def users_create(username: str, full_name: str, roles: tuple[str, ...], office_id: int | None, email: str, password: str) -> None:
    """Create a user account."""
    from app.auth.models import Role
    from app.auth.services import AccountError, create_user
    from app.db import get_session

    session = get_session()
    try:
        user = create_user(
            session, office_id=office_id_or_only(session, office_id), username=username, full_name=full_name, password=password,
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
