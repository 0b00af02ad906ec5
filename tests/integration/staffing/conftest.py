"""Fixtures for rota and duty tests: a pinned clock on an ordinary Monday."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
import time_machine

from app.clock import LOCAL_TZ

MONDAY_MORNING = datetime(2026, 3, 2, 9, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def monday() -> Iterator[time_machine.Coordinates]:
    """The clock at 9:00 on Monday 2 March 2026 (Warsaw), ticking; log in after this fixture."""
    with time_machine.travel(MONDAY_MORNING, tick=True) as traveller:
        yield traveller
