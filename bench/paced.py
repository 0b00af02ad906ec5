"""Paced clients for the load benchmark: each sends one request a second on average, like a person typing.

wrk sends the first request of every connection in the same instant (and opens the connections then), so in a
short paced run that burst of connection set-ups made up ~10 % of all requests and set the p95 even for the bare
/healthz (~330 ms at 32 clients with nothing behind it). Here each client opens its connection and sends one
untimed warm-up request at a random moment of the first second, then sends timed requests spaced 0.5–1.5 × the
pace at random, on the same keep-alive connection. Latency is from sending the request to reading the whole answer.
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench.common import percentile


@dataclass(frozen=True)
class Call:
    """One request: method, path, headers and body."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None


def run(base: str, make_call: Callable[[int, int], Call], clients: int, seconds: float,
        pace_ms: int = 1000) -> dict[str, float]:
    """`clients` paced clients for `seconds` against `base`; make_call(client, n) gives each request.

    Returns the same figures as bench.load_bench.wrk (requests, req/s, p50/p95/p99/max ms, errors).
    """
    parts = urlsplit(base)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    timings: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start_at = time.monotonic() + 0.2
    warm_end = start_at + pace_ms / 1000
    stop_at = warm_end + seconds
    rng = random.Random(2026)  # noqa: S311 - spacing of benchmark requests, not security
    offsets = [rng.random() * pace_ms / 1000 for _ in range(clients)]

    def client(index: int) -> None:
        spacing = random.Random(index)  # noqa: S311 - spacing of benchmark requests, not security
        connection = http.client.HTTPConnection(host, port, timeout=30)
        time.sleep(max(0.0, start_at + offsets[index] - time.monotonic()))
        try:
            connection.request("GET", "/healthz")  # untimed: opens the connection
            connection.getresponse().read()
            time.sleep(max(0.0, warm_end - time.monotonic()) + spacing.random() * pace_ms / 1000)
            n = 0
            while time.monotonic() < stop_at:
                call = make_call(index, n)
                n += 1
                began = time.perf_counter()
                try:
                    connection.request(call.method, call.path, body=call.body, headers=call.headers)
                    response = connection.getresponse()
                    response.read()
                    ok = response.status == 200
                except (OSError, http.client.HTTPException):
                    ok = False
                    connection.close()
                    connection = http.client.HTTPConnection(host, port, timeout=30)
                elapsed = (time.perf_counter() - began) * 1000
                with lock:
                    timings.append(elapsed)
                    errors[0] += 0 if ok else 1
                time.sleep((0.5 + spacing.random()) * pace_ms / 1000)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return {"requests": len(timings), "rps": round(len(timings) / seconds, 1),
            "p50_ms": round(percentile(timings, 50), 1), "p95_ms": round(percentile(timings, 95), 1),
            "p99_ms": round(percentile(timings, 99), 1), "max_ms": round(max(timings, default=0.0), 1),
            "errors": errors[0]}
