"""Small page objects for browser tests."""

from __future__ import annotations

from playwright.sync_api import Page, expect


class LoginPage:
    """The login form."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    def open(self, path: str = "/login") -> LoginPage:
        """Go to the login page (or a protected page that leads there)."""
        self.page.goto(self.base_url + path)
        expect(self.page.get_by_role("heading", name="Logowanie")).to_be_visible()
        return self

    def log_in(self, username: str, password: str) -> None:
        """Fill in and send the form with taps, like a phone user."""
        self.page.get_by_label("Nazwa użytkownika").fill(username)
        self.page.get_by_label("Hasło").fill(password)
        self.page.get_by_role("button", name="Zaloguj się").tap()


def log_in_as(page: Page, base_url: str, username: str, password: str) -> None:
    """Log in through the form and wait until the landing page has loaded."""
    LoginPage(page, base_url).open().log_in(username, password)
    page.wait_for_url(lambda url: "/login" not in url)


def log_out(page: Page) -> None:
    """Log out with the header button and wait for the login page."""
    page.get_by_role("button", name="Wyloguj").tap()
    expect(page.get_by_role("heading", name="Logowanie")).to_be_visible()


def assert_fits_phone(page: Page) -> None:
    """Nothing sticks out sideways at 390 px (no horizontal scrolling)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the screen"


def assert_touch_targets(page: Page, minimum: int = 44) -> None:
    """Every visible button and form control is at least 44 px tall (hidden from touch and readers: not counted)."""
    small = page.evaluate(
        """(min) => Array.from(document.querySelectorAll('button, input:not([type=hidden]), select, a.button'))
            .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < min
                     && !['checkbox', 'radio'].includes(e.type) && !e.closest('[aria-hidden=true]'))
            .map(e => e.outerHTML.slice(0, 80))""",
        minimum,
    )
    assert small == [], f"touch targets under {minimum}px: {small}"
