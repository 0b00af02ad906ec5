"""The report review state machine: one table of transitions, each allowed to named roles only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from flask_babel import lazy_gettext as _l

from app.auth.models import Role


class ReportState(StrEnum):
    """Where an interview's report is; DRAFT and FINISHED exist before the first submission (no report row yet)."""

    DRAFT = "draft"  # the interview is being filled in
    FINISHED = "finished"  # the interview is finished, not yet signed and sent
    SUBMITTED = "submitted"  # version 1 signed by the worker, waiting for review
    RETURNED = "returned"  # sent back with comments; the interview is reopened for corrections
    RESUBMITTED = "resubmitted"  # version 2+ signed by the worker, waiting for review
    APPROVED = "approved"  # counter-signed by a supervisor; final


class ReportAction(StrEnum):
    """What someone does to a report."""

    FINISH = "finish"
    SUBMIT = "submit"
    RESUBMIT = "resubmit"
    APPROVE = "approve"
    RETURN = "return"


@dataclass(frozen=True)
class Transition:
    """An action moving a report from any of `sources` to `target`, allowed to `roles`."""

    action: ReportAction
    sources: frozenset[ReportState]
    target: ReportState
    roles: frozenset[Role]


S = ReportState
TRANSITIONS: dict[ReportAction, Transition] = {
    t.action: t
    for t in (
        # Finishing belongs to the interview runner; it is listed so the whole life cycle is in one place.
        Transition(ReportAction.FINISH, frozenset({S.DRAFT}), S.FINISHED, frozenset({Role.WORKER})),
        Transition(ReportAction.SUBMIT, frozenset({S.FINISHED}), S.SUBMITTED, frozenset({Role.WORKER})),
        Transition(ReportAction.RESUBMIT, frozenset({S.RETURNED}), S.RESUBMITTED, frozenset({Role.WORKER})),
        Transition(ReportAction.APPROVE, frozenset({S.SUBMITTED, S.RESUBMITTED}), S.APPROVED,
                   frozenset({Role.SUPERVISOR})),
        Transition(ReportAction.RETURN, frozenset({S.SUBMITTED, S.RESUBMITTED}), S.RETURNED,
                   frozenset({Role.SUPERVISOR})),
    )
}
PENDING_REVIEW = frozenset({S.SUBMITTED, S.RESUBMITTED})

STATE_LABELS = {
    S.DRAFT: _l("w trakcie"),
    S.FINISHED: _l("zakończony, niewysłany"),
    S.SUBMITTED: _l("do zatwierdzenia"),
    S.RETURNED: _l("zwrócony do poprawy"),
    S.RESUBMITTED: _l("poprawiony, do zatwierdzenia"),
    S.APPROVED: _l("zatwierdzony"),
}


class TransitionError(ValueError):
    """The action is not allowed in this state or for these roles; `message` is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def next_state(state: ReportState, action: ReportAction, roles: Iterable[Role]) -> ReportState:
    """The state after `action`, or TransitionError when the state or the roles do not allow it."""
    transition = TRANSITIONS[action]
    if not transition.roles.intersection(roles):
        raise TransitionError(str(_l("Twoja rola nie pozwala na tę czynność.")))
    if state not in transition.sources:
        raise TransitionError(
            str(_l("Raport ma stan „%(state)s”; tej czynności nie można teraz wykonać.", state=STATE_LABELS[state]))
        )
    return transition.target


def allowed_actions(state: ReportState, roles: Iterable[Role]) -> list[ReportAction]:
    """Actions the roles may take in `state`, in table order."""
    held = set(roles)
    return [t.action for t in TRANSITIONS.values() if state in t.sources and t.roles.intersection(held)]
