"""`make bench`: run every benchmark, write bench/results/latest.json and the table in
bench/README.md (machine, date, figures against the targets).

    .venv/bin/python -m bench.run [--size small|full] [--duration 10]

small (default, a few minutes): next card at 1,000 and 100,000 card states, load with 200
students. full: 1,000,000 card states and 1,000 students. PostgreSQL runs too when
QUIZAPP_BENCH_POSTGRES_URL is set.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import dashboard_speed, import_speed, load, next_card

HERE = Path(__file__).resolve().parent
# What the stripped-down prototype of the loop reached against the bare route, on the
# machine the targets were set on (0.20x and 0.13x ask the real app to lose almost nothing).
PROTOTYPE_RATIO = {"sqlite": 0.22, "postgresql": 0.14}
START, END = "<!-- results:start -->", "<!-- results:end -->"
SIZES = {
    "small": {"next": ["10x100", "1000x100"], "users": 200, "import": [1000, 10000]},
    "full": {"next": ["10x100", "10000x100"], "users": 1000, "import": [1000, 10000]},
}


def python_speed(steps: int = 5_000_000, tries: int = 3) -> float:
    """Seconds for a plain Python loop, the quickest of a few tries: a yardstick for comparing
    runs on different machines. The latency targets are absolute, and the same code's study
    loop ran 2-3x slower on one machine of this kind than on another."""
    best = float("inf")
    for _ in range(tries):
        start = time.perf_counter()
        total = 0
        for step in range(steps):
            total += step
        best = min(best, time.perf_counter() - start)
    return round(best, 2)


def machine() -> dict:
    cpu = "unknown"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in
                   Path("/proc/cpuinfo").read_text().splitlines() if "model name" in line)
    except (OSError, StopIteration):
        pass
    return {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "cpus": os.cpu_count(),
            "cpu": cpu, "python": platform.python_version(), "python_loop_s": python_speed(),
            "wrk": subprocess.run(["wrk", "--version"], capture_output=True,
                                  text=True).stdout.split("\n")[0][:40]}


def run(size: str, duration: float) -> dict:
    plan = SIZES[size]
    pg = os.environ.get("QUIZAPP_BENCH_POSTGRES_URL")
    results = {"machine": machine(), "size": size}
    results |= import_speed.main(["--questions", *map(str, plan["import"]), "--repeat", "2"])
    results["dashboard"] = [dashboard_speed.main(["--repeat", "5"])["dashboard"]]
    results["next_card"] = [next_card.main(["--sizes", *plan["next"]])["next_card"]]
    common = ["--users", str(plan["users"]), "--cards", "100", "--clients", "8", "32",
              "--duration", str(duration), "--rounds", "2"]
    results["load"] = [load.main(common)["load"]]
    if pg:
        results["dashboard"].append(dashboard_speed.main(
            ["--repeat", "5", "--database-url", pg])["dashboard"])
        results["next_card"].append(next_card.main(
            ["--sizes", *plan["next"], "--database-url", pg])["next_card"])
        results["load"].append(load.main([*common, "--database-url", pg])["load"])
    return results


def _mark(ok: bool) -> str:
    return "✅" if ok else "❌"


def table(r: dict) -> str:
    m = r["machine"]
    speed = (f" A 5-million-step Python loop: {m['python_loop_s']} s (a yardstick for comparing"
             f" machines)." if "python_loop_s" in m else "")
    rows = [f"Machine: {m['cpus']} CPUs ({m['cpu']}), Python {m['python']}, {m['wrk']}. "
            f"Date: {m['date']}. Size: {r['size']}.{speed}", "",
            "| target | measured | |", "|---|---|---|"]
    big = r["bank_import"][-1]
    rows.append(f"| bank import ≤ 3x CSafeLoader ({big['questions']:,} questions) | "
                f"{big['ratio']}x ({big['import_seconds']} s vs {big['csafeloader_seconds']} s)"
                f" | {_mark(big['ratio'] <= 3)} |")
    peaks = ", ".join(f"{b['questions']:,}: {b['import_peak_rss_mb']:.0f} MB"
                      for b in r["bank_import"])
    rows.append(f"| CLI import peak RSS ≤ 300 MB for 10,000 questions, ~linear | {peaks} | "
                f"{_mark(big['import_peak_rss_mb'] <= 300)} |")
    for d in r["dashboard"]:
        rows.append(f"| dashboard, 500 students x 200 questions, < 300 ms ({d['backend']}) | "
                    f"{d['page_ms_median']} ms median | {_mark(d['page_ms_median'] < 300)} |")
    for n in r["next_card"]:
        small, large = n["sizes"][0], n["sizes"][-1]
        rows.append(
            f"| next card p50 at {large['card_states']:,} vs {small['card_states']:,} states "
            f"≤ 1.15x, p95 ≤ 1.25x ({large['backend']}) | p50 {small['p50_ms']} → "
            f"{large['p50_ms']} ms, p95 {small['p95_ms']} → {large['p95_ms']} ms; median "
            f"ratio of paired rounds **{n['ratio']['p50']}x** and **{n['ratio']['p95']}x** | "
            f"{_mark(n['ratio']['p50'] <= 1.15 and n['ratio']['p95'] <= 1.25)} |")
        rows.append(f"| next-card plan: index search, no temporary sort ({large['backend']}) | "
                    f"{large['plan_index_no_sort']} | {_mark(large['plan_index_no_sort'])} |")
    for load_run in r["load"]:
        backend = load_run["backend"]
        ratio_target = 0.20 if backend == "sqlite" else 0.13
        p95_target = 40 if backend == "sqlite" else 60
        prototypes = load_run.get("prototype") or [None] * len(load_run["study"])
        for s, p, b in zip(load_run["study"], prototypes, load_run["bare"], strict=True):
            rounds = len(s.get("rounds_rps", [1]))
            rows.append(
                f"| study loop at {s['clients']} clients ({backend}, {s['workers']} workers, "
                f"best of {rounds}) | {s['rps']:.0f} rps vs bare {b['rps']:.0f} rps = "
                f"**{s['ratio_to_bare']}x**; p50 {s['p50_ms']:.1f}, p95 {s['p95_ms']:.1f}, "
                f"p99 {s['p99_ms']:.1f} ms | |")
            if p is not None:
                rows.append(
                    f"| the stripped-down prototype beside it (no login, CSRF or layout; the "
                    f"issue's reached {PROTOTYPE_RATIO[backend]}x on its machine) | "
                    f"{p['rps']:.0f} rps = {p['ratio_to_bare']}x bare; the study loop runs at "
                    f"**{s['share_of_prototype']}** of its rate | |")
            if s["clients"] == 32:
                rows.append(f"| ratio ≥ {ratio_target}x ({backend}) | {s['ratio_to_bare']}x | "
                            f"{_mark(s['ratio_to_bare'] >= ratio_target)} |")
                rows.append(f"| p95 at 32 clients ≤ {p95_target} ms ({backend}) | "
                            f"{s['p95_ms']:.1f} ms | {_mark(s['p95_ms'] <= p95_target)} |")
            if s["clients"] == 8 and backend == "sqlite":
                rows.append(f"| p95 at 8 clients ≤ 10 ms (sqlite) | {s['p95_ms']:.1f} ms | "
                            f"{_mark(s['p95_ms'] <= 10)} |")
            safe = (s["ratings_lost"] == 0 and s["duplicate_reviews"] == 0
                    and s["server_errors"] == 0 and s["database_locked"] == 0)
            rows.append(
                f"| nothing lost at {s['clients']} clients ({backend}) | {s['ratings_ok']} "
                f"ratings answered OK, {s['ratings_lost']} lost, {s['duplicate_reviews']} "
                f"duplicated, {s['server_errors']} 5xx, {s['database_locked']} 'locked' | "
                f"{_mark(safe)} |")
            peak = max(s["worker_peak_rss_mb"] or [0])
            rows.append(f"| worker peak RSS ≤ 150 MB ({backend}, {s['clients']} clients) | "
                        f"{peak} MB | {_mark(peak <= 150)} |")
    return "\n".join(rows)


def write(results: dict) -> None:
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    readme = HERE / "README.md"
    text = readme.read_text()
    block = f"{START}\n{table(results)}\n{END}"
    if START in text:
        before, rest = text.split(START, 1)
        text = before + block + rest.split(END, 1)[1]
    else:
        text += "\n## Latest `make bench`\n\n" + block + "\n"
    readme.write_text(text)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--duration", type=float, default=10)
    args = parser.parse_args(argv)
    results = run(args.size, args.duration)
    write(results)
    print(table(results))


if __name__ == "__main__":
    main()
