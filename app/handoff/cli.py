"""`telewywiad interviews export ID --format json --out FILE`: one finished interview in the published format."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

interviews_cli = AppGroup("interviews", help="Interviews: the hand-off export.")


@interviews_cli.command("export")
@click.argument("interview_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def interviews_export(interview_id: int, fmt: str, out: Path) -> None:
    """Write a finished interview as JSON (forms/schema/interview-export.schema.json); audited."""
    from app.db import standalone_session
    from app.handoff.services import NotFinished, export_interview
    from app.interviews.models import Interview

    with standalone_session() as session:
        interview = session.get(Interview, interview_id)
        if interview is None:
            raise click.ClickException(f"no interview {interview_id}")
        try:
            export = export_interview(session, actor_id=None, interview=interview, channel="cli")
        except NotFinished:
            raise click.ClickException(
                f"interview {interview_id} is not finished ({interview.state}); finish it before exporting"
            ) from None
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(export.body)
        out.chmod(0o600)
    click.echo(f"Wrote interview {interview_id} ({fmt}) to {out} ({len(export.body)} bytes).")
