"""SQLite writers: the writer turn of app/db.py beside SQLite's own busy handler (sleep and retry), same workload.

8 threads over 2 engines (as 2 gunicorn workers would have), each doing 60 short read-modify-write transactions
(BEGIN IMMEDIATE, SELECT, 2 ms of work, UPDATE, fsync'd COMMIT). `busy` switches the turn off so waiting writers
fall back to the busy handler. Not part of `make bench`: `.venv/bin/python -m bench.writers_bench`.
"""

from __future__ import annotations

import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from app import db as appdb
from bench.common import percentile

THREADS, ENGINES, TRANSACTIONS = 8, 2, 60


def run() -> dict[str, float]:
    """One round; transactions per second and latency percentiles in ms."""
    with tempfile.TemporaryDirectory(prefix="telewywiad-writers-") as folder:
        url = f"sqlite:///{folder}/writers.sqlite3"
        setup = appdb.make_engine(url)
        with setup.begin() as conn:
            conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
            conn.execute(text("INSERT INTO counter VALUES (1, 0)"))
        setup.dispose()
        engines = [appdb.make_engine(url) for _ in range(ENGINES)]
        timings: list[float] = []
        lock = threading.Lock()
        barrier = threading.Barrier(THREADS)

        def work(index: int) -> None:
            barrier.wait(timeout=60)
            for _ in range(TRANSACTIONS):
                start = time.perf_counter()
                with engines[index % ENGINES].begin() as conn:
                    n = conn.execute(text("SELECT n FROM counter")).scalar_one()
                    time.sleep(0.002)
                    conn.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
                with lock:
                    timings.append((time.perf_counter() - start) * 1000)

        began = time.perf_counter()
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(work, range(THREADS)))
        wall = time.perf_counter() - began
        for engine in engines:
            engine.dispose()
    return {"per_s": round(len(timings) / wall), **{f"p{p}_ms": round(percentile(timings, p)) for p in (50, 95, 99)},
            "max_ms": round(max(timings))}


def main() -> None:
    """Turn and busy handler, alternating, twice each."""
    queued = (appdb.QueuedWriterConnection.take_turn, appdb.QueuedWriterConnection.give_turn)
    for _ in range(2):
        for label in ("writer turn", "busy handler"):
            if label == "busy handler":
                appdb.QueuedWriterConnection.take_turn = lambda self: None  # type: ignore[method-assign]
                appdb.QueuedWriterConnection.give_turn = lambda self: None  # type: ignore[method-assign]
            print(f"{label:<13} {run()}", flush=True)
            appdb.QueuedWriterConnection.take_turn, appdb.QueuedWriterConnection.give_turn = queued  # type: ignore[method-assign]


if __name__ == "__main__":
    main()
