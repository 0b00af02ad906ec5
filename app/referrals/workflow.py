"""Moving a referral through its states (accept, contact, close, emergency) with the transition log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlmodel import Session, col

from app import audit
from app.auth.services import Principal
from app.clock import utcnow
from app.errors import InvalidInput
from app.referrals.intake import NOTE_MAX
from app.referrals.models import (
    CloseOutcome,
    ContactOutcome,
    Referral,
    ReferralContact,
    ReferralTransition,
)
from app.referrals.states import Action, TransitionError, transition_for

# --------------------------------------------------------------------------- moving a referral


@dataclass
class TransitionInput:
    """What the psychologist or supervisor sent with an action."""

    outcome: str = ""
    note: str = ""
    reason: str = ""


def apply_action(
    session: Session, *, actor: Principal, referral: Referral, action: Action, data: TransitionInput
) -> Referral:
    """Move the referral by one allowed transition (see states.py), logging contacts and history."""
    transition = transition_for(referral, action, actor)
    errors: dict[str, str] = {}
    note = data.note.strip()
    if len(note) > NOTE_MAX:
        errors["note"] = str(_l("Notatka może mieć najwyżej %(n)s znaków.", n=NOTE_MAX))
    if action == Action.LOG_CONTACT and data.outcome not in {o.value for o in ContactOutcome}:
        errors["outcome"] = str(_l("Wybierz wynik próby kontaktu."))
    if action == Action.CLOSE and data.outcome not in {o.value for o in CloseOutcome}:
        errors["outcome"] = str(_l("Wybierz wynik, z jakim zamykasz zgłoszenie."))
    reason = data.reason.strip()
    if action == Action.RETURN and not reason:
        errors["reason"] = str(_l("Podaj powód zwrotu do ośrodka."))
    elif len(reason) > NOTE_MAX:
        errors["reason"] = str(_l("Powód może mieć najwyżej %(n)s znaków.", n=NOTE_MAX))
    if errors:
        raise InvalidInput(errors)

    now = utcnow()
    values: dict[str, Any] = {"state": transition.target, "updated_at": now}
    if action == Action.ACCEPT:
        values.update(accepted_by_id=actor.id, accepted_at=now)
    elif action == Action.RELEASE:
        values.update(accepted_by_id=None, accepted_at=None)
    elif action == Action.LOG_CONTACT and referral.first_contact_at is None:
        values["first_contact_at"] = now
    elif action == Action.CLOSE:
        values.update(close_outcome=data.outcome, closing_note=note)
    elif action == Action.RETURN:
        values["return_reason"] = reason
    # Conditional update: of two psychologists accepting at once, exactly one wins.
    result = session.execute(
        update(Referral)
        .where(col(Referral.id) == referral.id, col(Referral.state) == transition.source)
        .values(**values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise TransitionError(str(_l("Zgłoszenie zmieniło się w międzyczasie (np. przyjął je ktoś inny). Odśwież listę.")))
    for name, value in values.items():
        setattr(referral, name, value)
    assert referral.id is not None  # noqa: S101
    if action == Action.LOG_CONTACT:
        session.add(
            ReferralContact(
                referral_id=referral.id, psychologist_id=actor.id, at=now, outcome=ContactOutcome(data.outcome), note=note
            )
        )
    history_note = reason if action == Action.RETURN else (note if action != Action.LOG_CONTACT else "")
    session.add(
        ReferralTransition(
            referral_id=referral.id,
            action=action.value,
            from_state=transition.source.value,
            to_state=transition.target.value,
            actor_id=actor.id,
            at=now,
            note=history_note,
        )
    )
    session.flush()
    audit.log(session, f"referral.{action.value}", actor=actor, obj=referral, from_state=transition.source.value,
              to_state=transition.target.value, outcome=data.outcome or None)
    return referral
