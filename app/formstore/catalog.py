"""Which form definition an interview uses: the built-in files (loaded at start-up) plus versions in the database.

A version published in the browser is usable at once by every process on every host: a process that has not seen
it yet reads it from the database, checks it and keeps the parsed definition by content hash (the text behind a
hash never changes, so this cache is never stale). Interviews pin the hash; the definition behind it is found in
the start-up registry (same hash) or in the database.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from app.db import dialect_insert
from app.formdefs import FormDefinition, FormDefinitionError, FormRegistry, Problem
from app.formdefs.loader import BaseSource, check_source, content_hash
from app.formstore.models import FormOrigin, FormPublication, FormVersion

log = logging.getLogger("telewywiad.forms")
_parsed: dict[str, FormDefinition] = {}
_lock = threading.Lock()


def _disk_text(form: FormDefinition) -> str | None:
    """The text of a built-in version's file, if it still has the hash the registry loaded."""
    if form.source is None:
        return None
    try:
        text = Path(form.source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return text if content_hash(text) == form.content_hash else None


def base_source(session: Session, registry: FormRegistry) -> BaseSource:
    """Base versions of update variants: from the database first, else the built-in files."""

    def source(form_id: str, version: int) -> tuple[str, str] | None:
        row = session.exec(
            select(FormVersion).where(FormVersion.form_id == form_id, FormVersion.version == version)
        ).first()
        if row is not None:
            return row.source, f"{form_id} v{version}"
        if registry.has(form_id, version):
            text = _disk_text(registry.get(form_id, version))
            return (text, str(registry.get(form_id, version).source)) if text is not None else None
        return None

    return source


def definition_of(session: Session, registry: FormRegistry, row: FormVersion) -> FormDefinition:
    """The checked definition of a stored version (parsed once per process)."""
    found = _parsed.get(row.content_hash)
    if found is not None:
        return found
    if registry.has(row.form_id, row.version):
        disk = registry.get(row.form_id, row.version)
        if disk.content_hash == row.content_hash:
            return disk
    form, problems = check_source(row.source, name=f"{row.form_id} v{row.version}",
                                  base_source=base_source(session, registry))
    if form is None:
        raise FormDefinitionError(problems)
    with _lock:
        _parsed[row.content_hash] = form
    return form


def by_hash(session: Session, registry: FormRegistry, digest: str) -> FormDefinition | None:
    """The definition with this content hash, from the start-up registry or the database; None if unknown."""
    found = _parsed.get(digest)
    if found is not None:
        return found
    for form in registry:
        if form.content_hash == digest:
            return form
    row = session.exec(select(FormVersion).where(FormVersion.content_hash == digest)).first()
    return definition_of(session, registry, row) if row is not None else None


def pinned(session: Session | None, registry: FormRegistry, form_id: str, version: int, digest: str) -> FormDefinition:
    """The definition an interview pinned: by hash when it has one, else (older interviews) by id and version."""
    if digest:
        if registry.has(form_id, version) and registry.get(form_id, version).content_hash == digest:
            return registry.get(form_id, version)
        if session is not None:
            found = by_hash(session, registry, digest)
            if found is not None:
                return found
        elif digest in _parsed:
            return _parsed[digest]
    if registry.has(form_id, version):
        return registry.get(form_id, version)
    if session is not None:
        row = session.exec(
            select(FormVersion).where(FormVersion.form_id == form_id, FormVersion.version == version)
        ).first()
        if row is not None:
            return definition_of(session, registry, row)
    raise KeyError(f"form {form_id!r} version {version} is not published")


def newest_published(session: Session, office_id: int, form_id: str) -> FormVersion | None:
    """The newest version of a form the office has published (uploads), if any."""
    return session.exec(
        select(FormVersion)
        .join(FormPublication, col(FormPublication.form_version_id) == col(FormVersion.id))
        .where(FormPublication.office_id == office_id, FormVersion.form_id == form_id)
        .order_by(col(FormVersion.version).desc())
    ).first()


def latest_for_office(session: Session, registry: FormRegistry, office_id: int, form_id: str) -> FormDefinition:
    """The version new interviews of the office use: the newest of the built-in ones and the office's published ones."""
    disk = registry.latest(form_id) if form_id in registry.form_ids() else None
    row = newest_published(session, office_id, form_id)
    if row is not None and (disk is None or row.version > disk.version):
        return definition_of(session, registry, row)
    if disk is None:
        raise KeyError(f"form {form_id!r} is not published")
    return disk


def pin(session: Session, registry: FormRegistry, form: FormDefinition) -> str:
    """The hash an interview pins; a built-in version is recorded in the database when an interview first uses it.

    From then on its file may not change (start-up names it otherwise), and its text is available to every host.
    """
    builtin = registry.has(form.id, form.version) and registry.get(form.id, form.version) is form
    text = _disk_text(form) if builtin else None
    if text is not None:
        session.exec(
            dialect_insert(session, FormVersion)
            .values(form_id=form.id, version=form.version, content_hash=form.content_hash, source=text,
                    title=form.title.pl[:300], origin=FormOrigin.BUILTIN)
            .on_conflict_do_nothing()
        )
    return form.content_hash


def startup_problems(engine: Engine, registry: FormRegistry) -> list[Problem]:
    """Built-in files that differ from the version recorded in the database under the same id and version.

    Skipped when the database is not reachable or not migrated yet (`/readyz` reports the database).
    """
    try:
        if not inspect(engine).has_table(FormVersion.__tablename__):
            return []
        with Session(engine) as session:
            rows = session.exec(select(FormVersion.form_id, FormVersion.version, FormVersion.content_hash)).all()
    except SQLAlchemyError as exc:
        log.warning("form versions not checked against the database at start-up: %s", type(exc).__name__)
        return []
    recorded = {(form_id, version): digest for form_id, version, digest in rows}
    problems = []
    for form in registry:
        digest = recorded.get(form.key)
        if digest is not None and digest != form.content_hash:
            problems.append(Problem(
                str(form.source), "form",
                f"{form.id} v{form.version} is already in use with different content (published hash {digest[:12]}…, "
                f"this file {form.content_hash[:12]}…): restore the published text, or save the change as a new "
                f"version (v{form.version + 1}) and publish that",
            ))
    return problems
