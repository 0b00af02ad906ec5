"""The report review state machine: every allowed move, and forbidden moves by state and by role."""

from __future__ import annotations

import pytest

from app.auth.models import Role
from app.reports.states import (
    TRANSITIONS,
    ReportAction,
    ReportState,
    TransitionError,
    allowed_actions,
    next_state,
)

S, A = ReportState, ReportAction
ALLOWED = [
    (S.DRAFT, A.FINISH, Role.WORKER, S.FINISHED),
    (S.FINISHED, A.SUBMIT, Role.WORKER, S.SUBMITTED),
    (S.SUBMITTED, A.APPROVE, Role.SUPERVISOR, S.APPROVED),
    (S.SUBMITTED, A.RETURN, Role.SUPERVISOR, S.RETURNED),
    (S.RETURNED, A.RESUBMIT, Role.WORKER, S.RESUBMITTED),
    (S.RESUBMITTED, A.APPROVE, Role.SUPERVISOR, S.APPROVED),
    (S.RESUBMITTED, A.RETURN, Role.SUPERVISOR, S.RETURNED),
]


@pytest.mark.parametrize(("state", "action", "role", "target"), ALLOWED)
def test_allowed_move_reaches_its_target(state: ReportState, action: ReportAction, role: Role, target: ReportState) -> None:
    """Each listed move is allowed to its role and lands in the expected state."""
    assert next_state(state, action, {role}) is target
    assert action in allowed_actions(state, {role})


@pytest.mark.parametrize(("state", "action", "role", "_target"), ALLOWED)
@pytest.mark.parametrize("other", [Role.PSYCHOLOGIST, Role.ADMIN])
def test_roles_outside_the_transition_are_refused(state: ReportState, action: ReportAction, role: Role,
                                                  _target: ReportState, other: Role) -> None:
    """Psychologists and administrators move no report anywhere."""
    with pytest.raises(TransitionError, match="rola"):
        next_state(state, action, {other})


@pytest.mark.parametrize(("state", "action"), [
    (S.DRAFT, A.SUBMIT), (S.SUBMITTED, A.SUBMIT), (S.APPROVED, A.RETURN), (S.APPROVED, A.APPROVE),
    (S.RETURNED, A.APPROVE), (S.FINISHED, A.APPROVE), (S.APPROVED, A.RESUBMIT), (S.SUBMITTED, A.RESUBMIT),
])
def test_moves_from_the_wrong_state_are_refused(state: ReportState, action: ReportAction) -> None:
    """Approved is final; nothing is approved twice, returned twice or submitted while waiting."""
    roles = {Role.WORKER, Role.SUPERVISOR}
    with pytest.raises(TransitionError, match="stan"):
        next_state(state, action, roles)


def test_worker_cannot_approve_and_supervisor_cannot_submit() -> None:
    """Per-role transitions: signing for review is the worker's, deciding is the supervisor's."""
    with pytest.raises(TransitionError):
        next_state(S.SUBMITTED, A.APPROVE, {Role.WORKER})
    with pytest.raises(TransitionError):
        next_state(S.FINISHED, A.SUBMIT, {Role.SUPERVISOR})


def test_every_state_is_reachable_and_approved_is_final() -> None:
    """The table covers the whole life cycle; nothing leaves APPROVED."""
    targets = {t.target for t in TRANSITIONS.values()} | {S.DRAFT}
    assert targets == set(ReportState)
    assert allowed_actions(S.APPROVED, set(Role)) == []
