"""The runner as a worker lives it during a call (issue 15, points 1 and 2)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from app.interviews.models import Interview
from tests.integration.interviews.conftest import save


def test_tak_on_the_safety_screen_turns_finish_into_next(client: FlaskClient, interview: Interview) -> None:
    """Before the answer only the safety screens are open ("Sprawdź i zakończ"); "Tak" brings "Dalej" at once."""
    page = client.get(f"/interviews/{interview.id}?section=safety").get_data(as_text=True)
    assert re.search(r'id="go-next"[^>]*>Sprawdź i zakończ<', page)
    response = save(client, interview, "safe_to_talk", "yes")
    body = response.get_data(as_text=True)
    assert re.search(r'id="go-next"[^>]*hx-swap-oob="true">Dalej<', body)
    position = re.search(r'id="section-position" hx-swap-oob="true">sekcja (\d+) z (\d+)<', body)
    assert position is not None and int(position.group(2)) > 2


def test_flags_come_as_a_compact_banner_in_the_runner(client: FlaskClient, interview: Interview) -> None:
    """One line with the count, the panel folded; a new flag is announced, not pushed above the questions."""
    save(client, interview, "safe_to_talk", "yes")
    runner = client.get(f"/interviews/{interview.id}?section=safety").get_data(as_text=True)
    assert 'id="flags-announce" role="status" aria-live="polite"' in runner
    quiet = client.get(f"/interviews/{interview.id}/flags", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Sygnały ryzyka: brak" in quiet
    save(client, interview, "suicidal_thoughts", "yes")
    fired = client.get(f"/interviews/{interview.id}/flags", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert re.search(r'<details class="flags-box" id="flags-box" data-fired="1" data-open="1">', fired)  # folded
    assert "Sygnały ryzyka: 1" in fired and "pokaż" in fired
    whole = client.get(f"/interviews/{interview.id}/flags").get_data(as_text=True)
    assert re.search(r'<details class="flags-box"[^>]* open>', whole)  # its own page shows everything


def test_summary_shows_the_phone_as_people_read_it(client: FlaskClient, interview: Interview) -> None:
    """Issue 15, point 9: not +48513859342."""
    save(client, interview, "safe_to_talk", "yes")
    assert save(client, interview, "phone", "+48513859342").status_code == 200
    summary = client.get(f"/interviews/{interview.id}/summary").get_data(as_text=True)
    assert "513 859 342" in summary and "+48513859342" not in summary
