"""Drafts kept when a session timed out: stored until their own values are stored, described in plain words.

Two kinds share the `resume_draft` table:
- a plain form (`object_type` empty): its posted fields in order, sent again as they were;
- values of a record edited field by field (e.g. an interview): one entry per field, in the order typed, each
  with the revision its screen was based on and the screen's id, so they are stored later under the normal
  conflict rules. The feature owning the record plugs in how to collect, store and describe them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from app.auth.models import ResumeDraft
from app.clock import utcnow

# Never kept in a draft: secrets are typed again.
SECRET_FIELDS = ("password", "csrf_token", "passphrase")
# Bookkeeping of a form, not something the user typed: never shown, never required to match.
TECHNICAL_FIELDS = ("client_id", "key", "_seen", "_action", "_go")
TECHNICAL_PREFIXES = ("_rev:",)

Entry = dict[str, Any]  # {"key": str, "values": [str], "rev": int | None, "client": str, "at": iso time}
Label = Any  # a (lazy) string, shown in the user's language


def is_secret(name: str) -> bool:
    """Whether a field must never be kept (passwords and tokens)."""
    lowered = name.lower()
    return any(secret in lowered for secret in SECRET_FIELDS)


def is_technical(name: str) -> bool:
    """Whether a field is form bookkeeping rather than a typed value."""
    return name in TECHNICAL_FIELDS or name.startswith(TECHNICAL_PREFIXES)


# --------------------------------------------------------------------------- reading drafts


def form_fields(draft: ResumeDraft) -> list[tuple[str, str]]:
    """The posted fields of a plain-form draft, in order (tolerant of older shapes)."""
    try:
        data = json.loads(draft.form_json or "[]")
    except ValueError:
        return []
    if isinstance(data, dict):
        data = list(data.items())
    if not isinstance(data, list):
        return []
    return [(str(pair[0]), str(pair[1])) for pair in data if isinstance(pair, list | tuple) and len(pair) == 2]


def entries_of(draft: ResumeDraft) -> list[Entry]:
    """The kept values of a record draft, in the order they were typed."""
    try:
        data = json.loads(draft.form_json or "{}")
    except ValueError:
        return []
    entries = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return []
    return [e for e in entries if isinstance(e, dict) and isinstance(e.get("key"), str)]


def drafts_of(db: Session, user_id: int) -> list[ResumeDraft]:
    """The user's drafts, oldest first."""
    return list(
        db.exec(
            select(ResumeDraft).where(ResumeDraft.user_id == user_id).order_by(col(ResumeDraft.created_at))
        ).all()
    )


def record_draft(db: Session, user_id: int, object_type: str, object_id: int) -> ResumeDraft | None:
    """The user's kept values for one record, if any."""
    return db.exec(
        select(ResumeDraft).where(
            ResumeDraft.user_id == user_id, ResumeDraft.object_type == object_type, ResumeDraft.object_id == object_id
        )
    ).first()


# --------------------------------------------------------------------------- keeping


def keep_form(
    db: Session, *, user_id: int, method: str, path: str, fields: Iterable[tuple[str, str]], return_to: str,
    merge: bool,
) -> ResumeDraft:
    """Keep a plain form (secrets left out); `merge` adds to an earlier post of the same path, latest value winning."""
    kept = [(name, value) for name, value in fields if not is_secret(name)]
    existing = db.exec(
        select(ResumeDraft).where(
            ResumeDraft.user_id == user_id, ResumeDraft.path == path, ResumeDraft.object_type == ""
        )
    ).first()
    if existing is not None and merge:
        merged = dict(form_fields(existing))
        merged.update(dict(kept))
        kept = list(merged.items())
    draft = existing or ResumeDraft(user_id=user_id, method=method, path=path, form_json="[]")
    draft.form_json = json.dumps(kept, ensure_ascii=False)
    draft.return_to = return_to
    draft.updated_at = utcnow()
    db.add(draft)
    db.flush()
    return draft


def keep_entries(
    db: Session, *, user_id: int, method: str, path: str, object_type: str, object_id: int,
    entries: Iterable[Entry], return_to: str,
) -> ResumeDraft | None:
    """Add typed values to the user's draft of a record: a field typed again keeps its place and first base."""
    incoming = list(entries)
    if not incoming:
        return record_draft(db, user_id, object_type, object_id)
    draft = record_draft(db, user_id, object_type, object_id) or ResumeDraft(
        user_id=user_id, method=method, path=path, object_type=object_type, object_id=object_id, form_json="{}"
    )
    kept = entries_of(draft)
    by_key = {e["key"]: e for e in kept}
    now = utcnow().isoformat()
    for entry in incoming:
        earlier = by_key.get(entry["key"])
        if earlier is None:
            fresh = {**entry, "at": now}
            kept.append(fresh)
            by_key[entry["key"]] = fresh
            continue
        # The screen that typed it first is what the value was based on; the newest value is what was typed.
        earlier["values"] = entry["values"]
        earlier["at"] = now
        if earlier.get("rev") is None:
            earlier["rev"] = entry.get("rev")
        if entry.get("client"):
            earlier["client"] = entry["client"]
    draft.form_json = json.dumps({"entries": kept}, ensure_ascii=False)
    draft.return_to = return_to or draft.return_to
    draft.updated_at = utcnow()
    db.add(draft)
    db.flush()
    return draft


def drop_entries(db: Session, draft: ResumeDraft, keys: Iterable[str]) -> None:
    """Remove entries whose values were stored (or given up); the draft goes when nothing is left."""
    gone = set(keys)
    if not gone:
        return
    left = [e for e in entries_of(draft) if e["key"] not in gone]
    if not left:
        db.delete(draft)
    else:
        draft.form_json = json.dumps({"entries": left}, ensure_ascii=False)
        draft.updated_at = utcnow()
        db.add(draft)
    db.flush()


def forget_sent_forms(db: Session, *, user_id: int, path: str, posted: Iterable[tuple[str, str]]) -> int:
    """Delete the user's plain-form drafts of `path` whose every kept field was in a successful post."""
    sent = set(posted)
    forgotten = 0
    for draft in db.exec(
        select(ResumeDraft).where(
            ResumeDraft.user_id == user_id, ResumeDraft.path == path, ResumeDraft.object_type == ""
        )
    ).all():
        own = {(name, value) for name, value in form_fields(draft) if not is_technical(name)}
        if own <= sent:
            db.delete(draft)
            forgotten += 1
    return forgotten


# --------------------------------------------------------------------------- describing, for the resume page


@dataclass
class DraftItem:
    """One kept value as the user reads it: where it belongs, its label, the value, and anything to know."""

    context: str
    label: str
    value: str
    note: str = ""


@dataclass
class DraftView:
    """A draft on the resume page: a title, its values, and the one button that sends them back."""

    draft: ResumeDraft
    title: str
    items: list[DraftItem]
    action: str
    action_label: str
    hidden: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class FormLabels:
    """How a plain form is named on the resume page: its title, field labels and how to show values."""

    title: Label
    labels: Mapping[str, Label]
    values: Mapping[str, Callable[[str], str]] = field(default_factory=dict)


FORMS: dict[str, FormLabels] = {}
Describer = Callable[[Session, ResumeDraft], DraftView | None]
DESCRIBERS: dict[str, Describer] = {}


def register_form(endpoint: str, title: Label, labels: Mapping[str, Label],
                  values: Mapping[str, Callable[[str], str]] | None = None) -> None:
    """Name a plain form's fields so a kept copy reads in the user's language."""
    FORMS[endpoint] = FormLabels(title, labels, values or {})


def register_describer(object_type: str, describer: Describer) -> None:
    """Let the feature owning a record describe (and offer to send) its kept values."""
    DESCRIBERS[object_type] = describer


def describe_form(draft: ResumeDraft, endpoint: str | None) -> DraftView:
    """A plain form with the labels its feature registered; unnamed and technical fields are sent, not shown."""
    fields = form_fields(draft)
    known = FORMS.get(endpoint or "")
    items: list[DraftItem] = []
    for name, value in fields:
        if is_technical(name) or (known is not None and name not in known.labels):
            continue
        label = str(known.labels[name]) if known is not None else ""
        shown = value
        if known is not None and name in known.values:
            try:
                shown = known.values[name](value)
            except (KeyError, ValueError):
                shown = value  # a value the form never offered: shown as sent
        items.append(DraftItem("", label, shown))
    title = str(known.title) if known is not None else str(_l("Formularz"))
    return DraftView(draft, title, items, draft.path, str(_l("Wyślij ponownie")), hidden=fields)
