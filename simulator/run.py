"""One scenario from file to results folder: the function the command line and notebooks call."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pypsa

from simulator.data import InputData, data_hash, load_data
from simulator.network import build_network
from simulator.network.meta import update_meta
from simulator.paths import scenarios_dir
from simulator.results.kpis import compute_kpis
from simulator.results.reuse import is_reusable_run
from simulator.results.store import (
    TreeMemorySampler,
    package_versions,
    peak_memory_mb,
    read_kpis,
    write_run,
)
from simulator.scenario import Scenario, load_scenario
from simulator.solve import SolveReport, available_cores, solve_network, solve_weekly


@dataclass
class RunResult:
    """A finished run: where it was written, the solved network, its KPIs and manifest."""

    path: Path
    network: pypsa.Network
    kpis: pd.DataFrame
    report: SolveReport
    manifest: dict[str, Any]


def quiet_libraries() -> None:
    """Keep PyPSA's and linopy's info logs off the user's terminal."""
    for name in ("pypsa", "linopy", "highspy"):
        logging.getLogger(name).setLevel(logging.WARNING)


def reference_scenario(scenario: Scenario) -> Scenario | None:
    """Return the reference run a scenario asks for (None without ``reference``).

    It is the shipped scenario named by ``reference`` with this scenario's ``solve`` section
    (same span and resolution), renamed ``<reference>--for-<scenario>`` when that changes it.
    Batches use the same function, so that they name the same folder.
    """
    if scenario.reference is None:
        return None
    written = load_scenario(scenarios_dir() / f"{scenario.reference.removesuffix('.yaml')}.yaml")
    reference = written.model_copy(update={"solve": scenario.solve})
    if reference.solve != written.solve:
        reference = reference.model_copy(update={"name": f"{written.name}--for-{scenario.name}"})
    return reference


def reference_run(
    scenario: Scenario, out_dir: Path, data: InputData, cores: int | None = None
) -> tuple[str, pd.DataFrame, Path] | None:
    """Return (name, KPIs, folder) of the scenario's reference, running it first if needed.

    The reference takes the scenario's ``solve`` section (same span and resolution). Its run
    folder is ``out_dir/<reference name>`` when that is the reference as written, otherwise
    ``out_dir/<reference name>--for-<scenario name>``; a complete folder whose manifest holds
    the same resolved scenario is reused, not solved again.
    """
    reference = reference_scenario(scenario)
    if reference is None:
        return None
    written_name = reference.name.removesuffix(f"--for-{scenario.name}")
    folder = out_dir / reference.name
    if is_reusable_run(folder, reference, data_hash(data.root), package_versions(), reference_scenario(reference)):
        return written_name, read_kpis(folder), folder
    result = run_scenario(reference, out_dir, data, cores=cores)
    return written_name, result.kpis, result.path


def compare_to_reference(kpis: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """Return price changes (USD/MWh and %) and oil and coal generation displaced (GWh) by country."""

    def table(frame: pd.DataFrame, metric: str) -> pd.Series:
        rows = frame[frame.metric == metric]
        return rows.set_index(["region", rows.carrier.fillna("")]).value

    rows = []
    price, price_ref = table(kpis, "price_load_weighted"), table(reference, "price_load_weighted")
    generation, generation_ref = table(kpis, "generation"), table(reference, "generation")
    for (region, _), value in price.items():
        before = float(price_ref.get((region, ""), float("nan")))
        rows.append(("price_change", region, "", value - before, "USD/MWh"))
        rows.append(("price_change_pct", region, "", 100.0 * (value - before) / before, "%"))
        for carrier in ("oil", "coal"):
            displaced = float(generation_ref.get((region, carrier), 0.0)) - float(
                generation.get((region, carrier), 0.0)
            )
            rows.append(("fuel_displaced", region, carrier, displaced, "GWh"))
    out = pd.DataFrame(rows, columns=["metric", "region", "carrier", "value", "unit"])
    out.insert(0, "scenario", kpis.scenario.iloc[0])
    return out


def run_scenario(
    scenario: Scenario | str | Path,
    out_dir: str | Path = "results",
    data: InputData | None = None,
    *,
    cores: int | None = None,
    strategy: str | None = None,
) -> RunResult:
    """Build, solve and store one scenario.

    Parameters
    ----------
    scenario
        A validated :class:`Scenario` or the path of a scenario YAML file.
    out_dir
        Parent folder of the run folder ``out_dir/<scenario name>``.
    data
        Input tables; read from ``grids/`` when omitted.
    cores
        CPU cores this run may use (solver threads); all of the machine's when omitted. A
        batch that runs several scenarios at once passes 1 so that they do not oversubscribe.
    strategy
        ``weekly`` or ``monolithic``; overrides the scenario's ``solve.strategy`` (and is
        recorded in the manifest's resolved scenario).

    Returns
    -------
    RunResult
        The written run. Nothing is written when a step fails.
    """
    started = time.perf_counter()
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if strategy is not None and strategy != scenario.solve.strategy:
        scenario = scenario.model_copy(update={"solve": scenario.solve.model_copy(update={"strategy": strategy})})
    data = data or load_data()
    quiet_libraries()
    t0 = time.perf_counter()
    network = build_network(scenario, data)
    t1 = time.perf_counter()
    with TreeMemorySampler() as memory:
        if scenario.solve.strategy == "weekly":
            report = solve_weekly(network, scenario.solve.solver_options, cores=cores)
        else:
            report = solve_network(network, {"threads": available_cores(cores), **scenario.solve.solver_options})
    kpis = compute_kpis(network, scenario.name)
    reference = reference_run(scenario, Path(out_dir), data, cores)
    if reference is not None:
        kpis = pd.concat([kpis, compare_to_reference(kpis, reference[1])], ignore_index=True)
    manifest: dict[str, Any] = {
        "scenario": scenario.model_dump(mode="json"),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "input_data_sha256": data_hash(data.root),
        "packages": package_versions(),
        "solver": {"name": report.solver, "options": report.solver_options},
        "status": report.status,
        "condition": report.condition,
        "objective_usd": report.objective_usd,
        "reference": None if reference is None else {"name": reference[0], "path": str(reference[2])},
        "checks": report.checks,
        "market_rule": report.market_rule,
        "strategy": {"name": report.strategy, **report.details},
        "snapshots": {
            "first": str(network.snapshots[0]),
            "last": str(network.snapshots[-1]),
            "count": len(network.snapshots),
        },
        "timings_s": {
            "read_and_build": round(t1 - started, 2),
            "build_network": round(t1 - t0, 2),
            "build_model": round(report.seconds_build, 2),
            "solve": round(report.seconds_solve, 2),
        },
    }
    t2 = time.perf_counter()
    manifest["timings_s"]["total_before_write"] = round(t2 - started, 2)
    manifest["peak_memory_mb"] = round(peak_memory_mb(), 1)  # this process
    if report.details.get("processes", 1) > 1:  # with the weekly strategy's workers, all at once
        manifest["peak_memory_all_processes_mb"] = round(max(memory.peak_mb, peak_memory_mb()), 1)
    update_meta(network, manifest={k: v for k, v in manifest.items() if k != "scenario"})
    path = write_run(Path(out_dir), scenario.name, network, kpis, manifest, write_network=scenario.outputs.network)
    return RunResult(path=path, network=network, kpis=kpis, report=report, manifest=manifest)
