"""Plain HTTP against a live server process (loopback only): a cookie session, login, autosave; arranging records.

Standard library only (urllib + http.cookiejar): one `HttpSession` per logged-in user, safe to share between
threads for requests that do not change cookies.
"""

from __future__ import annotations

import datetime as dt
import http.client
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from sqlmodel import Session

import app.models  # noqa: F401 - registers every table
from app.auth.models import Office, Role
from app.auth.services import create_user
from app.cases.models import Case, Channel
from app.db import make_engine
from tests.factories import PASSWORD, test_mode_hashing

# Free-text questions of RWS v1 without constraints or conditions: any value is a valid answer.
TEXT_KEYS = ("full_name", "citizenship", "address", "city", "place_of_stay", "qualifications")


@dataclass(frozen=True)
class Reply:
    """Status, body and final URL of one request."""

    status: int
    body: str
    url: str


class HttpSession:
    """A browser-like session: cookies kept, redirects followed, CSRF token from the page's meta tag."""

    def __init__(self, base_url: str) -> None:
        assert base_url.startswith("http://127.0.0.1:"), "live HTTP tests talk to loopback only"
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = ""

    def request(self, method: str, path: str, fields: dict[str, str] | None = None,
                headers: dict[str, str] | None = None, timeout: float = 30) -> Reply:
        """Send one request; HTTP errors come back as replies, connection failures raise OSError."""
        data = urllib.parse.urlencode(fields or {}).encode() if method == "POST" else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers or {})  # noqa: S310
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return Reply(response.status, response.read().decode("utf-8", "replace"), response.geturl())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode("utf-8", "replace"), error.geturl())
        except http.client.HTTPException as error:
            # A server killed while sending the body (IncompleteRead): the reply never arrived, as a refused connection.
            raise ConnectionError(f"{method} {path}: the reply was cut off ({error!r})") from error

    def token_from(self, path: str) -> str:
        """Load a page and keep its CSRF token."""
        reply = self.request("GET", path)
        match = re.search(r'name="csrf-token" content="([^"]+)"', reply.body)
        assert match, (reply.status, reply.body[:500])
        self.csrf = match.group(1)
        return self.csrf

    def login(self, username: str, password: str = PASSWORD) -> None:
        """Log in through the form."""
        self.token_from("/login")
        reply = self.request("POST", "/login", {"username": username, "password": password, "csrf_token": self.csrf})
        assert reply.status == 200 and "/login" not in reply.url, (reply.status, reply.url)

    def start_interview(self, case_id: int) -> int:
        """Start the case's interview through the button's POST; the id of the runner page reached."""
        self.token_from(f"/cases/{case_id}")
        reply = self.request("POST", f"/cases/{case_id}/interviews", {"csrf_token": self.csrf})
        match = re.search(r"/interviews/(\d+)", reply.url)
        assert reply.status == 200 and match, (reply.status, reply.url)
        interview_id = int(match.group(1))
        self.token_from(f"/interviews/{interview_id}")
        return interview_id

    def autosave(self, interview_id: int, key: str, value: str, timeout: float = 30) -> Reply:
        """One htmx autosave, as the runner's script sends it."""
        return self.request(
            "POST",
            f"/interviews/{interview_id}/answers",
            {"key": key, key: value},
            headers={"HX-Request": "true", "X-CSRFToken": self.csrf},
            timeout=timeout,
        )


def acknowledged(reply: Reply) -> bool:
    """The runner told the worker the answer was saved."""
    return reply.status == 200 and "zapisano" in reply.body.lower() and "nie zapisano" not in reply.body.lower()


def arrange_workers(database_url: str, count: int) -> list[tuple[str, int]]:
    """An office with `count` workers, each with one case assigned: [(username, case_id), ...]."""
    engine = make_engine(database_url, autocommit=True)
    made: list[tuple[str, int]] = []
    with Session(engine, expire_on_commit=False) as session:
        office = Office(name="Miejski Ośrodek Pomocy Społecznej w Łodzi")
        session.add(office)
        session.flush()
        for number in range(count):
            with test_mode_hashing():
                user = create_user(session, office_id=office.id or 0, username=f"pracownik{number}",
                                   full_name=f"Pracownik {number}", password=PASSWORD, roles={Role.WORKER})
            case = Case(office_id=office.id or 0, reference=f"RWS/2026/{number + 1:04d}",
                        applicant_name=f"Wnioskodawca {number}", channel=Channel.PHONE,
                        received_on=dt.date(2026, 3, 2), assigned_worker_id=user.id)
            session.add(case)
            session.flush()
            made.append((user.username, case.id or 0))
        session.commit()
    engine.dispose()
    return made
