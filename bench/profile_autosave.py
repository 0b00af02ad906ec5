"""One autosave's whole request path, profiled in process: `python -m bench.profile_autosave [--saves N]`.

A fresh demo instance (bench.common.instance), the real app with Flask's test client (session cookie, CSRF
header, htmx), the demo worker logged in through the login form. Saves a new value N times (rotating interviews and
keys like bench/wrk/autosave.lua), then prints: the statements one save sends, the wall and CPU time per save and
the cProfile of all saves (top functions by cumulative time). Not a benchmark of the server (no gunicorn, no
network), a map of where one request's Python goes.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import time
from typing import Any

from sqlalchemy import event

from bench.common import DEMO_PASSWORD, csrf_from, instance
from bench.load_bench import INTERVIEWS


def main() -> None:
    """Profile N autosaves of the demo worker."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with instance(args.database_url) as inst:
        os.environ.update(inst.env)
        from app import create_app
        from app.db import ENGINE_KEY

        app = create_app()
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        client.post("/login", data={"username": "demo-worker", "password": DEMO_PASSWORD,
                                    "csrf_token": csrf_from(page)})
        today = client.get("/today").get_data(as_text=True)
        token = csrf_from(today)
        ids = [int(i) for i in re.findall(r'href="/interviews/(\d+)"', today)]
        for case_id in re.findall(r'id="case-(\d+)"', today):
            if len(set(ids)) >= INTERVIEWS:
                break
            response = client.post(f"/cases/{case_id}/interviews", data={"csrf_token": token})
            match = re.search(r"/interviews/(\d+)", response.headers.get("Location", ""))
            if match:
                ids.append(int(match.group(1)))
        ids = sorted(set(ids))[:INTERVIEWS]
        headers = {"X-CSRFToken": token, "HX-Request": "true"}
        keys = ("address", "city", "citizenship", "place_of_stay")

        def save(n: int) -> Any:
            key = keys[n % len(keys)]
            response = client.post(f"/interviews/{ids[n % len(ids)]}/answers",
                                   data={"key": key, key: f"ul. Polna {n}", "client_id": "profile"}, headers=headers)
            assert response.status_code == 200, response.get_data(as_text=True)  # noqa: S101
            return response

        for n in range(20):
            save(n)
        statements: list[str] = []

        def seen(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
            statements.append(" ".join(statement.split())[:150])

        engine = app.extensions[ENGINE_KEY]
        event.listen(engine, "before_cursor_execute", seen)
        save(21)
        event.remove(engine, "before_cursor_execute", seen)
        print(f"{len(statements)} statements in one save:")
        for statement in statements:
            print("  ", statement)
        wall, cpu = time.perf_counter(), time.process_time()
        for n in range(args.saves):
            save(100 + n)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"{args.saves} saves: {wall / args.saves * 1000:.2f} ms wall, {cpu / args.saves * 1000:.2f} ms CPU each")
        profiler = cProfile.Profile()
        profiler.enable()
        for n in range(args.saves):
            save(1000 + n)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats(args.sort).print_stats(args.top)
        stats.dump_stats("/tmp/autosave.prof")


if __name__ == "__main__":
    main()
