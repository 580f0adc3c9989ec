"""Appraisal wall time: 2 study years x 2 hydrologies x {project, reference} = 8 runs, cold and warm.

The appraisal is a shipped file (default ``scenarios/appraisal_second_circuit.yaml``: expansion
off) in a fresh folder: the cold pass solves the 8 runs on a local Dask cluster (its start-up
included, as a user sees it), the warm pass runs the same command again and must reuse every
run. Targets of issue 17: cold under 4 minutes on 2 cores (full year), warm under 10 s. Prints
the figures and writes ``benchmarks/output/appraisal-benchmark-<timestamp>.json``.

Usage::

    .venv/bin/python benchmarks/appraisal.py                     # full year: minutes per run
    .venv/bin/python benchmarks/appraisal.py --days 7             # a quick look at the machinery
    .venv/bin/python benchmarks/appraisal.py --file scenarios/appraisal_anchor_lng.yaml --workers 2
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
COLD_TARGET_S = 240.0
WARM_TARGET_S = 10.0


def shortened(file: Path, folder: Path, days: int | None) -> Path:
    """Return the appraisal file, or a copy cut to ``days`` days (``overrides: solve.days``)."""
    if days is None:
        return file
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    body = data["appraisal"]
    body["overrides"] = {**(body.get("overrides") or {}), "solve.days": days}
    body.pop("sample", None)  # the benchmark times the 8 central runs
    # scenario files are found in scenarios/ from anywhere, so the copy may live in a temporary folder
    path = folder / file.name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def timed(file: Path, out: Path, workers: int) -> dict[str, Any]:
    """Run the appraisal once; return its wall time and what the batch did."""
    from simulator.appraise import appraise

    started = time.perf_counter()
    result = appraise(file, out, workers=workers)
    wall = time.perf_counter() - started
    counts = result.batch.manifest["counts"]
    return {
        "wall_time_s": round(wall, 2),
        "runs": counts["runs"],
        "solved": counts["solved"],
        "reused": counts["reused"],
        "failed": counts["failed"],
        "identity_gap_max": float(result.identity.gap.abs().max()) if len(result.identity) else None,
        "npv_weighted_musd": _weighted_npv(result.summary),
        "run_wall_times_s": {
            r.scenario: r.wall_time_s for r in result.batch.records if r.action == "solved" and r.wall_time_s
        },
    }


def _weighted_npv(summary: Any) -> float | None:
    rows = summary[(summary.case == "central") & (summary.hydrology == "weighted")]
    return float(rows.npv_musd.iloc[0]) if len(rows) else None


def main() -> None:
    """Time a cold and a warm appraisal and write the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, default=ROOT / "scenarios" / "appraisal_second_circuit.yaml")
    parser.add_argument("--days", type=int, default=None, help="Cut every run to this many days (default: full year).")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="appraisal-bench-") as tmp:
        folder = Path(tmp)
        file = shortened(args.file.resolve(), folder, args.days)
        cold = timed(file, folder / "results", args.workers)
        warm = timed(file, folder / "results", args.workers)
    span = "full year" if args.days is None else f"{args.days} days"
    record = {
        "benchmark": "appraisal",
        "file": str(args.file),
        "span": span,
        "workers": args.workers,
        "cores": os.cpu_count(),
        "machine": platform.platform(),
        "python": platform.python_version(),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cold": cold,
        "warm": warm,
        "targets_s": {"cold_full_year": COLD_TARGET_S, "warm": WARM_TARGET_S},
    }
    print(f"appraisal {args.file.name}, {span}, {args.workers} workers:")
    print(
        f"  cold: {cold['wall_time_s']:8.1f} s  ({cold['solved']} solved, {cold['reused']} reused, {cold['failed']} failed)"
    )
    print(f"  warm: {warm['wall_time_s']:8.1f} s  ({warm['solved']} solved, {warm['reused']} reused)")
    print(f"  identity gap (largest): {cold['identity_gap_max']}")
    if args.days is None:
        print(f"  targets: cold < {COLD_TARGET_S:.0f} s, warm < {WARM_TARGET_S:.0f} s")
    out = ROOT / "benchmarks" / "output"
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = out / f"appraisal-benchmark-{stamp}.json"
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"written {path}")


if __name__ == "__main__":
    main()
