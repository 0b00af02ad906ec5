"""Page helpers for the interview runner: start an interview on a fresh case, answer by key, wait for saves."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Mapping, Sequence

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import LiveServer

SAVED = "Zapisano"


def dom_id(key: str) -> str:
    """The block id of an answer key (as the runner renders it)."""
    return "q-" + key.replace(".", "-")


def new_case(live_server: LiveServer, username: str = "demo-worker") -> int:
    """A fresh case assigned to the user, straight in the database (the cases feature builds the real form)."""
    path = live_server.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        user_id, office_id = conn.execute(
            "SELECT id, office_id FROM user_account WHERE username = ?", (username,)
        ).fetchone()
        cursor = conn.execute(
            "INSERT INTO case_file (office_id, reference, applicant_name, search_name, pesel, email, address, channel,"
            " channel_detail, received_on, requested, request_note, urgent, permanent_help, state, assigned_worker_id,"
            " needs_other_route, created_at) VALUES (?, ?, 'Żaneta Gęślą-Jaźń', 'zaneta gesla-jazn', NULL, '', '',"
            " 'phone', '', '2026-03-02', '[]', '', 0, 0,"
            " 'new', ?, 0, '2026-03-02 08:00:00.000000')",
            (office_id, f"TEST/{uuid.uuid4().hex[:8]}", user_id),
        )
        return int(cursor.lastrowid or 0)


def start_interview(page: Page, live_server: LiveServer, case_id: int) -> str:
    """Start the interview with the start endpoint, as the case page's button does; returns the runner URL."""
    url = page.evaluate(
        """async (caseId) => {
            const body = new FormData();
            body.append('csrf_token', document.querySelector('meta[name="csrf-token"]').content);
            const response = await fetch(`/cases/${caseId}/interviews`, {method: 'POST', body});
            return response.url;
        }""",
        case_id,
    )
    page.goto(str(url))
    return str(url)


class Runner:
    """The runner screen."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def block(self, key: str) -> Locator:
        """The block of one question."""
        return self.page.locator(f"#{dom_id(key)}")

    def status(self, key: str) -> Locator:
        """The save status of one answer."""
        return self.block(key).locator(".answer-state .save-status")

    def answer(self, key: str, value: str | Sequence[str]) -> None:
        """Answer like a worker: type text, tap a choice, pick from a list."""
        block = self.block(key)
        kind = block.get_attribute("data-type")
        if kind in ("yesno", "select_one"):
            block.get_by_label(str(value), exact=True).check()
        elif kind == "select_multiple":
            for label in [value] if isinstance(value, str) else value:
                block.get_by_label(label, exact=True).check()
        elif kind == "select_one-select":
            block.locator("select").select_option(label=str(value))
        else:
            block.locator("input:not([type=hidden]), textarea").fill(str(value))

    def answer_all(self, answers: Mapping[str, str | Sequence[str]]) -> None:
        """Answer several questions, then wait until every one of them shows "Zapisano"."""
        for key, value in answers.items():
            self.answer(key, value)
        for key in answers:
            expect(self.status(key)).to_have_text(SAVED, timeout=15000)

    def next(self) -> None:
        """Go on to the next section."""
        self.page.locator(".section-nav button[value=next]").tap()
