"""Data at scale: server time and SQL statements of the today screen, the interview runner, an autosave, case search,
review queue and statistics with N bulk cases.

Seeds a fresh SQLite instance with `telewywiad demo seed --scale N`, then times requests in-process with Flask's
test client (the whole request: routing, session, queries, template), so the figure is server time without the
network. Each screen is asked for twice to warm up, then once more counting its SQL statements, then `runs` times.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from bench.common import DEMO_PASSWORD, Instance, csrf_from, instance, summary_ms

TODAY = date.today().isoformat()
YEAR_AGO = (date.today() - timedelta(days=365)).isoformat()
SCREENS: list[tuple[str, str, str]] = [
    # (name, user, path)
    ("today (worker)", "demo-worker", "/today"),
    ("case search: list (supervisor)", "demo-supervisor", "/cases"),
    ("case search: name (supervisor)", "demo-supervisor", "/cases?q=kowalsk"),
    ("case search: name (worker)", "demo-worker", "/cases?q=nowak"),
    ("case search: PESEL prefix (supervisor)", "demo-supervisor", "/cases?q=850"),
    ("review queue (supervisor)", "demo-supervisor", "/review"),
    # Deep in the paged list: OFFSET cost with thousands of approved reports (past the end means the last page).
    ("review queue: approved, page 100 (supervisor)", "demo-supervisor", "/review?status=approved&page=100"),
    # Issue 16: the head of the centre's figures (nine SQL aggregates, SVG charts) over a month and over a year,
    # one figure as CSV, and the year's case list as CSV (a row per case: an export, not an aggregate).
    ("statistics: this month (supervisor)", "demo-supervisor", "/statistics"),
    ("statistics: last 365 days (supervisor)", "demo-supervisor", f"/statistics?from={YEAR_AGO}&to={TODAY}"),
    ("statistics: deadlines CSV, 365 days (supervisor)", "demo-supervisor",
     f"/statistics/deadlines.csv?from={YEAR_AGO}&to={TODAY}"),
    ("cases of 365 days as CSV (supervisor)", "demo-supervisor", f"/exports/cases?download=1&from={YEAR_AGO}&to={TODAY}"),
]
RUNNER = "interview runner (worker)"
AUTOSAVE = "autosave POST (worker)"
BUDGET_MS = 50.0
# Screens that aggregate a whole period get their own targets (causes in bench/report.py, CAUSES).
BUDGETS_MS = {
    "today (worker)": 30.0,  # issue 14: runner page and today list ≤ 30 ms median at 10,000 cases
    RUNNER: 30.0,
    "statistics: this month (supervisor)": 150.0,
    "statistics: last 365 days (supervisor)": 150.0,
    "statistics: deadlines CSV, 365 days (supervisor)": 150.0,
    "cases of 365 days as CSV (supervisor)": 600.0,
}
# Issue 14, item 2: SQL statements per request whatever the amount of data, as the tests enforce them
# (tests/integration/test_query_budgets.py): the screen's budget plus 3 per audit event it records (the runner
# records the view, an autosave the change); the today list records none.
AUDIT_STATEMENTS = 3
QUERY_BUDGETS = {"today (worker)": 9, RUNNER: 9 + AUDIT_STATEMENTS, AUTOSAVE: 6 + AUDIT_STATEMENTS}
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _client(app: Any, username: str) -> Any:
    client = app.test_client()
    page = client.get("/login")
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD,
                                           "csrf_token": csrf_from(page.get_data(as_text=True))})
    if response.status_code != 302:
        raise RuntimeError(f"login as {username} failed: {response.status_code}")
    return client


def _an_interview(client: Any) -> tuple[int, str]:
    """An in-progress interview of the worker (started on a case of the today list when there is none) and a token."""
    today = client.get("/today").get_data(as_text=True)
    token = csrf_from(today)
    found = re.search(r'href="/interviews/(\d+)"', today)
    if found:
        return int(found.group(1)), token
    for case_id in re.findall(r'id="case-(\d+)"', today):
        response = client.post(f"/cases/{case_id}/interviews", data={"csrf_token": token})
        started = re.search(r"/interviews/(\d+)", response.headers.get("Location", ""))
        if started:
            return int(started.group(1)), token
    raise RuntimeError("no interview for the runner screen")


def measure(inst: Instance, runs: int) -> list[dict[str, Any]]:
    """Time each screen in-process against the instance's database and count its SQL statements."""
    with _environment(inst.env):
        from sqlalchemy import event

        from app import create_app

        app = create_app()
        statements = [0]

        def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if not statement.startswith(TRANSACTION_CONTROL):  # not a query (tests/querycount.py counts alike)
                statements[0] += 1

        event.listen(app.extensions["telewywiad.engine"], "before_cursor_execute", count)
        clients = {user: _client(app, user) for user in {s[1] for s in SCREENS}}
        interview_id, token = _an_interview(clients["demo-worker"])
        saves = iter(range(10**6))

        def autosave(client: Any) -> Any:
            return client.post(f"/interviews/{interview_id}/answers",
                               data={"key": "city", "city": f"Puck {next(saves)}", "client_id": "bench"},
                               headers={"X-CSRFToken": token, "HX-Request": "true"})

        screens: list[tuple[str, str, Any]] = [(name, user, lambda c, p=path: c.get(p)) for name, user, path in SCREENS]
        screens.insert(1, (RUNNER, "demo-worker", lambda c: c.get(f"/interviews/{interview_id}")))
        # A plain answer, as tests/integration/test_query_budgets.py saves (segment A answers such as the address
        # also flow back to the case with a history row: 3 statements more).
        screens.insert(2, (AUTOSAVE, "demo-worker", autosave))
        paths = {name: path for name, _user, path in SCREENS}
        paths.update({RUNNER: "/interviews/<id>", AUTOSAVE: "/interviews/<id>/answers"})
        figures = []
        for name, user, ask in screens:
            client = clients[user]
            size = 0
            for _ in range(3):
                statements[0] = 0
                response = ask(client)
                if response.status_code != 200:
                    raise RuntimeError(f"{name} answered {response.status_code}")
                size = len(response.get_data())
            queries = statements[0]
            samples = []
            for _ in range(runs):
                start = time.perf_counter()
                ask(client)
                samples.append((time.perf_counter() - start) * 1000)
            stats = summary_ms(samples)
            path = paths[name]
            figures.append({"screen": name, "path": path.split("?")[0] + ("?q=…" if "?q=" in path else "?from=…"
                                                                           if "from=" in path else ""),
                            "user": user, **stats, "html_bytes": size, "queries": queries,
                            "query_budget": QUERY_BUDGETS.get(name), "budget_ms": BUDGETS_MS.get(name, BUDGET_MS),
                            "met": stats["median_ms"] <= BUDGETS_MS.get(name, BUDGET_MS)})
        app.extensions["telewywiad.engine"].dispose()
    return figures


def run(cases: int = 10_000, runs: int = 20) -> dict[str, Any]:
    """Seed a fresh instance at scale and measure; returns the figures with their conditions."""
    with instance() as inst:
        start = time.perf_counter()
        out = inst.cli("demo", "seed", "--scale", str(cases))
        seed_seconds = time.perf_counter() - start
        line = next((x for x in out.splitlines() if x.startswith("Scale data:")), out.strip())
        counts = _counts(inst)
        figures = measure(inst, runs)
    return {"conditions": {"database": "SQLite (WAL, synchronous=FULL), one file", "cases": cases, **counts,
                           "timing": "in-process Flask test client, whole request, warm (2 warm-up requests)",
                           "runs_per_screen": runs, "seed_seconds": round(seed_seconds, 1), "seed_output": line},
            "screens": figures}


def _counts(inst: Instance) -> dict[str, int]:
    import sqlite3

    with sqlite3.connect(inst.path / "telewywiad.sqlite3") as db:
        return {table: int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608 - fixed names
                for table in ("case_file", "interview", "answer", "answer_change", "report")}


if __name__ == "__main__":
    import json

    print(json.dumps(run(int(os.environ.get("SCALE", "10000"))), indent=2, ensure_ascii=False))
