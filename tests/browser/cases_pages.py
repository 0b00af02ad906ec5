"""Page objects for the cases feature: the today list and its one-tap call outcomes."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


class TodayPage:
    """The worker's "Dzisiaj" screen."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    def open(self) -> TodayPage:
        """Go to /today."""
        self.page.goto(self.base_url + "/today")
        expect(self.page.get_by_role("heading", level=1, name="Dzisiaj")).to_be_visible()
        return self

    def item(self, name: str, section: str | None = None) -> Locator:
        """The list item of a person (optionally within a section heading's list)."""
        scope: Page | Locator = self.page
        if section:
            scope = self.page.locator("section.queue-section", has=self.page.get_by_role("heading", name=section))
        return scope.locator("li.queue-item", has_text=name)

    def tap_outcome(self, name: str, outcome: str) -> None:
        """Log a quick outcome ("Nie odbiera", "Odebrał(a)", ...) for a person in one tap."""
        self.item(name).get_by_role("button", name=outcome, exact=True).tap()

    def book_call_back(self, name: str, when_local: str, note: str) -> None:
        """Open "Oddzwonić później…" for the person, set the time and note, and save."""
        item = self.item(name)
        item.locator("details.call-more > summary").tap()
        item.get_by_label("Prosi o telefon później").check()
        item.get_by_label("Oddzwonić (dzień i godzina)").fill(when_local)
        item.get_by_label("Notatka").fill(note)
        item.get_by_role("button", name="Zapisz wynik").tap()


class CasePage:
    """One case's page."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    def open(self, case_id: int, name: str) -> CasePage:
        """Go to /cases/<id> and wait for the person's name."""
        self.page.goto(f"{self.base_url}/cases/{case_id}")
        expect(self.page.get_by_role("heading", level=1, name=name)).to_be_visible()
        return self

    def open_call_more(self) -> Locator:
        """Open "Oddzwonić później, inny wynik…" and return its form."""
        more = self.page.locator("details.call-more").first
        if more.get_attribute("open") is None:
            more.locator("summary").tap()
        return more

    def tap_call_back_preset(self, label: str) -> None:
        """Book a call-back with one tap of a preset ("za godzinę", "za 2 dni robocze", ...)."""
        more = self.open_call_more()
        more.get_by_role("group", name="zapisz oddzwonienie").get_by_role("button", name=label).tap()
