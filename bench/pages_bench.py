"""Page weight and Lighthouse scores of the main screens, against a live gunicorn server with the demo data.

Weight: the bytes the server sends for each screen (HTML) and its linked CSS/JS, as served (the app sends them
uncompressed; Content-Encoding is recorded) and gzip -6 compressed (what a reverse proxy with gzip on sends).
First visit = HTML + every linked stylesheet and script; repeat visit = HTML only (assets are fingerprinted and
cached for a year; pages are no-store). Lighthouse 12 (mobile preset: emulated Moto G Power, simulated slow 4G)
runs on Debian's Chromium; logged-in pages get the session cookie through --extra-headers.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench.common import ROOT, instance
from bench.load_bench import Browser, prepare_interviews, server

CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
                "--disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage")
WEIGHT_BUDGET_KB = 30.0
ASSET = re.compile(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"')


def _pages(browsers: dict[str, Browser]) -> list[tuple[str, str | None, str]]:
    """(screen, user or None, path) of each measured screen; finds the worker's interview in progress."""
    interview_ids, _token = prepare_interviews(browsers["demo-worker"])
    return [
        ("login", None, "/login"),
        ("today (worker)", "demo-worker", "/today"),
        ("interview section A (worker)", "demo-worker", f"/interviews/{interview_ids[0]}?section=segment_a"),
        ("referral list (psychologist)", "demo-psychologist", "/referrals"),
        ("review queue (supervisor)", "demo-supervisor", "/review"),
    ]


def _weight(browser: Browser, path: str) -> dict[str, Any]:
    status, html, headers = browser.get_bytes(path, {"Accept-Encoding": "gzip, br"})
    if status != 200:
        raise RuntimeError(f"{path} answered {status}")
    assets = []
    for href in sorted(set(ASSET.findall(html.decode()))):
        _, body, asset_headers = browser.get_bytes(href.replace("&amp;", "&"), {"Accept-Encoding": "gzip, br"})
        assets.append({"url": href.split("?")[0], "sent": len(body), "gzip": len(gzip.compress(body, 6)),
                       "encoding": asset_headers.get("Content-Encoding", "identity"),
                       "cache_control": asset_headers.get("Cache-Control", "")})
    html_sent, html_gzip = len(html), len(gzip.compress(html, 6))
    css = [a for a in assets if a["url"].endswith(".css")]
    return {
        "html_encoding": headers.get("Content-Encoding", "identity"),
        "html_sent_bytes": html_sent, "html_gzip_bytes": html_gzip, "assets": assets,
        "first_visit_sent_bytes": html_sent + sum(a["sent"] for a in assets),
        "first_visit_gzip_bytes": html_gzip + sum(a["gzip"] for a in assets),
        "repeat_visit_sent_bytes": html_sent, "repeat_visit_gzip_bytes": html_gzip,
        # The budget counts HTML + CSS; on a repeat visit the CSS comes from the cache (0 bytes).
        "first_visit_html_css_gzip_bytes": html_gzip + sum(a["gzip"] for a in css),
    }


def _lighthouse(url: str, cookie: str | None, out: Path) -> dict[str, Any]:
    command = ["npx", "--no-install", "lighthouse", url, "--output=json", f"--output-path={out}", "--quiet",
               f"--chrome-flags={CHROME_FLAGS}", "--only-categories=performance,accessibility,best-practices",
               "--form-factor=mobile"]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    result = subprocess.run(command, cwd=ROOT, env=dict(os.environ, CHROME_PATH=CHROME), capture_output=True,
                            text=True, timeout=180, check=False)
    if result.returncode != 0 or not out.exists():
        return {"error": (result.stderr or result.stdout)[-500:]}
    report = json.loads(out.read_text())
    scores = {k: round(v["score"] * 100) if v.get("score") is not None else None
              for k, v in report["categories"].items()}
    failed = {k: [a["id"] for a in (report["audits"][r["id"]] for r in v["auditRefs"])
                  if a.get("score") is not None and a["score"] < 0.9 and a.get("scoreDisplayMode") in
                  ("binary", "numeric", "metricSavings")]
              for k, v in report["categories"].items()}
    metrics = {m: report["audits"][m]["numericValue"] for m in
               ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift")
               if m in report["audits"]}
    console = [str(item.get("description", ""))[:200] for item in
               report["audits"].get("errors-in-console", {}).get("details", {}).get("items", [])]
    return {"scores": scores, "below_0.9": {k: v for k, v in failed.items() if v}, "console_errors": console,
            "metrics_ms": {k: round(v, 3 if k == "cumulative-layout-shift" else 0) for k, v in metrics.items()},
            "lighthouse": report.get("lighthouseVersion"), "user_agent": report.get("environment", {})
            .get("hostUserAgent", "")}


def run(lighthouse: bool = True) -> dict[str, Any]:
    """Weigh every screen, then run Lighthouse on each."""
    rows = []
    with instance() as inst, server(inst) as url:
        browsers = {user: Browser(url) for user in ("demo-worker", "demo-psychologist", "demo-supervisor")}
        for user, browser in browsers.items():
            browser.log_in(user)
        anonymous = Browser(url)
        with tempfile.TemporaryDirectory(prefix="telewywiad-lh-") as folder:
            for screen, user, path in _pages(browsers):
                browser = browsers[user] if user else anonymous
                row: dict[str, Any] = {"screen": screen, "path": re.sub(r"\d+", "<id>", path), "user": user,
                                       **_weight(browser, path)}
                row["repeat_visit_budget_met"] = row["repeat_visit_gzip_bytes"] <= WEIGHT_BUDGET_KB * 1024
                if lighthouse:
                    row["lighthouse"] = _lighthouse(url + path, browser.cookie_header() if user else None,
                                                    Path(folder) / "report.json")
                    Path(folder, "report.json").unlink(missing_ok=True)
                rows.append(row)
                print(f"  {screen:<32} HTML {row['html_sent_bytes'] / 1024:6.1f} KB sent, "
                      f"{row['html_gzip_bytes'] / 1024:5.1f} KB gzip; first visit "
                      f"{row['first_visit_gzip_bytes'] / 1024:5.1f} KB gzip"
                      + (f"; Lighthouse {row['lighthouse'].get('scores', row['lighthouse'])}" if lighthouse else ""),
                      flush=True)
    return {"conditions": {"server": "gunicorn, 2 workers, demo data (telewywiad demo seed), SQLite",
                           "compression": "the app sends HTML, CSS and JS uncompressed (no Content-Encoding); "
                                          "gzip figures are gzip -6 of the same bytes, as a reverse proxy would send",
                           "lighthouse": f"npm lighthouse@12, mobile preset (simulated throttling), {CHROME} with "
                                         f"{CHROME_FLAGS}" if lighthouse else "not run",
                           "chromium_found": shutil.which(CHROME) is not None or Path(CHROME).exists()},
            "budgets": {"repeat_visit_html_css_gzip_kb": WEIGHT_BUDGET_KB, "lighthouse_performance": 95,
                        "lighthouse_accessibility": 100, "lighthouse_best_practices": 100},
            "pages": rows}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
