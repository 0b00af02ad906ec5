"""The in-call runner: one section per screen, every answer autosaved, plain form posts without JavaScript."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlmodel import Session
from werkzeug.datastructures import MultiDict

from app import audit
from app.auth.access import me, roles_required
from app.auth.models import Role
from app.cases.models import Case
from app.db import get_session, reads_first, standalone_session, start_writing, stop_writing
from app.errors import NotFound
from app.formdefs import Question, StorageError, changes, display, from_storage
from app.formdefs.keys import question_for_key
from app.formdefs.validators import TEXT_MAX
from app.interviews import (
    access,
    answers,
    autosave,
    carry,
    errors,
    finish_view,
    hooks,
    interview_state,
    lifecycle,
    members,
    pending,
    privacy,
    resume,
)
from app.interviews import start as iv_start
from app.interviews.models import Interview, InterviewState
from app.interviews.screen import GroupView, Screen, build_screen, dom_id, saved_screen, summary
from app.reports.comments import open_comments
from app.web import parts
from app.web.htmx import is_htmx, render, trigger
from app.web.ids import parse_id
from app.web.parts import part

bp = Blueprint("interviews", __name__)

STATE_LABELS = {
    InterviewState.IN_PROGRESS: _l("w toku"),
    InterviewState.INTERRUPTED: _l("przerwany — niebezpiecznie"),
    InterviewState.FINISHED: _l("zakończony"),
}


@part("case", "interviews")
def _case_interviews(*, session: Session, case: Case, **_: Any) -> list[Interview]:
    """The case page's interviews card: the case's interviews, newest first."""
    return access.case_interviews(session, case.id or 0)


@bp.app_template_global()
def interview_state_label(state: str) -> str:
    """Polish label of an interview state."""
    return str(STATE_LABELS.get(InterviewState(state), state))


@bp.context_processor
def _limits() -> dict[str, Any]:
    return {"text_max": TEXT_MAX, "notes_max": autosave.NOTES_MAX, "notes_typed": None, "notes_error": None}


@bp.app_template_global()
def answer_dom_id(key: str) -> str:
    """HTML id of an answer's block."""
    return dom_id(key)


def _interview(interview_id: int) -> Interview:
    try:
        return access.get_interview(get_session(), me(), interview_id)
    except NotFound:
        abort(404)


def _role(interview: Interview) -> str:
    """Whose view of the answers the current user gets (per-field privacy, app/interviews/privacy.py)."""
    principal = me()
    # The case counts only when the interview is someone else's (it may be assigned to this worker): not read otherwise.
    case = None if interview.worker_id == principal.id else get_session().get(Case, interview.case_id)
    return privacy.answer_role(principal, interview, case)


def _writable(data: Any, interview: Interview) -> Any:
    """The posted section without answers the user may not see (they are neither shown nor overwritten)."""
    form, role = answers.form_of(interview), _role(interview)
    kept = MultiDict(data)
    kept.setlist("_seen", [key for key in data.getlist("_seen") if privacy.may_see(form, key, role)])
    return kept


def _run_url(interview: Interview, section: str | None = None, anchor: str | None = None) -> str:
    url = url_for("interviews.run", interview_id=interview.id, section=section)
    return f"{url}#{anchor}" if anchor else url


@bp.route("/cases/<int:case_id>/interviews", methods=["POST"])
@roles_required(Role.WORKER, Role.SUPERVISOR)
def start(case_id: int) -> Response:
    """Start (or resume) the interview of a case and go to the runner."""
    session = get_session()
    try:
        case = access.case_for_start(session, me(), case_id)
    except NotFound:
        abort(404)
    raw_attempt = request.form.get("call_attempt_id", "")
    try:
        interview = iv_start.start_interview(
            session, actor=me(), case=case, call_attempt_id=parse_id(raw_attempt)
        )
    except errors.InterviewError as exc:
        abort(exc.status)
    return redirect(_run_url(interview))  # type: ignore[return-value]


@bp.route("/interviews/<int:interview_id>")
@roles_required(Role.WORKER, Role.SUPERVISOR)
def run(interview_id: int) -> Response:
    """The runner screen of a section (`?section=`), or where the interview was left."""
    interview = _interview(interview_id)
    session = get_session()
    audit.view(actor=me(), obj=interview)
    if interview.state == InterviewState.INTERRUPTED:
        screen = build_screen(session, interview, lifecycle.SAFETY_SECTION, role=_role(interview))
        return render("interviews/interrupted.html", screen=screen, interview=interview)
    waiting = resume.send_on_open(session, interview)
    screen = build_screen(session, interview, request.args.get("section"), role=_role(interview),
                          comments=open_comments(session, interview.id or 0))
    if interview.state == InterviewState.IN_PROGRESS and screen.section.id != interview.current_section:
        with standalone_session() as writer:
            autosave.remember_section(writer, interview.id or 0, screen.section.id)
    # Segment A data from the case, to confirm (from the answers the screen read).
    carried = carry.panel(session, interview, screen.section.id, rows=screen.rows)
    return render("interviews/run.html", screen=screen, interview=interview, form=screen.form, pending=waiting,
                  carried=carried, carried_keys={key for key, _label, _raw in carried})


@bp.route("/interviews/<int:interview_id>/answers", methods=["POST"])
@reads_first
@roles_required(Role.WORKER, Role.SUPERVISOR)
def save(interview_id: int) -> Response:
    """Autosave one answer (htmx): the field's new state; progress, visibility and flags when they can have changed.

    Reads and validates as a reader; only the write holds the writer turn (app/db.py `reads_first`, save_answer).
    """
    session = get_session()
    # NotFound (not theirs, or none) becomes the 404 page in app/web/errors.py.
    interview, kept = pending.interview_for_save(session, actor=me(), interview_id=interview_id)
    key = request.form.get("key", "")
    rev = request.form.get(f"_rev:{key}", "")
    role = _role(interview)
    if privacy.withheld(answers.form_of(interview), key, role):
        return render("interviews/_refused.html", status=403, key=key,
                      message=_l("Tej odpowiedzi nie możesz oglądać ani zmieniać (ograniczona widoczność pola)."))
    client_id = request.form.get("client_id", "")
    try:
        saved = autosave.save_answer(
            session,
            actor=me(),
            interview=interview,
            key=key,
            raw=request.form.getlist(key),
            client_id=client_id,
            base_revision=parse_id(rev),
        )
    except errors.InterviewError as exc:
        return render("interviews/_refused.html", status=exc.status, message=exc.message, key=key)
    if kept:
        start_writing(session)
        pending.note_stored(session, user_id=me().id, interview=interview, saved=[saved], client_id=client_id)
    if saved.interrupted:
        response = Response("", status=200)
        response.headers["HX-Redirect"] = _run_url(interview)
        return response
    stop_writing(session)
    before, after = saved.before, saved.after
    # save_answer reads the interview's state once and hands both on.
    assert before is not None  # noqa: S101
    assert after is not None  # noqa: S101
    review = None
    if interview_state.flags_changed(before, after, key):
        review = hooks.flags_panel(session, interview, lang=str(get_locale() or "pl"),
                                   answers=after.answers, evaluation=after.evaluation)
    screen, view = saved_screen(interview, after, key, role=role,
                                around=interview_state.screen_changed(before, after, key))
    response = render(
        "interviews/_answer_state.html",
        view=view,
        screen=screen,
        interview=interview,
        conflict=saved.conflict,
        just_saved=True,
        review=review,
    )
    trigger(response, "answer-saved", {"key": key})
    if screen is None or saved.change_id is None:
        return response  # nothing around the field changed: the visibility stands as the last changing save left it
    # Saves of one interview commit in turn but their replies may arrive out of order: the sequence lets the
    # page drop a late reply's older visibility instead of hiding a question a newer answer opened.
    return trigger(response, "tw:visibility", {**screen.visibility, "_seq": saved.change_id})


@bp.route("/interviews/<int:interview_id>/notes", methods=["POST"])
@roles_required(Role.WORKER, Role.SUPERVISOR)
def notes(interview_id: int) -> Response:
    """Autosave the worker's notes (htmx)."""
    interview = _interview(interview_id)
    try:
        autosave.set_notes(get_session(), actor=me(), interview=interview, notes=request.form.get("_notes", ""))
    except errors.InterviewError as exc:
        return render("interviews/_refused.html", status=exc.status, message=exc.message, key="_notes")
    pending.note_notes_stored(get_session(), user_id=me().id, interview=interview)
    return render("interviews/_notes_state.html", interview=interview, just_saved=True)


def _visible_keys(screen: Screen) -> set[str]:
    return {k for k, v in screen.visibility.items() if v}


@bp.route("/interviews/<int:interview_id>/sections/<section_id>", methods=["POST"])
@roles_required(Role.WORKER, Role.SUPERVISOR)
def section(interview_id: int, section_id: str) -> Response:
    """Save every field of a section (works without JavaScript), add/remove members, then move on."""
    interview = _interview(interview_id)
    session = get_session()
    before = build_screen(session, interview, section_id, role=_role(interview))
    if before.section.id != section_id:
        abort(404)
    action = request.form.get("_action", "")
    try:
        results = autosave.save_section(
            session, actor=me(), interview=interview, section_id=section_id, data=_writable(request.form, interview)
        )
        pending.note_stored(session, user_id=me().id, interview=interview, saved=results, client_id="")
        pending.note_notes_stored(session, user_id=me().id, interview=interview)
        anchor = None
        if action.startswith(("add:", "remove:")):
            parts = action.split(":")
            index = parse_id(parts[2]) if len(parts) > 2 else None
            members.change_members(
                session, actor=me(), interview=interview, group_id=parts[1], add=parts[0] == "add", index=index
            )
            anchor = dom_id(parts[1])
    except errors.InterviewReadOnly as exc:
        flash(exc.message, "warning")
        return redirect(_run_url(interview, section_id))  # type: ignore[return-value]
    except errors.NotesTooLong as exc:
        # The answers are saved; the notes are refused whole and stay on screen as typed.
        again = build_screen(session, interview, section_id, role=_role(interview))
        return render("interviews/run.html", status=422, screen=again, interview=interview, form=again.form,
                      notes_typed=request.form.get("_notes", ""), notes_error=exc.message)
    except errors.InterviewError as exc:
        flash(exc.message, "error")
        return redirect(_run_url(interview, section_id))  # type: ignore[return-value]
    except NotFound:
        abort(404)
    if interview.state == InterviewState.INTERRUPTED:
        return redirect(_run_url(interview))  # type: ignore[return-value]
    if anchor is not None:
        if is_htmx():
            # One partial per response: the household list the add/remove buttons target, nothing else.
            after = build_screen(session, interview, section_id, role=_role(interview))
            group = next((i for i in after.items if isinstance(i, GroupView) and i.dom_id == anchor), None)
            if group is not None:
                return render("interviews/_group.html", group=group, interview=interview, screen=after,
                              read_only=after.read_only)
            return render("interviews/run.html", screen=after, interview=interview, form=after.form)
        return redirect(_run_url(interview, section_id, anchor))  # type: ignore[return-value]
    invalid = [r for r in results if r.error is not None]
    if invalid:
        flash(_l("Popraw zaznaczone odpowiedzi — zapisano je tak, jak je wpisano."), "warning")
        return redirect(_run_url(interview, section_id, dom_id(invalid[0].key)))  # type: ignore[return-value]
    after = build_screen(session, interview, section_id, role=_role(interview))
    appeared = sorted(_visible_keys(after) - _visible_keys(before))
    if appeared:
        flash(_l("Po tych odpowiedziach pojawiły się dodatkowe pytania."), "info")
        return redirect(_run_url(interview, section_id, appeared[0]))  # type: ignore[return-value]
    go = request.form.get("_go", "next")
    target = {"next": after.next_id, "prev": after.previous_id, "stay": section_id}.get(go, section_id)
    if target is None and go == "next":
        return redirect(url_for("interviews.finish", interview_id=interview.id))  # type: ignore[return-value]
    return redirect(_run_url(interview, target or section_id))  # type: ignore[return-value]


def _problem_link(interview: Interview, section_id: str, key: str | None) -> str:
    return _run_url(interview, section_id, dom_id(key) if key else "section-title")


@bp.route("/interviews/<int:interview_id>/finish", methods=["GET", "POST"])
@roles_required(Role.WORKER, Role.SUPERVISOR)
def finish(interview_id: int) -> Response:
    """GET: what is still missing before finishing; POST: finish (warnings must be accepted)."""
    interview = _interview(interview_id)
    session = get_session()
    if request.method == "GET" or interview.state != InterviewState.IN_PROGRESS:
        if interview.state == InterviewState.FINISHED:
            return redirect(url_for("interviews.summary", interview_id=interview.id))  # type: ignore[return-value]
        problems = lifecycle.problems_of(session, interview)
        outcome = lifecycle.Completion(False, problems)
        return _finish_page(interview, outcome, checked=False)
    outcome = lifecycle.complete(
        session, actor=me(), interview=interview, accept_warnings=request.form.get("accept_warnings") == "1"
    )
    if outcome.finished:
        flash(_l("Wywiad zakończony. Odpowiedzi są teraz tylko do odczytu."), "success")
        return redirect(url_for("interviews.summary", interview_id=interview.id))  # type: ignore[return-value]
    return _finish_page(interview, outcome, checked=True)


def _finish_page(interview: Interview, outcome: lifecycle.Completion, *, checked: bool) -> Response:
    form = answers.form_of(interview)
    status = 422 if checked and outcome.blocking else 200

    def link(problem: Any) -> str:
        if problem.kind == hooks.FLAG_KIND:  # an undecided flag is decided on the flags page
            return url_for("referrals.interview_flags", interview_id=interview.id)
        return _problem_link(interview, problem.section_id, problem.answer_key)

    def by_section(problems: list[Any]) -> list[finish_view.ProblemGroup]:
        return finish_view.grouped(form, problems)

    return render(
        "interviews/finish.html",
        status=status,
        interview=interview,
        form=form,
        outcome=outcome,
        checked=checked,
        link=link,
        by_section=by_section,
    )


@bp.route("/interviews/<int:interview_id>/reopen", methods=["POST"])
@roles_required(Role.WORKER, Role.SUPERVISOR)
def reopen(interview_id: int) -> Response:
    """Make a finished or interrupted interview editable again (recorded in the audit log)."""
    interview = _interview(interview_id)
    try:
        lifecycle.reopen(get_session(), actor=me(), interview=interview)
    except errors.InterviewError as exc:
        flash(exc.message, "warning")
    else:
        flash(_l("Wywiad otwarty ponownie do zmian."), "success")
    return redirect(_run_url(interview))  # type: ignore[return-value]


@bp.route("/interviews/<int:interview_id>/summary", endpoint="summary")
@roles_required(Role.WORKER, Role.SUPERVISOR)
def summary_page(interview_id: int) -> Response:
    """The answers shown by section (hidden-by-skip-logic answers are kept but not shown)."""
    interview = _interview(interview_id)
    session = get_session()
    audit.view(actor=me(), obj=interview, page="summary")
    lang = str(getattr(current_user, "locale", "pl"))
    form = answers.form_of(interview)
    changed: list[dict[str, str]] = []
    if interview.previous_interview_id is not None and interview.id is not None:
        previous = answers.load_answers(session, interview.previous_interview_id)
        for change in changes(previous, answers.load_answers(session, interview.id), form):
            if not privacy.may_see(form, change.key, _role(interview)):
                continue
            question = question_for_key(form, change.key)
            member = change.key.split(".")[1] if question.group else None
            changed.append(
                {
                    "label": question.label.get(lang) + (f" ({int(member) + 1})" if member else ""),
                    "kind": change.kind,
                    "before": _shown(question, change.before, lang),
                    "after": _shown(question, change.after, lang),
                }
            )
    return render(
        "interviews/summary.html",
        interview=interview,
        form=form,
        sections=summary(session, interview, lang, role=_role(interview)),
        parts=parts.build("interview", session=session, actor=me(), interview=interview),
        changed=changed,
        lang=lang,
    )


def _shown(question: Question, stored: Any, lang: str) -> str:
    if stored is None:
        return "—"
    try:
        return display(question, from_storage(question, stored), lang)
    except StorageError:
        return str(stored)
