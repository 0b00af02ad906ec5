"""The statistics' building blocks: the period picker, the summer-time windows SQLite needs, the chart layout."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from app.statistics.charts import BAR_MAX, LABEL_MAX, layout
from app.statistics.figures import Bar, Table
from app.statistics.period import Period, PeriodError, parse_period, presets
from app.statistics.sql import summer_time

TODAY = dt.date(2026, 4, 15)


@pytest.fixture(autouse=True)
def _context() -> object:
    """Messages are lazy translations: a Flask app context (Polish by default) renders them."""
    from flask_babel import Babel

    app = Flask(__name__)
    app.config["BABEL_DEFAULT_LOCALE"] = "pl"  # as the app's default; dates in messages follow the locale
    Babel(app)
    with app.test_request_context():
        yield


@pytest.mark.parametrize("year", range(2000, 2041))
def test_summer_time_windows_match_the_zone_database(year: int) -> None:
    """The EU rule used for SQLite gives exactly the instants Europe/Warsaw changes its offset."""
    start, end = summer_time(year)
    warsaw = ZoneInfo("Europe/Warsaw")
    second = dt.timedelta(seconds=1)
    assert (start - second).astimezone(warsaw).utcoffset() == dt.timedelta(hours=1)
    assert start.astimezone(warsaw).utcoffset() == dt.timedelta(hours=2)
    assert (end - second).astimezone(warsaw).utcoffset() == dt.timedelta(hours=2)
    assert end.astimezone(warsaw).utcoffset() == dt.timedelta(hours=1)


def test_period_accepts_both_date_forms_and_defaults_to_this_month() -> None:
    """01.03.2026 or 2026-03-01; nothing typed means the current month."""
    assert parse_period("01.03.2026", "2026-03-31", today=TODAY) == Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert parse_period("", "", today=TODAY) == Period(dt.date(2026, 4, 1), dt.date(2026, 4, 30))


def test_period_utc_bounds_follow_polish_midnight() -> None:
    """March starts at 23:00 UTC on 28 February and ends at 22:00 UTC on 31 March (summer time by then)."""
    march = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert march.utc_start == dt.datetime(2026, 2, 28, 23, tzinfo=dt.UTC)
    assert march.utc_end == dt.datetime(2026, 3, 31, 22, tzinfo=dt.UTC)


@pytest.mark.parametrize(("raw_from", "raw_to", "field", "message"), [
    ("31.03.2026", "01.03.2026", "to", "Koniec okresu (01.03.2026) jest przed jego początkiem (31.03.2026)."),
    ("32.03.2026", "31.03.2026", "from", "Nieprawidłowa data"),
    ("01.03.2026", "", "to", "Podaj ostatni dzień okresu."),
    ("01.05.2026", "31.05.2026", "from", "Okres zaczyna się w przyszłości"),
    ("01.03.1999", "31.03.1999", "from", "zbyt odległa"),
])
def test_bad_periods_are_named(raw_from: str, raw_to: str, field: str, message: str) -> None:
    """Each problem is reported at its field."""
    with pytest.raises(PeriodError) as refused:
        parse_period(raw_from, raw_to, today=TODAY)
    assert message in refused.value.errors[field]


def test_presets_are_whole_months() -> None:
    """This month, last month, this year, the last 12 months."""
    chosen = dict(presets(TODAY))
    assert chosen["poprzedni miesiąc"] == Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert chosen["ostatnie 12 miesięcy"] == Period(dt.date(2025, 5, 1), dt.date(2026, 4, 30))


def test_chart_bars_are_proportional_labels_shortened_and_zero_stays_empty() -> None:
    """The largest value fills the bar width; a long label is cut with an ellipsis; zero draws no bar."""
    long_label = "Trudności w przystosowaniu do życia po zwolnieniu z zakładu karnego"
    table = Table("t", "T", ("a", "b"), (("x", 1),), bars=(Bar("duży", 10, "10"), Bar(long_label, 5, "5"),
                                                              Bar("zero", 0, "0")), chart_title="Wykres")
    chart = layout(table)
    assert chart is not None
    assert [b.width for b in chart.bars] == [BAR_MAX, BAR_MAX / 2, 0.0]
    assert len(chart.bars[1].label) <= LABEL_MAX and chart.bars[1].label.endswith("…")
    assert long_label in chart.desc and chart.title == "Wykres"
    assert layout(Table("e", "E", ("a",), ())) is None
