"""Referrals' part in finishing an interview: an undecided fired flag blocks it (interviews' hooks, app start).

Every fired flag must be decided (a referral, an emergency step, or dismissed with a reason) before the interview
is finished; an undecided one is a blocking problem listed with the missing answers. The autosave reply carries
the flags panel when a save changed which flags fire.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from app.formdefs import CompletionProblem, Evaluation, FormDefinition, LocalText
from app.formdefs.keys import question_for_key
from app.interviews.answers import form_of
from app.interviews.hooks import FLAG_KIND, finish_check, flags_changed
from app.interviews.models import Interview
from app.referrals.flags import FlagReview, interview_review, review_flags
from app.referrals.helplines import Helplines


def subscribe() -> None:
    """Take part in finishing and autosaving interviews (called by `create_app`; connecting twice is harmless)."""
    finish_check.connect(undecided_flags)
    flags_changed.connect(flags_panel)


def undecided_flags(interview: Interview, *, session: Session) -> list[CompletionProblem]:
    """Each fired flag without a decision, as a blocking problem in the section of the question that fired it."""
    form = form_of(interview)
    review = review_flags(session, interview=interview, helplines=Helplines(lines=(), guidance={}))
    problems = []
    for view in review.flags:
        if view.decision is not None:
            continue
        key = view.flag.triggered_by[0] if view.flag.triggered_by else None
        explanation = view.flag.explanation
        problems.append(CompletionProblem(
            "blocking", FLAG_KIND, _section_of(form, key), None, key,
            LocalText(
                f"Sygnał bez decyzji: {explanation.pl} Wyślij skierowanie, odnotuj wezwanie pomocy albo odrzuć "
                "sygnał z podaniem powodu.",
                f"Undecided flag: {explanation.en} Send a referral, record the emergency call or dismiss the flag "
                "with a reason.",
            ),
        ))
    return problems


def flags_panel(
    interview: Interview, *, session: Session, lang: str, answers: Mapping[str, Any], evaluation: Evaluation
) -> FlagReview:
    """The runner's flags panel after a save that changed the fired flags (the office's helplines of today)."""
    return interview_review(session, interview=interview, lang=lang, answers=answers, evaluation=evaluation)


def _section_of(form: FormDefinition, key: str | None) -> str:
    if key:
        try:
            return question_for_key(form, key).section
        except (KeyError, ValueError):
            pass
    return form.sections[-1].id
