"""The referral state machine: every allowed move, who may make it, and what it needs. Nothing else moves a referral.

new → accepted (by one psychologist) → contact attempted → in support → closed (with outcome);
new / accepted / contact attempted → returned to the centre (with reason). A supervisor may release an accepted
referral back to new (e.g. the psychologist is away) and return a referral the psychologists cannot take.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flask_babel import lazy_gettext as _l

from app.auth.models import Role
from app.auth.services import Principal
from app.referrals.models import Referral, ReferralState

S = ReferralState


class Action(StrEnum):
    """Things a user can do to a referral."""

    ACCEPT = "accept"
    LOG_CONTACT = "log_contact"
    START_SUPPORT = "start_support"
    CLOSE = "close"
    RETURN = "return"
    RELEASE = "release"


@dataclass(frozen=True)
class Transition:
    """One allowed move from a state; `owner_only` = only the psychologist who accepted the referral."""

    action: Action
    source: ReferralState
    target: ReferralState
    roles: frozenset[Role]
    owner_only: bool = False


PSY = frozenset({Role.PSYCHOLOGIST})
PSY_OR_SUP = frozenset({Role.PSYCHOLOGIST, Role.SUPERVISOR})
SUP = frozenset({Role.SUPERVISOR})

TRANSITIONS: tuple[Transition, ...] = (
    Transition(Action.ACCEPT, S.NEW, S.ACCEPTED, PSY),
    Transition(Action.LOG_CONTACT, S.ACCEPTED, S.CONTACT_ATTEMPTED, PSY, owner_only=True),
    Transition(Action.LOG_CONTACT, S.CONTACT_ATTEMPTED, S.CONTACT_ATTEMPTED, PSY, owner_only=True),
    Transition(Action.LOG_CONTACT, S.IN_SUPPORT, S.IN_SUPPORT, PSY, owner_only=True),
    Transition(Action.START_SUPPORT, S.CONTACT_ATTEMPTED, S.IN_SUPPORT, PSY, owner_only=True),
    Transition(Action.CLOSE, S.CONTACT_ATTEMPTED, S.CLOSED, PSY, owner_only=True),
    Transition(Action.CLOSE, S.IN_SUPPORT, S.CLOSED, PSY, owner_only=True),
    Transition(Action.RETURN, S.NEW, S.RETURNED, PSY_OR_SUP),
    Transition(Action.RETURN, S.ACCEPTED, S.RETURNED, PSY, owner_only=True),
    Transition(Action.RETURN, S.CONTACT_ATTEMPTED, S.RETURNED, PSY, owner_only=True),
    Transition(Action.RETURN, S.ACCEPTED, S.RETURNED, SUP),
    Transition(Action.RETURN, S.CONTACT_ATTEMPTED, S.RETURNED, SUP),
    Transition(Action.RELEASE, S.ACCEPTED, S.NEW, SUP),
    Transition(Action.RELEASE, S.CONTACT_ATTEMPTED, S.NEW, SUP),
)

STATE_LABELS = {
    S.NEW: _l("nowe"),
    S.ACCEPTED: _l("przyjęte"),
    S.CONTACT_ATTEMPTED: _l("próba kontaktu"),
    S.IN_SUPPORT: _l("we wsparciu"),
    S.CLOSED: _l("zamknięte"),
    S.RETURNED: _l("zwrócone do ośrodka"),
}

ACTION_LABELS = {
    Action.ACCEPT: _l("Przyjmij"),
    Action.LOG_CONTACT: _l("Zapisz próbę kontaktu"),
    Action.START_SUPPORT: _l("Rozpocznij wsparcie"),
    Action.CLOSE: _l("Zamknij"),
    Action.RETURN: _l("Zwróć do ośrodka"),
    Action.RELEASE: _l("Zwolnij (wróć do nowych)"),
}


class TransitionError(ValueError):
    """The move is not allowed now or not for this user; the message is for the user (Polish)."""


def _permits(transition: Transition, referral: Referral, principal: Principal) -> bool:
    if not principal.has(*transition.roles):
        return False
    return not transition.owner_only or referral.accepted_by_id == principal.id


def allowed_actions(referral: Referral, principal: Principal) -> list[Action]:
    """Actions this user may take on the referral in its current state, in table order, without repeats."""
    actions: list[Action] = []
    for transition in TRANSITIONS:
        permitted = transition.source == referral.state and _permits(transition, referral, principal)
        if permitted and transition.action not in actions:
            actions.append(transition.action)
    return actions


def transition_for(referral: Referral, action: Action, principal: Principal) -> Transition:
    """The transition the user may make, or TransitionError saying why not."""
    candidates = [t for t in TRANSITIONS if t.action == action and t.source == referral.state]
    if not candidates:
        raise TransitionError(
            str(
                _l(
                    "Tej czynności nie można wykonać, gdy zgłoszenie ma stan „%(state)s”.",
                    state=STATE_LABELS[referral.state],
                )
            )
        )
    for transition in candidates:
        if _permits(transition, referral, principal):
            return transition
    if any(principal.has(*t.roles) for t in candidates):
        raise TransitionError(str(_l("To zgłoszenie prowadzi inny psycholog.")))
    raise TransitionError(str(_l("Twoja rola nie pozwala na tę czynność.")))
