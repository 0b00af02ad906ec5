"""Which call outcomes book a call-back at the time given (issue 15, point 4).

"Prosi o telefon później" books one; so does "nie może swobodnie rozmawiać" (unsafe) when the person names a
safe time: the case must come back on the list then, and the record must still say it was unsafe to talk.
"""

from __future__ import annotations

from app.cases.models import CallOutcome

BOOKS_CALLBACK = frozenset({CallOutcome.CALL_BACK, CallOutcome.UNSAFE})


def outcome_for_preset(ticked: str) -> str:
    """A tapped call-back preset keeps an outcome that books call-backs (unsafe), else means "call back later"."""
    return ticked if ticked in {o.value for o in BOOKS_CALLBACK} else CallOutcome.CALL_BACK.value


def books_callback(outcome: CallOutcome, *, time_given: bool) -> bool:
    """Whether this outcome, with or without a time typed or tapped, books a call-back."""
    if outcome is CallOutcome.CALL_BACK:
        return True
    return outcome is CallOutcome.UNSAFE and time_given
