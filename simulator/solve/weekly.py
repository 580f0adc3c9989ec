"""The ``weekly`` solve strategy: a coarse stage over the whole span, then week-long LPs.

Operators of hydro-thermal systems plan in two stages, and so does this strategy:

1. **Coarse stage** (:mod:`simulator.solve.coarse`). The whole span at 6-hour resolution (3-hour when the solve chooses capacity)
   (PyPSA's ``n.cluster.temporal.resample``), one LP with every reservoir, border limit
   (averaged over each step's hours) and hurdle. It decides how much water each reservoir
   holds at the end of every day, and the capacity of anything extendable.
2. **Week stage** (:mod:`simulator.solve.weeks`, :mod:`simulator.solve.week_model`). The
   span is cut into weeks. Each week is an hourly LP that starts at the coarse level of its
   first day and must end at the coarse level of its last day. Weeks are independent, so
   they run in parallel, one process per core (:mod:`simulator.solve.parallel`). Each
   process builds the linopy model of a week *once* and re-solves it for every week it is
   given, changing right-hand sides, bounds and objective coefficients in place in HiGHS
   through highspy; rebuilding a week from scratch costs about four times its solve.

Prices are the duals of each week's hourly balance. Within a week they are exact for that
week's LP; at its last hour the fixed end level stands in for the rest of the year, so
water is valued there by the coarse stage's decision, not by hourly trade-offs across the
boundary.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pypsa

from simulator.network.meta import update_meta
from simulator.solve.checks import check_solution
from simulator.solve.coarse import coarse_resolution_hours, fix_capacities, has_extendable
from simulator.solve.highs import DEFAULT_HIGHS_OPTIONS, HighsOptions, available_cores
from simulator.solve.parallel import CHUNKS, solve_stages
from simulator.solve.report import SolveReport
from simulator.solve.week_model import WeekResult, supports_in_place_updates
from simulator.solve.weeks import week_blocks

COARSE_HIGHS_OPTIONS: HighsOptions = {
    **DEFAULT_HIGHS_OPTIONS,
    "solver": "ipm",
    "run_crossover": "off",
}
"""Interior point without crossover: only the coarse stage's levels are used, not its duals."""

WEEK_HIGHS_OPTIONS: HighsOptions = {
    **{k: v for k, v in DEFAULT_HIGHS_OPTIONS.items() if k != "run_crossover"},
    "solver": "simplex",
    "threads": 1,
}
"""Dual simplex, one thread per week: a vertex solution (exact duals) and a warm start from
the previous week's basis when the model is re-solved in place."""


def solve_weekly(n: pypsa.Network, solver_options: HighsOptions | None = None, cores: int | None = None) -> SolveReport:
    """Solve a built network with the weekly strategy and check the assembled result.

    Parameters
    ----------
    n
        Network from :func:`simulator.network.build_network`; its time series receive the
        solution, week by week, as :meth:`pypsa.Network.optimize` would write them.
    solver_options
        HiGHS options that override both stages' presets (e.g. tolerances).
    cores
        Processes for the weeks (default: the cores this process may use). With one, every
        week is solved in this process, as a batch worker needs.

    Returns
    -------
    SolveReport
        Status, objective (USD: the sum of the weeks plus any capital cost), timings, the
        post-solve checks on the whole span and the strategy's own figures.

    Raises
    ------
    SolveError
        Naming the stage or week that failed and why; nothing of the solution is kept.
    """
    extra = dict(solver_options or {})
    coarse_options = {**COARSE_HIGHS_OPTIONS, **extra, "threads": 1}
    week_options = {**WEEK_HIGHS_OPTIONS, **extra, "threads": 1}
    # settle the topology (and so the KVL cycle basis) before any copy is made, so that every
    # process builds exactly the same LP, whatever it did before
    n.determine_network_topology()
    weeks = week_blocks(n.snapshots)
    cuts = np.array_split(np.arange(len(weeks)), min(CHUNKS, len(weeks)))
    processes = min(available_cores(cores), len(cuts))
    reuse = supports_in_place_updates(n)
    resolution = coarse_resolution_hours(n)
    t0 = time.perf_counter()
    boundaries, results, coarse_wall = solve_stages(
        n, processes, weeks, cuts, coarse_options, week_options, reuse, prebuild=reuse and not has_extendable(n)
    )
    t2 = time.perf_counter()
    fix_capacities(n, boundaries.capacities)
    assemble_weeks(n, results)
    objective = sum(r.objective_usd for r in results) + boundaries.capital_cost_usd
    update_meta(n, objective_usd=objective)
    checks = check_solution(n, objective)
    week_seconds = [r.seconds for r in results]
    return SolveReport(
        status="ok",
        condition="optimal",
        objective_usd=float(objective),
        solver="highs",
        solver_options={"coarse": boundaries.solver_options, "weeks": results[0].solver_options},
        seconds_build=0.0,
        seconds_solve=t2 - t0,
        checks=checks,
        market_rule=sum_market_rule(results),
        strategy="weekly",
        details={
            "weeks": len(weeks),
            "processes": processes,
            "model_reused_between_weeks": reuse,
            "coarse_resolution_hours": resolution,
            "coarse_objective_usd": boundaries.objective_usd,
            "coarse_seconds": round(boundaries.seconds, 2),
            "coarse_wall_seconds": round(coarse_wall, 2),
            "weeks_wall_seconds": round(t2 - t0 - coarse_wall, 2),
            "week_seconds_median": round(float(np.median(week_seconds)), 3),
            "week_seconds_max": round(float(np.max(week_seconds)), 3),
        },
    )


def assemble_weeks(n: pypsa.Network, results: list[WeekResult]) -> None:
    """Write the weeks' results into the whole-span network's time series."""
    keys = dict.fromkeys(key for r in results for key in r.series)
    for component, attr in keys:
        frames = [r.series[(component, attr)] for r in results if (component, attr) in r.series]
        whole = pd.concat(frames).reindex(n.snapshots)
        n.components[component].dynamic[attr] = whole
    for component in ("Generator", "Link", "StorageUnit", "Line"):
        static = n.components[component].static
        attr = "s_nom" if component == "Line" else "p_nom"
        if len(static):
            static[f"{attr}_opt"] = static[attr]


def sum_market_rule(results: list[WeekResult]) -> dict[str, float]:
    """Add up the weeks' market-rule figures (objectives and conflict hours)."""
    rules = [r.market_rule for r in results if r.market_rule]
    if not rules:
        return {}
    return {key: float(sum(rule[key] for rule in rules)) for key in rules[0]}
