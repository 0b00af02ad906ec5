"""What each feature's demo seeder is given: the demo office and its accounts (app/demo runs the seeders).

It lives here, below the features, so that a feature's seeder never imports app/demo back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session

from app.auth.models import Office, User


@dataclass
class DemoContext:
    """What feature seeders get: the demo office and its accounts by username."""

    office: Office
    users: dict[str, User] = field(default_factory=dict)
    # The demo accounts' password when known (configured, or the accounts were created now); else None.
    password: str | None = None


Seeder = Callable[[Session, DemoContext], None]
