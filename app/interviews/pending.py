"""Answers typed after the session timed out: kept per field until stored, sent under the normal conflict rules.

An entry keeps the raw values, the revision its screen was based on and the screen's id (`client_id`). It is
stored when nobody else changed the answer since that revision; otherwise the worker sees both versions on the
interview and chooses. An entry leaves the draft only once its own values are stored (or the worker gives it up).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, exists
from sqlmodel import Session, col, select
from werkzeug.datastructures import MultiDict

from app import audit
from app.auth import drafts
from app.auth.models import ResumeDraft
from app.auth.services import Principal
from app.errors import NotFound
from app.formdefs import LocalText, Question
from app.formdefs.keys import question_for_key
from app.interviews import access, answers, autosave, errors
from app.interviews.models import AnswerChange, Interview
from app.web.ids import parse_id

OBJECT_TYPE = "interview"
NOTES_KEY = "_notes"


def _question(interview: Interview, key: str) -> Question | None:
    try:
        question = question_for_key(answers.form_of(interview), key)
    except (KeyError, ValueError):
        return None
    return question if question.holds_answer and question.type != "repeat" else None


def _raw(question: Question, values: list[str]) -> answers.Raw:
    return list(values) if question.type == "select_multiple" else (values[-1] if values else "")


def _shown_before(session: Session, interview_id: int, key: str, revision: int | None) -> str:
    """What the screen showed: the stored raw input at the revision it was based on ("" before the first)."""
    if not revision:
        return ""
    change = session.exec(
        select(AnswerChange).where(
            AnswerChange.interview_id == interview_id, AnswerChange.key == key, AnswerChange.revision == revision
        )
    ).first()
    return change.raw if change is not None else ""


def collect(
    session: Session, interview_id: int, data: MultiDict[str, str], *, keys: Iterable[str], client_id: str,
    only_changed: bool,
) -> list[drafts.Entry]:
    """Entries for the posted `keys`; values already stored are left out, and with `only_changed` (a whole
    section posted) so are fields still showing what the screen was given."""
    interview = session.get(Interview, interview_id)
    if interview is None or interview.id is None:
        return []
    rows = answers.answer_rows(session, interview.id)
    entries: list[drafts.Entry] = []
    for key in dict.fromkeys(keys):
        values = [str(v) for v in data.getlist(key)]
        if key == NOTES_KEY:
            if key in data and (values[-1] if values else "") != interview.notes:
                entries.append({"key": key, "values": values[-1:], "rev": None, "client": client_id})
            continue
        question = _question(interview, key)
        if question is None:
            continue
        typed = autosave.stored_raw(question, _raw(question, values))
        row = rows.get(key)
        if row is not None and row.raw == typed:
            continue
        rev = parse_id(data.get(f"_rev:{key}", ""))
        if only_changed and typed == _shown_before(session, interview.id, key, rev):
            continue
        entries.append({"key": key, "values": values, "rev": rev, "client": client_id})
    return entries


@dataclass
class Pending:
    """One kept answer as the interview shows it: where it belongs, both versions and why it waits."""

    key: str
    section_id: str
    context: str
    label: str
    mine: str
    current: str
    conflict: autosave.Conflict | None = None
    problem: str = ""


def _lang(lang: str | None) -> str:
    return lang if lang in ("pl", "en") else "pl"


def shown(question: Question, raw: answers.Raw, lang: str) -> str:
    """Raw input as the worker reads it: choice labels for choices, the text otherwise."""
    values = raw if isinstance(raw, list) else [raw or ""]
    if question.type == "yesno":
        words = {"yes": LocalText("tak", "yes"), "no": LocalText("nie", "no")}
        return ", ".join(words[v].get(lang) if v in words else v for v in values)
    if question.type in ("select_one", "select_multiple"):
        labels = []
        for value in values:
            choice = question.choice(value)
            labels.append(choice.label.get(lang) if choice is not None else value)
        return ", ".join(v for v in labels if v)
    return ", ".join(values)


def _label(question: Question, key: str, lang: str) -> str:
    parts = key.split(".")
    member = f" ({int(parts[1]) + 1})" if question.group and len(parts) > 2 and parts[1].isdigit() else ""
    return question.label.get(lang) + member


def review(session: Session, interview: Interview, draft: ResumeDraft, *, lang: str | None = None) -> list[Pending]:
    """The draft's entries with both versions and whether someone else changed the answer meanwhile."""
    assert interview.id is not None  # noqa: S101
    lang = _lang(lang)
    form = answers.form_of(interview)
    rows = answers.answer_rows(session, interview.id)
    items: list[Pending] = []
    for entry in drafts.entries_of(draft):
        key, values = entry["key"], [str(v) for v in entry.get("values") or []]
        if key == NOTES_KEY:
            mine = values[-1] if values else ""
            # Notes have no revisions: text that merely continues what is stored is no conflict.
            changed = bool(interview.notes) and not mine.startswith(interview.notes)
            items.append(Pending(key, "", "", str(_l("Notatki z rozmowy")), mine, interview.notes,
                                 autosave.Conflict("", interview.updated_at) if changed else None))
            continue
        question = _question(interview, key)
        if question is None:
            items.append(Pending(key, "", "", key, ", ".join(values), "",
                                 problem=str(_l("Tego pytania nie ma już w wywiadzie."))))
            continue
        row = rows.get(key)
        conflict = None
        if row is not None:
            conflict = autosave.newer_elsewhere(
                session, row.interview_id, row, base_revision=entry.get("rev"), client_id=str(entry.get("client") or "")
            )
        current = shown(question, answers.raw_of(question, row), lang) if row is not None else ""
        items.append(Pending(key, question.section, form.section(question.section).title.get(lang),
                             _label(question, key, lang), shown(question, _raw(question, values), lang), current,
                             conflict))
    return items


def _already_stored(session: Session, interview: Interview, entry: drafts.Entry) -> bool:
    key, values = entry["key"], [str(v) for v in entry.get("values") or []]
    if key == NOTES_KEY:
        return (values[-1] if values else "") == interview.notes
    question = _question(interview, key)
    if question is None or interview.id is None:
        return False
    row = answers.answer_rows(session, interview.id).get(key)
    return row is not None and row.raw == autosave.stored_raw(question, _raw(question, values))


@dataclass
class Sent:
    """What sending a draft did: keys stored now, and what still waits (conflicts, refusals)."""

    stored: list[str]
    waiting: list[Pending]


def send(
    session: Session, *, actor: Principal, interview: Interview, draft: ResumeDraft,
    keys: Iterable[str] | None = None, overwrite: Iterable[str] = (), lang: str | None = None,
) -> Sent:
    """Store the draft's entries (or only `keys`) in the order typed; a newer answer from elsewhere is kept
    unless the worker chose to overwrite that key after seeing both versions."""
    chosen = set(keys) if keys is not None else None
    forced = set(overwrite)
    by_key = {item.key: item for item in review(session, interview, draft, lang=lang)}
    stored: list[str] = []
    done: list[str] = []
    for entry in drafts.entries_of(draft):
        key = entry["key"]
        if chosen is not None and key not in chosen:
            continue
        item = by_key[key]
        if _already_stored(session, interview, entry):
            done.append(key)
            continue
        if item.problem or (item.conflict is not None and key not in forced):
            continue
        values = [str(v) for v in entry.get("values") or []]
        try:
            if key == NOTES_KEY:
                autosave.set_notes(session, actor=actor, interview=interview, notes=values[-1] if values else "")
            else:
                question = _question(interview, key)
                assert question is not None  # noqa: S101 - review() reported it otherwise
                autosave.save_answer(
                    session, actor=actor, interview=interview, key=key, raw=_raw(question, values),
                    client_id=str(entry.get("client") or ""),
                    base_revision=None if key in forced else entry.get("rev"),
                )
        except errors.InterviewError as exc:
            item.problem = exc.message
            continue
        stored.append(key)
        done.append(key)
    drafts.drop_entries(session, draft, done)
    if stored:
        audit.log(session, "draft.send", actor=actor, obj=interview, answers=len(stored))
    return Sent(stored, [item for key, item in by_key.items() if key not in done])


def give_up(session: Session, *, actor: Principal, interview: Interview, draft: ResumeDraft, key: str) -> None:
    """The worker keeps the current answer: their kept value for `key` is dropped (audited, without the value)."""
    drafts.drop_entries(session, draft, [key])
    audit.log(session, "draft.discard", actor=actor, obj=interview, key=key)


def interview_for_save(session: Session, *, actor: Principal, interview_id: int) -> tuple[Interview, bool]:
    """The interview an autosave writes to (if the actor reaches it) and whether values the actor typed into it are
    kept for them, read in one statement (before the autosave writes)."""
    row = session.exec(_FOR_SAVE, params={"b_user": actor.id, "b_interview": interview_id}).first()
    if row is None:
        raise NotFound(interview_id)
    return access.reached(session, actor, row[0]), bool(row[1])


# Built once (an autosave reads it on every save): the interview, and whether the actor's typed values are kept.
_FOR_SAVE = select(
    Interview,
    exists().where(col(ResumeDraft.user_id) == bindparam("b_user"), col(ResumeDraft.object_type) == OBJECT_TYPE,
                   col(ResumeDraft.object_id) == bindparam("b_interview")),
).where(col(Interview.id) == bindparam("b_interview"))


def note_stored(
    session: Session, *, user_id: int, interview: Interview, saved: Iterable[autosave.Saved], client_id: str
) -> None:
    """After answers were saved normally: entries whose own values are now stored (or that the same screen has
    since typed over) are no longer pending."""
    if interview.id is None:
        return
    draft = drafts.record_draft(session, user_id, OBJECT_TYPE, interview.id)
    if draft is None:
        return
    results = {s.key: s for s in saved}
    done = []
    for entry in drafts.entries_of(draft):
        result = results.get(entry["key"])
        if result is None:
            continue
        values = [str(v) for v in entry.get("values") or []]
        same_value = result.row.raw == autosave.stored_raw(result.question, _raw(result.question, values))
        same_screen = bool(client_id) and entry.get("client") == client_id
        if same_value or same_screen:
            done.append(entry["key"])
    drafts.drop_entries(session, draft, done)


def note_notes_stored(session: Session, *, user_id: int, interview: Interview) -> None:
    """After the notes were saved normally: a kept copy equal to them is no longer pending."""
    if interview.id is None:
        return
    draft = drafts.record_draft(session, user_id, OBJECT_TYPE, interview.id)
    if draft is None:
        return
    done = [e["key"] for e in drafts.entries_of(draft) if e["key"] == NOTES_KEY and _already_stored(session, interview, e)]
    drafts.drop_entries(session, draft, done)
