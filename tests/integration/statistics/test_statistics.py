"""The head of the centre's figures: exact counts for a known month, SVG charts under the strict CSP, CSV, access."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlmodel import Session

from app.auth.models import Role, User
from app.formdefs.extension import form_registry
from app.statistics.figures import Figures, figures
from app.statistics.period import Period
from tests.conftest import login
from tests.integration.statistics.conftest import NOW, March, build_month

MARCH = Period(NOW.date().replace(month=3, day=1), NOW.date().replace(month=3, day=31))
QUERY = "from=01.03.2026&to=31.03.2026"


def _figures(app: Flask, db: Session, office_id: int) -> Figures:
    with app.test_request_context():
        return figures(db, office_id=office_id, period=MARCH, now=NOW, today=NOW.date(),
                       form=form_registry().latest("rws"))


def _rows(result: Figures, table_id: str) -> dict[str, tuple[object, ...]]:
    return {str(row[0]): row[1:] for row in result.table(table_id).rows}


@pytest.mark.usefixtures("pinned")
def test_figures_of_a_known_month(app: Flask, db: Session, march: March) -> None:
    """Each table counts exactly the office's March, by the right date; the other office is never counted."""
    result = _figures(app, db, march.office.id or 0)
    assert _rows(result, "channels") == {"ePUAP": (2, "40,0 %"), "Poczta": (2, "40,0 %"), "Telefon": (1, "20,0 %")}
    # b was finished at 00:30 on 1 April Polish time: an April interview.
    assert _rows(result, "modes") == {"telefonicznie (art. 15o)": (1, 1, 2), "w miejscu zamieszkania": (1, 0, 1)}
    assert result.table("deadlines").columns == ("Wskaźnik", "zwykłe (14 dni)", "pilne (2 dni)", "Razem")
    assert _rows(result, "deadlines") == {
        "Sprawy": (4, 1, 5), "W terminie": (1, 1, 2), "Po terminie": (1, 0, 1), "Zaległe, bez wywiadu": (1, 0, 1),
        "Termin jeszcze trwa": (1, 0, 1), "Zamknięte bez wywiadu": (0, 0, 0),
        "W terminie (%)": ("33,3 %", "100,0 %", "50,0 %"),
    }
    assert _rows(result, "art7") == {"Ubóstwo": (1, "50,0 %"), "Bezrobocie": (1, "50,0 %"),
                                     "Zdarzenie losowe i sytuacja kryzysowa": (1, "50,0 %")}
    assert _rows(result, "referrals") == {
        "Skierowania": (1, 2, 0), "Z pierwszym kontaktem": (1, 1, 0), "Kontakt w terminie": (1, 0, 0),
        "Czekają po terminie": (0, 1, 0), "Średni czas do 1. kontaktu (godz.)": ("2,0", "72,0", "—"),
    }
    assert _rows(result, "referral_outcomes") == {"zamknięte: wsparcie zakończone": (1,), "we wsparciu": (1,),
                                                  "nowe": (1,)}
    assert _rows(result, "calls") == {"nie odbiera": (3,), "odebrał(a)": (1,), "zajęte": (1,)}
    assert _rows(result, "callbacks") == {"wykonane": (1,), "zaległe, niewykonane": (1,)}
    assert _rows(result, "other_routes") == {"wysłano: list": (1,), "teraz czeka na list lub e-mail": (1,)}


@contextmanager
def _counting(db: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = db.get_bind()

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.mark.usefixtures("pinned")
def test_query_count_does_not_grow_with_the_data(app: Flask, db: Session, march: March) -> None:
    """Aggregates in SQL: the same number of statements for one month of data and for four (at most 12)."""
    with _counting(db) as once:
        _figures(app, db, march.office.id or 0)
    for copy in range(3):
        build_month(db, march.office, march.worker, suffix=f"-{copy}")
    with _counting(db) as more:
        bigger = _figures(app, db, march.office.id or 0)
    assert len(once) == len(more) <= 12, once
    assert _rows(bigger, "channels")["ePUAP"][0] == 8


def _supervisor(app: Flask, march: March) -> FlaskClient:
    client = app.test_client()
    assert login(client, march.supervisor.username).status_code == 302
    return client


@pytest.mark.usefixtures("pinned")
def test_page_draws_accessible_svg_charts_without_inline_style_or_script(app: Flask, march: March) -> None:
    """Every figure: an SVG with a title and a description, the table beside it, a CSV link; no style= or script."""
    page = _supervisor(app, march).get(f"/statistics?{QUERY}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert body.count('<svg class="chart"') == 9
    for chart_id in re.findall(r'<svg class="chart"[^>]*aria-labelledby="([^ "]+) ', body):
        assert f'<title id="{chart_id}">' in body
    assert "<desc id=\"chart-channels-desc\">ePUAP: 2; Poczta: 2; Telefon: 1</desc>" in body
    assert "style=" not in body and "<script>" not in body.split("</head>", 1)[1]
    assert "Dane za okres: niedziela, 1 marca 2026 – wtorek, 31 marca 2026" in body
    assert body.count("Pobierz CSV") == 10  # the closings table too (no chart: nothing closed in March here)


@pytest.mark.usefixtures("pinned")
def test_each_table_downloads_as_csv(app: Flask, march: March) -> None:
    """The CSV of a table holds the period, the header, the rows and the total, ready for a Polish spreadsheet."""
    response = _supervisor(app, march).get(f"/statistics/deadlines.csv?{QUERY}")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Terminy ustawowe wywiadów", "01.03.2026 – 31.03.2026"]
    assert rows[1] == ["Wskaźnik", "zwykłe (14 dni)", "pilne (2 dni)", "Razem"]
    assert rows[2] == ["Sprawy", "4", "1", "5"] and rows[-1] == ["W terminie (%)", "33,3 %", "100,0 %", "50,0 %"]
    assert _supervisor(app, march).get(f"/statistics/nope.csv?{QUERY}").status_code == 404


@pytest.mark.usefixtures("pinned")
@pytest.mark.parametrize(("query", "message"), [
    ("from=31.03.2026&to=01.03.2026", "Koniec okresu (01.03.2026) jest przed jego początkiem (31.03.2026)"),
    ("from=2026-02-30&to=2026-03-31", "Nieprawidłowa data"),
    ("from=&to=2026-03-31", "Podaj pierwszy dzień okresu."),
    ("from=01.05.2026&to=31.05.2026", "Okres zaczyna się w przyszłości"),
])
def test_a_bad_period_gets_a_message_and_keeps_the_dates(app: Flask, march: March, query: str, message: str) -> None:
    """End before start, an impossible day, a missing day, the future: 422 with the reason, no figures."""
    response = _supervisor(app, march).get(f"/statistics?{query}")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in body and 'role="alert"' in body
    assert '<svg class="chart"' not in body
    assert _supervisor(app, march).get(f"/statistics/channels.csv?{query}").status_code == 422


@pytest.mark.parametrize("role", [Role.WORKER, Role.PSYCHOLOGIST, Role.ADMIN, Role.RECEPTION])
def test_statistics_are_for_supervisors(app: Flask, user_factory: Callable[..., User], role: Role) -> None:
    """Workers, psychologists, administrators and the front desk get 403."""
    client = app.test_client()
    assert login(client, user_factory(role).username).status_code == 302
    assert client.get("/statistics").status_code == 403
    assert client.get("/statistics/channels.csv").status_code == 403
