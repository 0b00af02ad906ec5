"""What other features add to an interview, without interviews importing them (blinker, as app/auth/signals.py).

interviews sends these signals; a feature that must take part subscribes once at app start (`create_app` calls
`app.referrals.finish.subscribe()`). Receivers run in the sender's transaction and their exceptions reach it.

- `finish_check`: what stands in the way of finishing. Referrals answers with each fired flag still undecided
  (a blocking problem of kind FLAG_KIND: the finish page links it to the flags page).
- `flags_changed`: an autosave changed which flags fire. Referrals answers with the flags panel, which the reply
  sends out of band (`interviews/_answer_state.html` includes `referrals/_interview_flags.html` with it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from blinker import Namespace
from sqlmodel import Session

from app.formdefs import CompletionProblem, Evaluation
from app.interviews.models import Interview

FLAG_KIND = "flag"

_signals = Namespace()

# sender: the Interview; keyword arguments: session. Each receiver returns a list of CompletionProblem.
finish_check = _signals.signal("interview-finish-check")
# sender: the Interview; keyword arguments: session, lang, answers, evaluation (the state after the save).
# A receiver returns the flags panel's context (`review`), or None.
flags_changed = _signals.signal("interview-flags-changed")


def finish_problems(session: Session, interview: Interview) -> list[CompletionProblem]:
    """The problems every subscribed feature finds before the interview may be finished."""
    return [problem for _receiver, problems in finish_check.send(interview, session=session) for problem in problems]


def flags_panel(
    session: Session, interview: Interview, *, lang: str, answers: Mapping[str, Any], evaluation: Evaluation
) -> Any | None:
    """The flags panel to send with an autosave reply whose save changed the fired flags (None: no panel)."""
    replies = flags_changed.send(interview, session=session, lang=lang, answers=answers, evaluation=evaluation)
    return next((panel for _receiver, panel in replies if panel is not None), None)
