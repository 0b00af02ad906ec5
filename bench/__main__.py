"""`make bench`: every benchmark, written to bench/results/latest.json and latest.md with its conditions.

Sections: reports (render, sign, counter-sign, verify), autosave under load (wrk; SQLite and PostgreSQL), page
weight and Lighthouse, data at scale. A section that fails is recorded with its error and the others still run;
the exit status is 1 when any section failed. Budgets are targets, reported as met or missed, never a failure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from bench import load_bench, pages_bench, scale_bench
from bench.common import RESULTS, ROOT, machine
from bench.report import markdown


def _reports() -> dict[str, Any]:
    out = RESULTS / "report.json"
    subprocess.run([sys.executable, str(ROOT / "bench" / "report_bench.py"), "--runs", "20", "--out", str(out)],
                   check=True, timeout=600)
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    data["conditions"] = {"runs": data["runs"], "household": data["household"],
                          "what": "full report, all segments; in-process (no web request), one core"}
    return data


def main() -> int:
    """Run the chosen sections (all by default) and write the results."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", nargs="*", choices=["reports", "load", "pages", "scale"])
    parser.add_argument("--scale", type=int, default=10_000, help="cases for the data-at-scale section")
    parser.add_argument("--no-lighthouse", action="store_true")
    args = parser.parse_args()
    sections: dict[str, Callable[[], dict[str, Any]]] = {
        "reports": _reports,
        "load": load_bench.run,
        "pages": lambda: pages_bench.run(lighthouse=not args.no_lighthouse),
        "scale": lambda: scale_bench.run(args.scale),
    }
    chosen = args.only or list(sections)
    results: dict[str, Any] = {"started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                               "machine": machine(), "git": _git()}
    previous = RESULTS / "latest.json"
    if args.only and previous.exists():
        # One part run again: the other parts keep their figures from the run that measured them.
        kept = json.loads(previous.read_text(encoding="utf-8"))
        results.update({name: kept[name] for name in sections if name not in chosen and name in kept})
    failed = []
    for name in chosen:
        print(f"== {name}", flush=True)
        start = time.perf_counter()
        try:
            results[name] = sections[name]()
        except Exception as exc:  # noqa: BLE001 - one broken section must not hide the others
            traceback.print_exc()
            results[name] = {"error": f"{type(exc).__name__}: {exc}"[:2000]}
            failed.append(name)
        results[name]["seconds"] = round(time.perf_counter() - start, 1)
        results[name]["measured_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    results["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (RESULTS / "latest.md").write_text(markdown(results), encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}/latest.json and latest.md")
    if failed:
        print(f"sections that failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def _git() -> str:
    result = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True,
                            check=False)
    return result.stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
