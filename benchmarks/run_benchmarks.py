"""Time the build, the solve and the result writing of the shipped scenarios.

Each run happens in a fresh process so that its peak memory is its own. Prints a table
of medians and writes every figure to ``benchmarks/output/benchmark-<timestamp>.json``.

Usage::

    .venv/bin/python benchmarks/run_benchmarks.py [--runs 3] [--scenarios base_2022 base_2023] [--days N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def single(scenario: str, days: int | None) -> dict[str, float]:
    """Run one scenario in this process and return its timings (s) and peak memory (MB)."""
    from simulator.data import load_data
    from simulator.network import build_network
    from simulator.paths import scenarios_dir
    from simulator.results.kpis import compute_kpis
    from simulator.results.store import peak_memory_mb, write_run
    from simulator.run import quiet_libraries
    from simulator.scenario import load_scenario
    from simulator.solve import solve_network

    quiet_libraries()
    t0 = time.perf_counter()
    loaded = load_scenario(scenarios_dir() / f"{scenario}.yaml")
    if days:
        loaded.solve.days = days
    network = build_network(loaded, load_data())
    t1 = time.perf_counter()
    report = solve_network(network)
    t2 = time.perf_counter()
    kpis = compute_kpis(network, loaded.name)
    with tempfile.TemporaryDirectory() as out:
        write_run(Path(out), loaded.name, network, kpis, {"scenario": loaded.name})
    t3 = time.perf_counter()
    return {
        "build_s": t1 - t0,
        "model_s": report.seconds_build,
        "solve_s": report.seconds_solve,
        "write_s": t3 - t2,
        "total_s": t3 - t0,
        "peak_memory_mb": peak_memory_mb(),
        "objective_usd": report.objective_usd,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scenarios", nargs="+", default=["base_2022", "base_2023"])
    parser.add_argument("--days", type=int, default=None, help="simulate only the first N days")
    parser.add_argument("--single", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.single:
        print(json.dumps(single(args.single, args.days)))
        return

    results: dict[str, list[dict[str, float]]] = {}
    for scenario in args.scenarios:
        for run in range(args.runs):
            command = [sys.executable, __file__, "--single", scenario] + (
                ["--days", str(args.days)] if args.days else []
            )
            done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            results.setdefault(scenario, []).append(figures)
            print(
                f"{scenario} run {run + 1}: total {figures['total_s']:.1f} s, solve {figures['solve_s']:.1f} s, peak {figures['peak_memory_mb']:.0f} MB",
                flush=True,
            )

    summary = {}
    print(
        f"\n{'scenario':<12} {'strategy':<11} {'build s':>8} {'solve s':>8} {'write s':>8} {'total s':>8} {'peak MB':>8}"
    )
    for scenario, runs in results.items():
        median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        summary[scenario] = {"strategy": "monolithic", "median": median, "runs": runs}
        print(
            f"{scenario:<12} {'monolithic':<11} {median['build_s']:>8.1f} {median['solve_s']:>8.1f} {median['write_s']:>8.1f} {median['total_s']:>8.1f} {median['peak_memory_mb']:>8.0f}"
        )
    record = {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "days": args.days or "full year",
        "runs_per_scenario": args.runs,
        "results": summary,
    }
    out_dir = ROOT / "benchmarks" / "output"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"benchmark-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten {path}")


if __name__ == "__main__":
    main()
