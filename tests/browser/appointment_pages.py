"""Page objects for appointments: booking (reason, then one tap on a free slot) and the front desk's day."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect


class BookingPage:
    """The booking page, for a case or a new person."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def choose_reason(self, name: str) -> None:
        """Tap a visit reason; the free slots for it appear (htmx) below."""
        self.page.get_by_role("radio", name=re.compile(re.escape(name))).tap()
        expect(self.page.locator("#slots .checklist-preview")).to_contain_text(name)

    def slot(self, value: str | None = None) -> Locator:
        """A slot button: the one posting `value`, or the first one offered."""
        if value is not None:
            return self.page.locator(f'#slots button.slot[value="{value}"]')
        return self.page.locator("#slots button.slot").first


class DayPage:
    """The front desk's day."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    def open(self, day: str = "") -> DayPage:
        """Go to the day (today by default)."""
        self.page.goto(self.base_url + "/appointments/day" + (f"?date={day}" if day else ""))
        expect(self.page.get_by_role("heading", level=1, name=re.compile("^Wizyty"))).to_be_visible()
        return self

    def visit(self, appointment_id: int) -> Locator:
        """One visit's card."""
        return self.page.locator(f"#visit-{appointment_id}")
