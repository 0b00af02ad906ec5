"""Shared helpers of the benchmarks: machine conditions, a throwaway app instance, logging in."""

from __future__ import annotations

import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
DEMO_PASSWORD = "Demo-Hasło-Benchmarku-1"  # noqa: S105 - throwaway benchmark instances only
CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')


def machine() -> dict[str, Any]:
    """Cores, CPU model, memory and load: the conditions every figure was measured under."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu_model": model or platform.processor(),
        "memory_gb": memory_gb,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "os": platform.platform(),
        "note": "shared 2-core machine: other engineers' processes run at the same time; figures are noisy",
    }


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile of a list of numbers."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary_ms(values: list[float]) -> dict[str, float]:
    """Median, p95 and max of timings in milliseconds."""
    return {"median_ms": round(statistics.median(values), 1), "p95_ms": round(percentile(values, 95), 1),
            "max_ms": round(max(values), 1), "runs": len(values)}


@dataclass
class Instance:
    """A throwaway telewywiad instance folder and the environment that points at it."""

    path: Path
    env: dict[str, str] = field(default_factory=dict)

    def cli(self, *args: str, timeout: float = 600) -> str:
        """Run a `telewywiad` command against this instance; raises with its output when it fails."""
        result = subprocess.run([str(BIN / "telewywiad"), *args], env=self.env, capture_output=True, text=True,
                                timeout=timeout, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"telewywiad {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout


@contextmanager
def instance(database_url: str | None = None) -> Iterator[Instance]:
    """A fresh instance (its own SQLite file unless `database_url`), upgraded and demo-seeded."""
    with tempfile.TemporaryDirectory(prefix="telewywiad-bench-") as folder:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TELEWYWIAD_") and k != "DATABASE_URL"}
        env.update(TELEWYWIAD_ENV="test", TELEWYWIAD_SECRET_KEY=secrets.token_urlsafe(48),
                   TELEWYWIAD_INSTANCE_PATH=folder, TELEWYWIAD_SESSION_COOKIE_SECURE="false",
                   TELEWYWIAD_DEMO_PASSWORD=DEMO_PASSWORD,
                   # The benchmark logs in many times from one address: no throttling in the way.
                   TELEWYWIAD_LOGIN_IP_MAX_FAILURES="1000")
        if database_url:
            env["TELEWYWIAD_DATABASE_URL"] = database_url
        inst = Instance(Path(folder), env)
        inst.cli("db", "upgrade")
        inst.cli("demo", "seed")
        yield inst


def csrf_from(html: str) -> str:
    """The CSRF token of a rendered page."""
    match = CSRF_META.search(html)
    if not match:
        raise RuntimeError("page has no csrf-token meta tag")
    return match.group(1)
