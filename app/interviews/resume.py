"""The web side of answers kept across a time-out: collecting them, sending them on the interview, describing them.

Posts from the runner after the session timed out are kept per answer (see `pending`). When the worker opens
the interview again — same tab, new tab, another device — whatever nobody else changed meanwhile is stored at
once; the rest waits on the interview with both versions and one button each.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from app.auth import drafts
from app.auth.access import me, roles_required
from app.auth.expiry import Capture, register_collector
from app.auth.models import ResumeDraft, Role
from app.auth.services import load_principal
from app.cases.models import Case
from app.db import get_session, standalone_session
from app.errors import NotFound
from app.interviews import access, errors, pending
from app.interviews.models import Interview, InterviewState
from app.interviews.screen import dom_id

bp = Blueprint("interview_pending", __name__)


def _lang() -> str:
    return str(get_locale() or "pl")[:2]


# --------------------------------------------------------------------------- collecting after a time-out


def _interview_id() -> int | None:
    value = (request.view_args or {}).get("interview_id")
    return value if isinstance(value, int) else None


def _collect(db: Session, keys: list[str], *, client_id: str, only_changed: bool) -> Capture | None:
    interview_id = _interview_id()
    if interview_id is None:
        return None
    entries = pending.collect(db, interview_id, request.form, keys=keys, client_id=client_id[:64],
                              only_changed=only_changed)
    return Capture(pending.OBJECT_TYPE, interview_id, entries)


def _collect_answer(db: Session) -> Capture | None:
    return _collect(db, [request.form.get("key", "")], client_id=request.form.get("client_id", ""),
                    only_changed=False)


def _collect_section(db: Session) -> Capture | None:
    keys = request.form.getlist("_seen") + ([pending.NOTES_KEY] if pending.NOTES_KEY in request.form else [])
    return _collect(db, keys, client_id="", only_changed=True)


def _collect_notes(db: Session) -> Capture | None:
    return _collect(db, [pending.NOTES_KEY], client_id=request.form.get("client_id", ""), only_changed=False)


register_collector("interviews.save", _collect_answer)
register_collector("interviews.section", _collect_section)
register_collector("interviews.notes", _collect_notes)


# --------------------------------------------------------------------------- describing on the resume page


def _describe(db: Session, draft: ResumeDraft) -> drafts.DraftView | None:
    interview = db.get(Interview, draft.object_id) if draft.object_id is not None else None
    principal = load_principal(db, draft.user_id)
    if interview is None or principal is None:
        return None
    case = db.get(Case, interview.case_id)
    if not access.can_reach(principal, interview, case):
        return None
    items = [
        drafts.DraftItem(item.context, item.label, item.mine,
                         str(_l("Ktoś zmienił tę odpowiedź w międzyczasie: zobaczysz obie wersje.")) if item.conflict
                         else item.problem)
        for item in pending.review(db, interview, draft, lang=_lang())
    ]
    title = str(_l("Wywiad — sprawa %(ref)s", ref=case.reference if case else "—"))
    action = url_for("interview_pending.send", interview_id=interview.id)
    return drafts.DraftView(draft, title, items, action, str(_l("Wróć do wywiadu i zapisz")))


drafts.register_describer(pending.OBJECT_TYPE, _describe)


# --------------------------------------------------------------------------- sending on the interview


def _stored_message(count: int) -> str:
    return ngettext(
        "Zapisano %(num)d odpowiedź wpisaną po wygaśnięciu sesji.",
        "Zapisano %(num)d odpowiedzi wpisane po wygaśnięciu sesji.",
        count,
    )


def send_on_open(db: Session, interview: Interview) -> list[pending.Pending]:
    """Opening the interview stores the worker's kept answers nobody else changed; returns what still waits."""
    if interview.id is None:
        return []
    kept = drafts.record_draft(db, me().id, pending.OBJECT_TYPE, interview.id)
    if kept is None:
        return []
    if interview.state != InterviewState.IN_PROGRESS:
        # Finished (or interrupted) meanwhile: nothing can be stored until it is reopened; say so, keep them.
        items = pending.review(db, interview, kept, lang=_lang())
        for item in items:
            item.problem = item.problem or errors.InterviewReadOnly().message
        return items
    # A page view reads in its own (read) transaction: the kept answers are stored in a short write beside it.
    with standalone_session() as writer:
        row = writer.get(Interview, interview.id)
        draft = drafts.record_draft(writer, me().id, pending.OBJECT_TYPE, interview.id)
        if row is None or draft is None:
            return []
        sent = pending.send(writer, actor=me(), interview=row, draft=draft, lang=_lang())
    db.rollback()  # read again, now with what was just stored
    if sent.stored:
        flash(_stored_message(len(sent.stored)), "success")
    return sent.waiting


@bp.route("/interviews/<int:interview_id>/pending", methods=["POST"])
@roles_required(Role.WORKER, Role.SUPERVISOR)
def send(interview_id: int) -> Response:
    """Send the kept answers back to the interview (all, or one chosen version) and show the interview."""
    db = get_session()
    try:
        interview = access.get_interview(db, me(), interview_id)
    except NotFound:
        abort(404)
    draft = drafts.record_draft(db, me().id, pending.OBJECT_TYPE, interview_id)
    section = None
    anchor = "section-title"
    if draft is not None:
        key = request.form.get("key", "")
        choice = request.form.get("choice", "")
        entries = {e["key"] for e in drafts.entries_of(draft)}
        first = next(iter(pending.review(db, interview, draft, lang=_lang())), None)
        section = first.section_id if first is not None and first.section_id else None
        if key and key in entries and choice == "drop":
            pending.give_up(db, actor=me(), interview=interview, draft=draft, key=key)
            flash(str(_l("Zostawiono obecną odpowiedź.")), "info")
        else:
            keys = [key] if key in entries else None
            overwrite = [key] if key in entries and choice == "mine" else []
            sent = pending.send(db, actor=me(), interview=interview, draft=draft, keys=keys, overwrite=overwrite,
                                lang=_lang())
            if sent.stored:
                flash(_stored_message(len(sent.stored)), "success")
                if sent.stored[0] != pending.NOTES_KEY:
                    anchor = dom_id(sent.stored[0])
            for problem in dict.fromkeys(item.problem for item in sent.waiting if item.problem):
                flash(problem, "warning")
            if any(item.conflict is not None and not item.problem for item in sent.waiting):
                flash(str(_l("Niektóre odpowiedzi zmieniono w międzyczasie: wybierz, którą wersję zachować.")), "warning")
            if sent.waiting:
                anchor = "pending"
    url = url_for("interviews.run", interview_id=interview_id, section=section)
    return redirect(f"{url}#{anchor}")  # type: ignore[return-value]
