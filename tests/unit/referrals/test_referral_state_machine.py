"""The referral state machine on its own: who may do what from which state."""

from __future__ import annotations

import pytest

from app.auth.models import Role
from app.auth.services import Principal
from app.referrals.models import Referral, ReferralState
from app.referrals.states import TRANSITIONS, Action, TransitionError, allowed_actions, transition_for

S = ReferralState
PSY_ID, OTHER_PSY_ID, SUP_ID = 1, 2, 3


def _principal(user_id: int, *roles: Role) -> Principal:
    return Principal(id=user_id, office_id=1, username=f"u{user_id}", full_name="X", locale="pl", roles=frozenset(roles))


PSY = _principal(PSY_ID, Role.PSYCHOLOGIST)
OTHER_PSY = _principal(OTHER_PSY_ID, Role.PSYCHOLOGIST)
SUP = _principal(SUP_ID, Role.SUPERVISOR)
WORKER = _principal(4, Role.WORKER)
ADMIN = _principal(5, Role.ADMIN)


def _referral(state: ReferralState, accepted_by: int | None = PSY_ID) -> Referral:
    return Referral(state=state, accepted_by_id=None if state in (S.NEW, S.RETURNED) else accepted_by)


@pytest.mark.parametrize(
    ("state", "who", "expected"),
    [
        (S.NEW, PSY, [Action.ACCEPT, Action.RETURN]),
        (S.NEW, SUP, [Action.RETURN]),
        (S.ACCEPTED, PSY, [Action.LOG_CONTACT, Action.RETURN]),
        (S.ACCEPTED, OTHER_PSY, []),
        (S.ACCEPTED, SUP, [Action.RETURN, Action.RELEASE]),
        (S.CONTACT_ATTEMPTED, PSY, [Action.LOG_CONTACT, Action.START_SUPPORT, Action.CLOSE, Action.RETURN]),
        (S.IN_SUPPORT, PSY, [Action.LOG_CONTACT, Action.CLOSE]),
        (S.IN_SUPPORT, SUP, []),
        (S.CLOSED, PSY, []),
        (S.RETURNED, PSY, []),
        (S.NEW, WORKER, []),
        (S.NEW, ADMIN, []),
    ],
)
def test_allowed_actions_per_state_and_role(state: ReferralState, who: Principal, expected: list[Action]) -> None:
    """Exactly the listed actions are offered; the owner rule keeps colleagues off an accepted referral."""
    assert allowed_actions(_referral(state), who) == expected


def test_forbidden_move_says_why_in_polish() -> None:
    """A move not allowed in the state, by the role, or for a colleague's referral names the reason."""
    with pytest.raises(TransitionError, match="gdy zgłoszenie ma stan „zamknięte”"):
        transition_for(_referral(S.CLOSED), Action.ACCEPT, PSY)
    with pytest.raises(TransitionError, match="prowadzi inny psycholog"):
        transition_for(_referral(S.ACCEPTED), Action.LOG_CONTACT, OTHER_PSY)
    with pytest.raises(TransitionError, match="Twoja rola nie pozwala"):
        transition_for(_referral(S.NEW), Action.ACCEPT, WORKER)


def test_closed_and_returned_are_final() -> None:
    """No transition leaves closed or returned."""
    assert not [t for t in TRANSITIONS if t.source in (S.CLOSED, S.RETURNED)]


def test_every_state_is_reachable_from_new() -> None:
    """The table connects new to every other state."""
    reached = {S.NEW}
    changed = True
    while changed:
        before = set(reached)
        reached |= {t.target for t in TRANSITIONS if t.source in reached}
        changed = reached != before
    assert reached == set(ReferralState)
