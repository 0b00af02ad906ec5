"""`telewywiad offices create/list/edit/grant-manager/revoke-manager` and `telewywiad setup` (first setup)."""

from __future__ import annotations

import sys
from dataclasses import fields
from typing import Any

import click
from flask.cli import AppGroup, with_appcontext

offices_cli = AppGroup("offices", help="Offices (social assistance centres) of this installation.")

_OFFICE_OPTIONS: list[tuple[str, str, str]] = [
    ("name", "--name", "Full name, e.g. 'Gminny Ośrodek Pomocy Społecznej w Pucku'."),
    ("short_name", "--short-name", "Short name for lists, e.g. 'GOPS Puck'."),
    ("address", "--address", "Postal address."),
    ("phone", "--phone", "Main phone number."),
    ("email", "--email", "Office e-mail address."),
    ("reference_prefix", "--reference-prefix", "Case numbers read PREFIX/YEAR/NNNN (default RWS)."),
]


def _office_options(prefix: str = "") -> Any:
    """The office's fields as options (`--name` ..., or `--office-name` ... for `setup`)."""

    def decorate(command: Any) -> Any:
        command = click.option("--letterhead", "letterhead", multiple=True,
                               help="A further letterhead line of reports (repeat for more lines).")(command)
        command = click.option("--other-phone", "other_phones", multiple=True,
                               help="A further phone number (repeat for more).")(command)
        for field, flag, text in reversed(_OFFICE_OPTIONS):
            if prefix and field == "name":
                # First setup asks for the office's name when it is not given.
                command = click.option(f"--{prefix}-name", field, prompt="Office's full name", help=text)(command)
                continue
            command = click.option(flag, field, default=None, help=text)(command)
        return command

    return decorate


def _form_values(options: dict[str, Any]) -> dict[str, str]:
    values = {k: v for k, v in options.items() if k in {f for f, _, _ in _OFFICE_OPTIONS} and v is not None}
    if options.get("other_phones"):
        values["other_phones"] = "\n".join(options["other_phones"])
    if options.get("letterhead"):
        values["letterhead"] = "\n".join(options["letterhead"])
    return values


def _fail_with(errors: dict[str, str]) -> None:
    for field, message in errors.items():
        click.echo(f"{field}: {message}", err=True)
    raise SystemExit(1)


@offices_cli.command("create")
@_office_options()
def offices_create(**options: Any) -> None:
    """Create an office; prints its id (alone on stdout, for scripts)."""
    from app.db import get_session
    from app.offices.services import OfficeError, OfficeForm, create_office

    session = get_session()
    try:
        office = create_office(session, form=OfficeForm(**_form_values(options)))
    except OfficeError as exc:
        _fail_with(exc.errors)
        return
    session.commit()
    click.echo(f"Created office {office.id}: {office.name}", err=True)
    click.echo(str(office.id))


@offices_cli.command("list")
def offices_list() -> None:
    """List offices: id, case-number prefix, name, short name, e-mail, phones."""
    from app.db import get_session
    from app.offices.services import all_offices

    for office in all_offices(get_session()):
        click.echo("\t".join([str(office.id), office.reference_prefix, office.name, office.short_name, office.email,
                              ", ".join(office.phones)]))


@offices_cli.command("edit")
@click.argument("office_id", type=int)
@_office_options()
def offices_edit(office_id: int, **options: Any) -> None:
    """Change the given fields of an office (others stay)."""
    from app.auth.models import Office
    from app.db import get_session
    from app.offices.services import OfficeError, OfficeForm, update_office

    session = get_session()
    office = session.get(Office, office_id)
    if office is None:
        raise click.ClickException(f"No office with id {office_id}.")
    current = OfficeForm.of(office)
    form = OfficeForm(**{**{f.name: getattr(current, f.name) for f in fields(OfficeForm)}, **_form_values(options)})
    try:
        changed = update_office(session, office, form=form)
    except OfficeError as exc:
        _fail_with(exc.errors)
        return
    session.commit()
    click.echo(f"Office {office_id}: " + (f"changed {', '.join(changed)}." if changed else "nothing changed."))


def _switch_manager(username: str, *, grant: bool) -> bool:
    """Grant or revoke the installation-wide rights of an account; whether anything changed."""
    from app.auth.services import find_user
    from app.db import get_session
    from app.offices.services import grant_installation_admin, revoke_installation_admin

    session = get_session()
    user = find_user(session, username)
    if user is None:
        raise click.ClickException(f"No user {username!r}.")
    done = (grant_installation_admin if grant else revoke_installation_admin)(session, user=user)
    session.commit()
    return done


@offices_cli.command("grant-manager")
@click.argument("username")
def grant_manager(username: str) -> None:
    """Let a user manage every office (create offices; their details, settings and forms)."""
    done = _switch_manager(username, grant=True)
    click.echo(f"{username} " + ("now manages every office." if done else "already manages every office."))


@offices_cli.command("revoke-manager")
@click.argument("username")
def revoke_manager(username: str) -> None:
    """Take the installation-wide rights away from a user (their own office's roles stay)."""
    done = _switch_manager(username, grant=False)
    click.echo(f"{username} " + ("no longer manages every office." if done else "did not manage every office."))


@click.command("setup")
@_office_options(prefix="office")
@click.option("--admin-username", prompt="Administrator's username")
@click.option("--admin-full-name", prompt="Administrator's full name")
@click.option("--admin-email", default="", help="Administrator's work e-mail.")
@click.password_option("--admin-password", envvar="TELEWYWIAD_ADMIN_PASSWORD", show_envvar=True,
                       help="Prompted (twice) when not given.")
@with_appcontext
def setup_command(admin_username: str, admin_full_name: str, admin_email: str, admin_password: str,
                  **options: Any) -> None:
    """First setup: the first office and its administrator (who may also manage further offices).

    Asks for what is not given as an option; refuses when the installation already has an office.
    """
    from app.auth.services import AccountError
    from app.db import get_session
    from app.offices.services import OfficeError, OfficeForm, SetupError, setup_installation

    values = _form_values(options)
    if sys.stdin.isatty():
        for field, _flag, text in _OFFICE_OPTIONS:
            if field not in values and field in ("address", "phone", "email"):
                values[field] = click.prompt(f"Office: {text} (Enter to skip)", default="", show_default=False)
    session = get_session()
    try:
        result = setup_installation(session, form=OfficeForm(**values), username=admin_username,
                                    full_name=admin_full_name, password=admin_password, email=admin_email)
    except OfficeError as exc:
        _fail_with(exc.errors)
        return
    except AccountError as exc:
        _fail_with({exc.field or "admin": exc.message})
        return
    except SetupError as exc:
        raise click.ClickException(str(exc)) from exc
    session.commit()
    click.echo(f"Created office {result.office.id} ({result.office.name}) and administrator "
               f"{result.admin.username} (id {result.admin.id}), who may also manage further offices.")
