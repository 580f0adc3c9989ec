"""Time a full-year capacity-expansion run (issue 16) and measure the weekly strategy against the hourly LP.

Runs ``expansion_2030`` with the weekly strategy ``--runs`` times and with ``--strategy
monolithic`` (the hourly expansion LP in one piece) ``--monolithic-runs`` times on the same span,
each in a fresh process (:func:`run_benchmarks.run_measured`: peak memory of the whole process
tree). Prints the medians, the ratio monolithic / weekly, and the accuracy of the decomposition:
new capacity by country and technology and total cost against the hourly LP. Writes every
figure to ``benchmarks/output/expansion-<timestamp>.json``.

Target (issue 16): the weekly full-year run in at most 60 s and 2 GB on 2 cores.

Usage::

    .venv/bin/python benchmarks/expansion.py [--runs 3] [--monolithic-runs 1] [--days N]
        [--scenario expansion_2030]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_benchmarks import ROOT, run_measured

TARGET_SECONDS = 60.0
TARGET_MB = 2048.0


def measure(scenario: str, strategy: str, days: int | None) -> dict[str, Any]:
    """One run in a fresh process: timings, peak memory of its process tree and KPIs."""
    command = [sys.executable, str(ROOT / "benchmarks" / "run_benchmarks.py"), "--single", scenario, strategy]
    command += ["--days", str(days)] if days else []
    out, peak = run_measured(command)
    figures = json.loads(out.strip().splitlines()[-1])
    figures["peak_memory_mb"] = peak
    return figures


def capacity(figures: dict[str, Any]) -> dict[str, float]:
    """New capacity (MW) by ``country technology`` from a run's KPIs."""
    return {
        f"{row['region']} {row['carrier']}": float(row["value"])
        for row in figures["kpis"]
        if row["metric"] == "capacity_new"
    }


def kpi(figures: dict[str, Any], metric: str, region: str = "ALL") -> float:
    """One KPI value of a run."""
    return next(float(r["value"]) for r in figures["kpis"] if r["metric"] == metric and r["region"] == region)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--monolithic-runs", type=int, default=1)
    parser.add_argument("--days", type=int, default=None, help="simulate only the first N days")
    parser.add_argument("--scenario", default="expansion_2030")
    args = parser.parse_args()

    runs: dict[str, list[dict[str, Any]]] = {"weekly": [], "monolithic": []}
    plan = ["weekly"] * args.runs + ["monolithic"] * args.monolithic_runs
    for i, strategy in enumerate(plan):
        figures = measure(args.scenario, strategy, args.days)
        runs[strategy].append(figures)
        print(
            f"{args.scenario} {strategy} run {i + 1}: total {figures['total_s']:.1f} s, solve "
            f"{figures['solve_s']:.1f} s, peak {figures['peak_memory_mb']:.0f} MB",
            flush=True,
        )
    summary: dict[str, Any] = {}
    for strategy, measured in runs.items():
        if measured:
            keys = ("build_s", "solve_s", "write_s", "total_s", "peak_memory_mb")
            summary[strategy] = {k: statistics.median(r[k] for r in measured) for k in keys}
    weekly = summary["weekly"]
    verdict = "ok" if weekly["total_s"] <= TARGET_SECONDS and weekly["peak_memory_mb"] <= TARGET_MB else "over"
    print(
        f"\nweekly median: total {weekly['total_s']:.1f} s (solve {weekly['solve_s']:.1f} s), "
        f"peak {weekly['peak_memory_mb']:.0f} MB; target {TARGET_SECONDS:.0f} s and {TARGET_MB:.0f} MB: {verdict}"
    )
    if runs["monolithic"]:
        mono, week = runs["monolithic"][0], runs["weekly"][0]
        ratio = summary["monolithic"]["total_s"] / weekly["total_s"]
        built_mono, built_week = capacity(mono), capacity(week)
        keys = sorted(set(built_mono) | set(built_week))
        gap = {k: built_week.get(k, 0.0) - built_mono.get(k, 0.0) for k in keys}
        total_mono = sum(built_mono.values())
        cost_gap = 100.0 * (kpi(week, "total_cost") / kpi(mono, "total_cost") - 1.0)
        summary["ratio_monolithic_over_weekly"] = ratio
        summary["accuracy"] = {
            "total_cost_percent": cost_gap,
            "capacity_abs_difference_mw": sum(abs(v) for v in gap.values()),
            "capacity_monolithic_mw": total_mono,
            "capacity_weekly_mw": sum(built_week.values()),
            "by_country_technology_mw": {k: [built_mono.get(k, 0.0), built_week.get(k, 0.0)] for k in keys},
        }
        print(f"monolithic median: total {summary['monolithic']['total_s']:.1f} s; monolithic / weekly = {ratio:.1f}x")
        print(f"total cost weekly vs hourly LP: {cost_gap:+.3f} %")
        print(f"{'country technology':<26} {'hourly LP MW':>13} {'weekly MW':>10} {'diff MW':>9}")
        for k in keys:
            if max(abs(built_mono.get(k, 0.0)), abs(built_week.get(k, 0.0))) >= 0.5:
                print(f"{k:<26} {built_mono.get(k, 0.0):>13,.0f} {built_week.get(k, 0.0):>10,.0f} {gap[k]:>+9,.0f}")
        print(
            f"{'total':<26} {total_mono:>13,.0f} {sum(built_week.values()):>10,.0f} "
            f"(sum of |differences| {summary['accuracy']['capacity_abs_difference_mw']:,.0f} MW)"
        )
    record = {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "scenario": args.scenario,
        "days": args.days or "full year",
        "summary": summary,
        "runs": {s: [{k: v for k, v in r.items() if k != "kpis"} for r in m] for s, m in runs.items()},
    }
    out_dir = ROOT / "benchmarks" / "output"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"expansion-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(record, indent=2, default=float) + "\n", encoding="utf-8")
    print(f"\nwritten {path}")


if __name__ == "__main__":
    main()
