"""Per-field privacy on screen: `visible_to` of the form decides whose eyes see an answer.

The referral and the PDF already redact by role (app.formdefs.flags.redact); the runner and the summary use
the same rule here. The worker who holds the interview (its worker, or the case's assigned worker) records the
answers and sees them all; anyone else reaching the interview (a supervisor) sees what the supervisor role may.
"""

from __future__ import annotations

from typing import Any

from app.auth.models import Role
from app.formdefs.flags import redact
from app.formdefs.model import FormDefinition


def answer_role(principal: Any, interview: Any, case: Any = None) -> str:
    """The role whose view of the answers `principal` gets for this interview."""
    if principal is None:
        return Role.SUPERVISOR.value
    own = interview.worker_id == principal.id or (case is not None and case.assigned_worker_id == principal.id)
    if own and principal.has(Role.WORKER):
        return Role.WORKER.value
    return Role.SUPERVISOR.value


def may_see(form: FormDefinition, key: str, role: str) -> bool:
    """Whether `role` may see the answer stored under `key` (the question's and its group's visible_to)."""
    return key in redact(form, {key: None}, role)


def withheld(form: FormDefinition, key: str, role: str) -> bool:
    """A known answer key that `role` may not see (unknown keys are for the save itself to refuse)."""
    return may_see(form, key, Role.WORKER.value) and not may_see(form, key, role)
