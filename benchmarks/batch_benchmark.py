"""Batch throughput: the same sweep of N variants on 1 and 2 Dask workers; runs per minute and speed-up.

The sweep varies Guatemala's demand growth (1.00, 1.01, ...) over a shipped scenario cut to
``--days`` days, so every variant is a real solve of the same size. Each worker count gets a
fresh batch folder (nothing is reused) and the wall time includes starting the local cluster,
as a user sees it. Prints a table and writes ``benchmarks/output/batch-benchmark-<timestamp>.json``.

Usage::

    .venv/bin/python benchmarks/batch_benchmark.py                       # 8 variants x 7 days, 1 and 2 workers
    .venv/bin/python benchmarks/batch_benchmark.py --variants 50 --full-year --workers 2   # the 50-variant sweep
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def sweep_file(folder: Path, scenario: str, variants: int, days: int | None, strategy: str | None) -> Path:
    """Write a sweep of ``variants`` demand-growth values over ``scenario`` and return its path."""
    values = ", ".join(f"{1 + i / 100:.2f}" for i in range(variants))
    solve = []
    if days is not None:
        solve.append(f"days: {days}")
    if strategy is not None:
        solve.append(f"strategy: {strategy}")
    text = f"extends: {scenario}\nname: bench\n"
    if solve:
        text += "solve: {" + ", ".join(solve) + "}\n"
    text += f"sweep:\n  parameters:\n    demand.growth.GT: [{values}]\n"
    path = folder / "bench.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def one_batch(path: Path, workers: int, cores_per_run: int | None) -> dict[str, object]:
    """Run the sweep on ``workers`` workers into a fresh folder; return its figures."""
    from simulator import batch

    with tempfile.TemporaryDirectory(prefix="batch-bench-") as out:
        started = time.perf_counter()
        up: list[float] = []
        result = batch.run(
            [path], out, workers=workers, cores_per_run=cores_per_run, on_start=lambda _: up.append(time.perf_counter())
        )
        wall = time.perf_counter() - started
        startup = up[0] - started if up else 0.0
    if not result.ok:
        failed = [(r.scenario, r.failure, r.reason) for r in result.failed]
        msg = f"benchmark runs failed: {failed}"
        raise RuntimeError(msg)
    runs = [r.wall_time_s or 0.0 for r in result.records]
    cpu = sum(r.cpu_time_s or 0.0 for r in result.records)
    return {
        "workers": workers,
        "cores_per_run": result.manifest["options"]["cores_per_run"],
        "runs": len(runs),
        "wall_s": round(wall, 2),
        "runs_per_min": round(60 * len(runs) / wall, 2),
        # planning and cluster start-up (seconds, paid once per batch) and the rate after it
        "startup_s": round(startup, 2),
        "runs_per_min_after_startup": round(60 * len(runs) / (wall - startup), 2),
        "run_wall_s_median": round(statistics.median(runs), 2),
        "run_wall_s_sum": round(sum(runs), 2),
        "run_cpu_s_sum": round(cpu, 2),
        # CPU the runs got over what their workers could have used: below 1 when other
        # processes took cores (or during cluster start-up)
        "cpu_share": round(cpu / (wall * workers), 2),
        "peak_memory_mb_max": max(r.peak_memory_mb or 0.0 for r in result.records),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", type=int, default=8, help="Sweep variants (default 8).")
    parser.add_argument("--days", type=int, default=7, help="Days simulated per variant (default 7).")
    parser.add_argument("--full-year", action="store_true", help="Simulate the whole year (overrides --days).")
    parser.add_argument("--scenario", default="base_2022.yaml", help="Shipped scenario the sweep extends.")
    parser.add_argument("--strategy", default=None, help="solve.strategy of the variants (default: the scenario's).")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="Worker counts to time (default 1 2).")
    parser.add_argument(
        "--cores-per-run", type=int, default=1, help="Cores each run may use (default 1: pure scaling with workers)."
    )
    args = parser.parse_args()
    days = None if args.full_year else args.days

    from simulator.errors import SiepacError

    load = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory(prefix="batch-bench-in-") as folder:
        path = sweep_file(Path(folder), args.scenario, args.variants, days, args.strategy)
        for workers in args.workers:
            print(
                f"{args.variants} variants x {'full year' if days is None else f'{days} days'} on {workers} worker(s) ..."
            )
            try:
                rows.append(one_batch(path, workers, args.cores_per_run))
            except SiepacError as exc:
                raise SystemExit(f"error: {exc}") from None
            row = rows[-1]
            print(
                f"  {row['wall_s']:.1f} s (start-up {row['startup_s']:.1f} s), {row['runs_per_min']:.2f} runs/min, "
                f"median run {row['run_wall_s_median']:.1f} s, CPU share {row['cpu_share']:.2f}"
            )

    base = rows[0]
    print(
        f"\n{'workers':>7} {'cores/run':>9} {'wall s':>8} {'start-up s':>10} {'runs/min':>9} {'speed-up':>9} "
        f"{'after start-up':>15} {'median run s':>13} {'CPU share':>10}"
    )
    for row in rows:
        row["speed_up"] = round(float(row["runs_per_min"]) / float(base["runs_per_min"]), 2)
        row["speed_up_after_startup"] = round(
            float(row["runs_per_min_after_startup"]) / float(base["runs_per_min_after_startup"]), 2
        )
        print(
            f"{row['workers']:>7} {row['cores_per_run']:>9} {row['wall_s']:>8.1f} {row['startup_s']:>10.1f} "
            f"{row['runs_per_min']:>9.2f} {row['speed_up']:>8.2f}x {row['speed_up_after_startup']:>14.2f}x "
            f"{row['run_wall_s_median']:>13.1f} {row['cpu_share']:>10.2f}"
        )
    print(
        f"(speed-up against {base['workers']} worker(s), and counting from when the cluster was up; "
        "CPU share = CPU time of the runs / (wall time x workers); "
        f"load average before the start {load:.2f})"
    )
    record = {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "load_average_1min_before": load},
        "sweep": {
            "scenario": args.scenario,
            "variants": args.variants,
            "days": "full year" if days is None else days,
            "strategy": args.strategy or "scenario default",
        },
        "results": rows,
    }
    out = ROOT / "benchmarks" / "output"
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"batch-benchmark-{dt.datetime.now():%Y%m%dT%H%M%S}.json"
    target.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"written {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
