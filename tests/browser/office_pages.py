"""Page objects for issue 18: the public contact page, a filing guide during a call, the rota."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_AXE = Axe()


def axe_violations(page: Page) -> list[str]:
    """WCAG 2.1 A/AA violations on the page, one line each (empty when clean)."""
    results = _AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    found: list[dict[str, Any]] = results.response["violations"]
    return [f"{v['id']}: {v['help']} — " + "; ".join(n["html"][:120] for n in v["nodes"][:3]) for v in found]


class ContactPage:
    """The public /contact page (no login)."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    def open(self, path: str = "/contact") -> ContactPage:
        """Go to the page and wait for its heading."""
        self.page.goto(self.base_url + path)
        expect(self.page.get_by_role("heading", level=1)).to_be_visible()
        return self

    def section(self, heading: str) -> Locator:
        """The card under a heading ("Dziś", "Sekcje", "Jak złożyć wniosek"...)."""
        return self.page.locator("section.card", has=self.page.get_by_role("heading", level=2, name=heading, exact=True))


class CaseGuidePage:
    """A filing guide opened from a case, during the call."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def tick(self, step: int) -> None:
        """Mark step `step` (1-based) as done; htmx keeps it on the server."""
        self.page.get_by_label(f"Zrobione: krok {step}", exact=True).check()

    @property
    def progress(self) -> Locator:
        """The "steps done" status line."""
        return self.page.locator("#guide-progress")

    def record_outcome(self, note: str) -> None:
        """Write a note and record "guided to file electronically"."""
        outcome = self.page.locator("section", has=self.page.get_by_role("heading", name="Zapisz wynik rozmowy"))
        outcome.get_by_label("Notatka (nieobowiązkowa)").fill(note)
        outcome.get_by_role("button", name="Zapisz: poinstruowano, jak złożyć wniosek elektronicznie").tap()


class RotaPage:
    """The week's rota."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def section_of_day(self, day_heading: str, section: str) -> Locator:
        """A section's block within one day's card."""
        day = self.page.locator("section.rota-day", has=self.page.get_by_role("heading", level=2, name=day_heading))
        return day.locator(".rota-section", has=self.page.get_by_role("heading", level=3, name=section, exact=True))
