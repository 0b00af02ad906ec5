"""The markdown table of a benchmark run (bench/results/latest.md): every figure next to its conditions."""

from __future__ import annotations

from typing import Any


def _yes(met: bool | None) -> str:
    return "—" if met is None else ("met" if met else "**missed**")


def _kb(n: int | float) -> str:
    return f"{n / 1024:.1f}"


def markdown(r: dict[str, Any]) -> str:
    """Render the results as markdown tables."""
    m = r["machine"]
    out = [
        "# telewywiad benchmarks",
        "",
        f"Run {r['started_at']} → {r.get('finished_at', '?')} at `{r.get('git', '')}`.",
        f"Machine: {m['cores']} cores, {m['cpu_model']}, {m['memory_gb']} GB RAM, load average at start "
        f"{m['load_average_at_start']}, Python {m['python']}. {m['note'].capitalize()}.",
        "",
    ]
    out += _reports(r.get("reports"))
    out += _load(r.get("load"))
    out += _pages(r.get("pages"))
    out += _scale(r.get("scale"))
    return "\n".join(out) + "\n"


def _error(section: dict[str, Any] | None) -> list[str] | None:
    if section is None:
        return ["Not run.", ""]
    if "error" in section:
        return [f"**Failed:** `{section['error']}`", ""]
    return None


def _reports(s: dict[str, Any] | None) -> list[str]:
    out = ["## Reports (render, sign, counter-sign, verify)", ""]
    if (e := _error(s)) is not None:
        return out + e
    assert s is not None  # noqa: S101
    t = s["timings"]
    out += [f"{s['runs']} runs, {s['household']} household members, all segments; in-process, one core.", "",
            "| step | median ms | max ms |", "|---|---:|---:|"]
    out += [f"| {k} | {v['median_ms']} | {v['max_ms']} |" for k, v in t.items()]
    sizes = s["sizes"]
    target = s["targets"]["render_sign_median_ms"]
    out += ["", f"PDF: unsigned {sizes['unsigned_kb']} KB, worker-signed {sizes['worker_signed_kb']} KB, "
            f"both signed {sizes['both_signed_kb']} KB. Budget render+sign median ≤ {target:.0f} ms: "
            f"{_yes(t['render_sign']['median_ms'] <= target)}.", ""]
    return out


def _load(s: dict[str, Any] | None) -> list[str]:
    out = ["## Autosave under load", ""]
    if (e := _error(s)) is not None:
        return out + e
    assert s is not None  # noqa: S101
    c = s["conditions"]
    out += [f"Server: {c['server']}. Client: {c['client']}. SQLite: {c['sqlite']}. PostgreSQL: {c['postgresql']}.",
            f"Saturated: {c['saturated']}. Paced: {c['paced']}. Bare endpoint: {c['bare_endpoint']}.", "",
            "| database | clients | autosave req/s | p50 | p95 | p99 ms | errors | /healthz req/s | p95 ms | "
            "ratio | paced req/s | paced p50 | p95 | p99 ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in s["rows"]:
        a, b, p = row["autosave"], row["bare"], row["autosave_paced"]
        out.append(f"| {row['database']} | {row['concurrency']} | {a['rps']} | {a['p50_ms']} | {a['p95_ms']} | "
                   f"{a['p99_ms']} | {a['errors']} | {b['rps']} | {b['p95_ms']} | {row['throughput_ratio']} | "
                   f"{p['rps']} | {p['p50_ms']} | {p['p95_ms']} | {p['p99_ms']} |")
    budget = s["budgets"]
    sqlite32 = next((row for row in s["rows"] if row["database"] == "SQLite" and row["concurrency"] == 32), None)
    if sqlite32:
        out += ["", f"Budget p95 ≤ {budget['p95_ms_at_32_sqlite']:.0f} ms at 32 clients on SQLite: saturated "
                f"{sqlite32['autosave']['p95_ms']} ms ({_yes(sqlite32['autosave']['p95_ms'] <= budget['p95_ms_at_32_sqlite'])}), "
                f"paced {sqlite32['autosave_paced']['p95_ms']} ms "
                f"({_yes(sqlite32['autosave_paced']['p95_ms'] <= budget['p95_ms_at_32_sqlite'])}). "
                f"Budget throughput ≥ {budget['throughput_ratio']:.0%} of /healthz: "
                f"{sqlite32['throughput_ratio']:.1%} ({_yes(sqlite32['throughput_ratio'] >= budget['throughput_ratio'])})."]
    return out + [""]


def _pages(s: dict[str, Any] | None) -> list[str]:
    out = ["## Page weight and Lighthouse", ""]
    if (e := _error(s)) is not None:
        return out + e
    assert s is not None  # noqa: S101
    c = s["conditions"]
    out += [f"{c['server']}. {c['compression'].capitalize()}. Lighthouse: {c['lighthouse']}.", "",
            "| screen | HTML sent KB | HTML gzip KB | first visit sent KB | first visit gzip KB | repeat visit "
            "gzip KB (budget 30) | performance | accessibility | best practices |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for p in s["pages"]:
        scores = p.get("lighthouse", {}).get("scores", {})
        out.append(f"| {p['screen']} | {_kb(p['html_sent_bytes'])} | {_kb(p['html_gzip_bytes'])} | "
                   f"{_kb(p['first_visit_sent_bytes'])} | {_kb(p['first_visit_gzip_bytes'])} | "
                   f"{_kb(p['repeat_visit_gzip_bytes'])} ({_yes(p['repeat_visit_budget_met'])}) | "
                   f"{scores.get('performance', '—')} | {scores.get('accessibility', '—')} | "
                   f"{scores.get('best-practices', '—')} |")
    notes = [f"- {p['screen']}: {p['lighthouse']['error']}" for p in s["pages"] if "error" in p.get("lighthouse", {})]
    notes += [f"- {p['screen']}: console errors {p['lighthouse']['console_errors']}" for p in s["pages"]
              if p.get("lighthouse", {}).get("console_errors")]
    return out + [""] + notes + ([""] if notes else [])


def _scale(s: dict[str, Any] | None) -> list[str]:
    out = ["## Data at scale (server time)", ""]
    if (e := _error(s)) is not None:
        return out + e
    assert s is not None  # noqa: S101
    c = s["conditions"]
    out += [f"{c['database']}; {c['case_file']} cases, {c['interview']} interviews, {c['answer']} answers, "
            f"{c['answer_change']} answer changes, {c['report']} reports (seeded in {c['seed_seconds']} s). "
            f"{c['timing'].capitalize()}, {c['runs_per_screen']} runs per screen.", "",
            "| screen | user | median ms | p95 ms | max ms | HTML KB | budget 50 ms (median) |",
            "|---|---|---:|---:|---:|---:|---|"]
    for row in s["screens"]:
        out.append(f"| {row['screen']} | {row['user']} | {row['median_ms']} | {row['p95_ms']} | {row['max_ms']} | "
                   f"{_kb(row['html_bytes'])} | {_yes(row['met'])} |")
    return out + [""]
