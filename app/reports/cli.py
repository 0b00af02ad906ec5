"""`telewywiad reports list|export|verify` and `telewywiad pki init`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlmodel import col, select

reports_cli = AppGroup("reports", help="Signed interview reports.")
pki_cli = AppGroup("pki", help="The office signing CA.")


@pki_cli.command("init")
@click.option("--office-id", type=int, default=None, help="Defaults to every office.")
def pki_init(office_id: int | None) -> None:
    """Create the office's signing CA (its key encrypted with TELEWYWIAD_PKI_PASSPHRASE); safe to repeat."""
    from app.auth.models import Office
    from app.config import get_settings
    from app.db import get_session
    from app.reports.pki_store import PkiNotConfigured, ca_passphrase, init_office_ca

    try:
        passphrase = ca_passphrase(get_settings())
    except PkiNotConfigured as exc:
        raise click.ClickException(exc.message) from exc
    session = get_session()
    query = select(Office).order_by(col(Office.id))
    if office_id is not None:
        query = query.where(Office.id == office_id)
    offices = session.exec(query).all()
    if not offices:
        raise click.ClickException("No office found: create one first (e.g. `telewywiad demo seed`).")
    for office in offices:
        ca, created = init_office_ca(session, office, passphrase)
        state = "created" if created else "already exists"
        click.echo(f"Office {office.id}: signing CA {state}; SHA-256 fingerprint {ca.fingerprint}")
    session.commit()


@reports_cli.command("list")
def reports_list() -> None:
    """List reports: id, office, case reference, state, version, archived files."""
    from app.cases.models import Case
    from app.db import get_session
    from app.reports.lookups import files_of
    from app.reports.models import Report

    session = get_session()
    rows = session.exec(select(Report, Case).join(Case, col(Case.id) == Report.case_id).order_by(col(Report.id))).all()
    if not rows:
        click.echo("No reports.")
    for report, case in rows:
        files = ",".join(f"{f.id}:v{f.version}/{f.kind}" for f in files_of(session, report.id or 0))
        click.echo(f"{report.id}\toffice {report.office_id}\t{case.reference}\t{report.state}\tv{report.version}\t"
                   f"files {files}")


@reports_cli.command("export")
@click.argument("report_id", type=int)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--version", "version", type=int, default=None, help="Defaults to the current version.")
def reports_export(report_id: int, out: Path, version: int | None) -> None:
    """Write a stored PDF (approved if it exists, else worker-signed) exactly as archived."""
    from app import audit
    from app.db import get_session
    from app.reports.lookups import files_of
    from app.reports.models import Report

    session = get_session()
    report = session.get(Report, report_id)
    if report is None:
        raise click.ClickException(f"No report {report_id}.")
    wanted = version or report.version
    files = [f for f in files_of(session, report_id) if f.version == wanted]
    if not files:
        raise click.ClickException(f"Report {report_id} has no stored file for version {wanted}.")
    stored = files[0]
    out.write_bytes(stored.pdf)
    audit.log(session, "report.export", obj=stored, office_id=report.office_id, report_id=report_id,
              version=stored.version, sha256=stored.sha256)
    session.commit()
    click.echo(f"Wrote {out} (report {report_id} v{stored.version} {stored.kind}, SHA-256 {stored.sha256}).")


@reports_cli.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def reports_verify(file: Path) -> None:
    """Check every signature against the office CAs and look the file up in the archive; exit 1 unless valid."""
    from app.db import get_session
    from app.reports.document_check import check_document, signature_stage

    data = file.read_bytes()
    from app.config import get_settings

    result = check_document(get_session(), data, office_id=None, extra_roots=get_settings().trusted_ca_certificates())
    verification = result.verification
    click.echo(f"File: {file} ({result.size_bytes} bytes)")
    click.echo(f"SHA-256: {result.sha256}")
    archived = result.archived
    if archived is not None:
        stage = ("approved: signed by the worker and counter-signed by the supervisor"
                 if result.approved_stage else "signed by the worker only, before approval")
        click.echo(f"Archive: matches report {archived.report_id} ({result.archived_reference}) "
                   f"version {archived.version}, stage {archived.kind} ({stage}), file id {archived.id}")
        if result.latest_approved is None:
            click.echo("WARNING: not an approved version - this report has no approved version yet")
        elif not result.is_latest_approved:
            click.echo(f"WARNING: not the latest approved version - that is version {result.latest_approved.version} "
                       f"(file id {result.latest_approved.id}, approved {result.latest_approved.created_at.isoformat()})")
    else:
        click.echo("Archive: NO MATCH - this file is not byte-for-byte any archived report version")
    if verification.error:
        click.echo(f"Error: {verification.error}")
    for number, sig in enumerate(verification.signatures, start=1):
        when = sig.signing_time.isoformat() if sig.signing_time else "-"
        stage_of = signature_stage(sig.field_name)
        meaning = f" ({'approval' if stage_of[0] == 'approved' else 'worker signature'}, version {stage_of[1]})" if stage_of else ""
        click.echo(f"Signature {number}: {sig.field_name}{meaning}")
        click.echo(f"  signer: {sig.signer_name or '-'}")
        click.echo(f"  time: {when}")
        click.echo(f"  intact: {'yes' if sig.intact else 'NO'}")
        click.echo(f"  trusted (office CA or TELEWYWIAD_TRUSTED_CA_FILE): {'yes' if sig.trusted else 'NO'}")
        click.echo(f"  covers whole document: {'yes' if sig.covers_whole_document else 'no'}")
        if sig.problem:
            click.echo(f"  problem: {sig.problem}")
    if result.ok:
        older = archived is not None and not result.is_latest_approved
        click.echo("RESULT: VALID - every signature is intact and trusted"
                   + (", but this is not the latest approved version (see WARNING)" if older else ""))
        return
    click.echo("RESULT: INVALID - the file was changed or its signatures cannot be trusted", err=True)
    sys.exit(1)
