"""The ``monolithic`` strategy: one LP over the whole span, solved by HiGHS through PyPSA."""

from __future__ import annotations

import time

import pypsa
import xarray as xr

from simulator.network.capital import investment_usd
from simulator.network.meta import network_meta, update_meta
from simulator.solve.assembly import build_model
from simulator.solve.checks import check_solution
from simulator.solve.coarse import has_extendable
from simulator.solve.highs import DEFAULT_HIGHS_OPTIONS, HighsOptions, solve_model
from simulator.solve.market_rule import MARKET_RULE_CONSTRAINTS, market_rule_cut, market_rule_ratings
from simulator.solve.report import SolveReport


def solve_network(n: pypsa.Network, solver_options: HighsOptions | None = None) -> SolveReport:
    """Optimise the dispatch of a built network with HiGHS and check the result.

    Parameters
    ----------
    n
        Network from :func:`simulator.network.build_network`; PyPSA writes the solution
        into its time series.
    solver_options
        HiGHS options that override :data:`~simulator.solve.highs.DEFAULT_HIGHS_OPTIONS`.

    With extendable capacity the LP first chooses it; the capacity is then fixed at that
    optimum and the dispatch solved again, so that prices are short-run marginal costs, as
    in the weekly strategy. The objective is that dispatch's cost plus the capital cost
    of the capacity chosen.

    Returns
    -------
    SolveReport
        Status, objective (USD), timings and the post-solve check figures.

    Raises
    ------
    SolveError
        If the solver does not report an optimal solution or a check fails.
    """
    options = {**DEFAULT_HIGHS_OPTIONS, **(solver_options or {})}
    t0 = time.perf_counter()
    build_model(n)
    t1 = time.perf_counter()
    in_effect = solve_model(n, options)
    market_rule = enforce_guatemala_only(n, options)
    objective = float(n.objective or 0.0)
    details: dict[str, float] = {}
    if has_extendable(n):
        # Prices of the system as built: with capacity free, the balance duals carry the
        # capital cost of new capacity (long-run prices); fixed at the optimum they are the
        # short-run marginal costs the weekly strategy's hourly weeks give, and a market would.
        capital = float(investment_usd(n).sum())
        n.optimize.fix_optimal_capacities()
        build_model(n)
        solve_model(n, options)
        market_rule = enforce_guatemala_only(n, options) or market_rule
        details = {"expansion_objective_usd": objective, "capital_cost_usd": capital}
        objective = float(n.objective or 0.0) + capital
    t2 = time.perf_counter()
    update_meta(n, objective_usd=objective)
    checks = check_solution(n, objective)
    return SolveReport(
        status="ok",
        condition="optimal",
        objective_usd=objective,
        solver="highs",
        solver_options=in_effect,
        seconds_build=t1 - t0,
        seconds_solve=t2 - t1,
        checks=checks,
        market_rule=market_rule,
        details=details,
    )


def enforce_guatemala_only(n: pypsa.Network, options: HighsOptions) -> dict[str, float]:
    """Apply the ``guatemala_only`` rule's second pass to a solved model, if any hour breaks it.

    Returns
    -------
    dict
        ``relaxation_objective_usd``, ``objective_usd``, ``conflict_hours`` (0 when one pass
        sufficed); empty when the rule is off.
    """
    rule = network_meta(n).market
    if not rule.active:
        return {}
    relaxed = float(n.objective or 0.0)
    cut = market_rule_cut(rule, n.lines_t.p0, market_rule_ratings(n, rule))
    if cut is None:
        return {"relaxation_objective_usd": relaxed, "objective_usd": relaxed, "conflict_hours": 0.0}
    for key, rhs in cut.rhs.items():
        constraint = n.model.constraints[MARKET_RULE_CONSTRAINTS[key]]
        constraint.update(rhs=xr.DataArray(rhs, coords=constraint.rhs.coords, dims=constraint.rhs.dims))
    solve_model(n, options)
    return {
        "relaxation_objective_usd": relaxed,
        "conflict_hours": float(cut.conflict_hours),
        "objective_usd": float(n.objective or 0.0),
    }
