"""The `forms` command group (registered on the `telewywiad` CLI by the application)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.formdefs.check import check_paths_with_forms

forms_cli = AppGroup("forms", help="Form definitions: check the YAML in forms/ before publishing.")


@forms_cli.command("check", with_appcontext=False)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def check_command(paths: tuple[Path, ...]) -> None:
    """Check form definitions (all of forms/ when no PATH is given); exit 1 if any problem is found."""
    failed = False
    for path, form, problems in check_paths_with_forms(list(paths)):
        for problem in problems:
            click.echo(str(problem))
        if problems:
            failed = True
        elif form is not None:
            questions = sum(1 for _ in form.questions())
            click.echo(
                f"{path}: OK ({form.id} v{form.version}: {len(form.sections)} sections, "
                f"{questions} questions, {len(form.flags)} flags)"
            )
    if failed:
        raise SystemExit(1)
