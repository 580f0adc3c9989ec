"""Solving a built network and checking the result.

Every solve checks the solver status: anything but optimal raises
:class:`~simulator.errors.SolveError` with the solver's own words. After an optimal solve,
:func:`check_solution` verifies the physics the rest of the tool relies on.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pypsa
import xarray as xr

from simulator.errors import SolveError
from simulator.network.constraints import add_border_limits, add_hurdle_costs, signed_flow, stored_border_limits

DEFAULT_HIGHS_OPTIONS: dict[str, float | int | str | bool] = {
    "solver": "ipm",
    "run_crossover": "on",
    "threads": 2,
    "primal_feasibility_tolerance": 1e-7,
    "dual_feasibility_tolerance": 1e-7,
    "random_seed": 123,
    "output_flag": False,
}
"""HiGHS interior point with crossover: a vertex solution, so prices (duals) are exact
marginal costs; on a full year it is several times faster than dual simplex."""

BALANCE_TOLERANCE_MW = 1e-3


def available_cores(requested: int | None = None) -> int:
    """Return the cores a run may use: ``requested`` if given, else those this process may run on."""
    if requested is not None:
        return max(1, int(requested))
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


CAPACITY_TOLERANCE_MW = 1e-3


@contextlib.contextmanager
def native_stdout_silenced() -> Iterator[None]:
    """Send the C-level standard output to /dev/null (HiGHS prints a banner there even with
    ``output_flag`` off); Python's own output is unaffected."""
    sys.stdout.flush()
    try:
        fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else 1
        saved = os.dup(fd)
    except (OSError, ValueError):  # no real file descriptor (e.g. captured output)
        yield
        return
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), fd)
        try:
            yield
        finally:
            os.dup2(saved, fd)
            os.close(saved)


@dataclass
class SolveReport:
    """What happened in a solve: status, objective and timings."""

    status: str
    condition: str
    objective_usd: float
    solver: str
    solver_options: dict[str, Any]
    seconds_build: float
    seconds_solve: float
    checks: dict[str, float] = field(default_factory=dict)
    market_rule: dict[str, float] = field(default_factory=dict)
    strategy: str = "monolithic"
    details: dict[str, Any] = field(default_factory=dict)


def solve_network(n: pypsa.Network, solver_options: dict[str, float | int | str | bool] | None = None) -> SolveReport:
    """Optimise the dispatch of a built network with HiGHS and check the result.

    Parameters
    ----------
    n
        Network from :func:`simulator.network.build_network`.
    solver_options
        HiGHS options that override :data:`DEFAULT_HIGHS_OPTIONS`.

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
    n.optimize.create_model(include_objective_constant=False)
    add_border_limits(n, n.snapshots)
    add_hurdle_costs(n)
    add_market_rule(n)
    t1 = time.perf_counter()
    _solve(n, options)
    market_rule = enforce_guatemala_only(n, options)
    t2 = time.perf_counter()
    checks = check_solution(n)
    return SolveReport(
        status="ok",
        condition="optimal",
        objective_usd=float(n.objective or 0.0),
        solver="highs",
        solver_options=options,
        seconds_build=t1 - t0,
        seconds_solve=t2 - t1,
        checks=checks,
        market_rule=market_rule,
    )


def _solve(n: pypsa.Network, options: dict[str, float | int | str | bool]) -> None:
    """Solve the network's current linopy model; raise :class:`SolveError` unless optimal."""
    try:
        with native_stdout_silenced():
            status, condition = n.optimize.solve_model(
                solver_name="highs", solver_options=options, log_to_console=False, io_api="direct"
            )
    except Exception as exc:  # the solver or linopy failed before returning a status
        msg = f"the solver failed on network {n.name!r}: {exc}"
        raise SolveError(msg) from exc
    if status != "ok" or condition != "optimal":
        hint = (
            " The problem is infeasible: some demand cannot be met even with load shedding, "
            "or must-run output exceeds what can be absorbed; check must-run shares and limits."
            if "infeasible" in str(condition)
            else ""
        )
        msg = f"solve of {n.name!r} ended with status {status!r}, condition {condition!r}; no result written.{hint}"
        raise SolveError(msg)


MARKET_RULE_CONSTRAINTS = {
    "guatemala_export_lines": "Market-guatemala_only-no_export",
    "mexico_import_lines": "Market-guatemala_only-no_mexico",
}
"""The two flows the ``guatemala_only`` rule may switch off in an hour, and their constraints."""


def _market_rule_lines(n: pypsa.Network) -> dict[str, dict[str, float]]:
    """Return the signed lines of each flow the market rule limits; empty when the rule is off."""
    market = n.meta.get("market", {})
    lines = {key: market.get(key, {}) for key in MARKET_RULE_CONSTRAINTS}
    if market.get("mexico_trade") != "guatemala_only" or not all(lines.values()):
        return {}
    return lines


def market_rule_conflicts(n: pypsa.Network, tolerance_mw: float = 1e-3) -> pd.Series:
    """Return True in the hours where Guatemala imports from Mexico and net-exports to SIEPAC at
    once, which ``guatemala_only`` forbids (all False when the rule is off)."""
    lines = _market_rule_lines(n)
    if not lines:
        return pd.Series(False, index=n.snapshots)
    imports = signed_flow(n, lines["mexico_import_lines"])
    exports = signed_flow(n, lines["guatemala_export_lines"])
    return (imports > tolerance_mw) & (exports > tolerance_mw)


def add_market_rule(n: pypsa.Network) -> None:
    """Add the ``guatemala_only`` constraints to the model, not yet binding.

    For Guatemala's net exports to SIEPAC and for its imports from Mexico, one constraint
    per snapshot keeps the signed sum of flows below a right-hand side that starts at the
    lines' total rating (never binding); :func:`tighten_market_rule` sets it to zero in the
    hours where that flow must stop. Adding them up front lets a re-solve change only the
    right-hand side, which a persistent solver applies in place.
    """
    for key, lines in _market_rule_lines(n).items():
        flows = n.model.variables["Line-s"]
        names = list(lines)
        signs = xr.DataArray([lines[k] for k in names], coords={"name": names}, dims="name")
        rating = float((n.lines.s_nom[names] * n.lines.s_max_pu[names]).sum())
        n.model.add_constraints(
            (flows.sel(name=names) * signs).sum("name") <= rating, name=MARKET_RULE_CONSTRAINTS[key]
        )


def tighten_market_rule(n: pypsa.Network) -> dict[str, float] | None:
    """After a solve, decide the hours in which each flow of the market rule must stop.

    The rule: in no hour may Guatemala import from Mexico and net-export to its SIEPAC
    neighbours at once (so its exports never exceed its own surplus, generation minus
    load). That is a complementarity, not convex, so it is solved in two passes: the first
    solve without the rule is a relaxation (a lower bound on cost); each hour where both
    flows were positive is then assigned to the larger of the two, the other is fixed to
    zero in every hour of its regime, and the LP is solved again. The second solution obeys
    the rule exactly; its cost minus the first is a bound on the distance to the optimum.

    Returns
    -------
    dict or None
        ``relaxation_objective_usd`` and ``conflict_hours``; None when the rule is off or no
        hour breaks it (then the solution stands and no second solve is needed).
    """
    lines = _market_rule_lines(n)
    if not lines:
        return None
    conflict = market_rule_conflicts(n)
    if not conflict.any():
        return None
    imports = signed_flow(n, lines["mexico_import_lines"])
    exports = signed_flow(n, lines["guatemala_export_lines"])
    mexico_hours = (imports >= exports).to_numpy()  # hours kept for Mexican imports; the others for exports
    stop = {"guatemala_export_lines": mexico_hours, "mexico_import_lines": ~mexico_hours}
    for key, hours in stop.items():
        constraint = n.model.constraints[MARKET_RULE_CONSTRAINTS[key]]
        rhs = constraint.rhs.copy()
        rhs.values[hours] = 0.0
        constraint.update(rhs=rhs)
    return {"relaxation_objective_usd": float(n.objective or 0.0), "conflict_hours": float(conflict.sum())}


def relax_market_rule(n: pypsa.Network) -> None:
    """Reset the market-rule constraints to their never-binding right-hand side."""
    for key, lines in _market_rule_lines(n).items():
        constraint = n.model.constraints[MARKET_RULE_CONSTRAINTS[key]]
        rating = float((n.lines.s_nom[list(lines)] * n.lines.s_max_pu[list(lines)]).sum())
        constraint.update(rhs=xr.full_like(constraint.rhs, rating))


def enforce_guatemala_only(n: pypsa.Network, options: dict[str, float | int | str | bool]) -> dict[str, float]:
    """Apply the ``guatemala_only`` rule to a solved model (see :func:`tighten_market_rule`).

    Returns
    -------
    dict
        ``relaxation_objective_usd``, ``objective_usd``, ``conflict_hours`` (0 when one pass
        sufficed); empty when the rule is off.
    """
    if not _market_rule_lines(n):
        return {}
    relaxed = float(n.objective or 0.0)
    tightened = tighten_market_rule(n)
    if tightened is None:
        return {"relaxation_objective_usd": relaxed, "objective_usd": relaxed, "conflict_hours": 0.0}
    _solve(n, options)
    return {**tightened, "objective_usd": float(n.objective or 0.0)}


def bus_balance_residual(n: pypsa.Network) -> pd.DataFrame:
    """Return supply minus withdrawal (MW) per bus and snapshot; zero when the balance holds."""
    residual = pd.DataFrame(0.0, index=n.snapshots, columns=n.buses.index)

    def add(values: pd.DataFrame, buses: pd.Series, sign: float) -> None:
        if values.empty:
            return
        grouped = values.T.groupby(buses.reindex(values.columns).to_numpy()).sum().T
        residual.loc[:, grouped.columns] += sign * grouped

    add(n.generators_t.p, n.generators.bus, 1.0)
    add(n.storage_units_t.p, n.storage_units.bus, 1.0)
    add(n.loads_t.p, n.loads.bus, -1.0)
    add(n.lines_t.p0, n.lines.bus0, -1.0)
    add(n.lines_t.p1, n.lines.bus1, -1.0)
    for port in ("0", "1", "2"):
        column = f"bus{port}"
        flows = getattr(n.links_t, f"p{port}", None)
        if not len(n.links) or column not in n.links or flows is None:
            continue
        connected = n.links[column][n.links[column].astype(str) != ""]
        add(flows[connected.index.intersection(flows.columns)], connected, -1.0)
    return residual


def check_solution(n: pypsa.Network) -> dict[str, float]:
    """Verify energy balance, capacities, line and border limits and prices of a solved network.

    Returns
    -------
    dict
        The worst violation of each check (MW), all within tolerance.

    Raises
    ------
    SolveError
        Naming the first check that fails.
    """
    worst: dict[str, float] = {}
    worst["balance_mw"] = float(bus_balance_residual(n).abs().to_numpy().max())
    p = n.generators_t.p
    p_max = n.get_switchable_as_dense("Generator", "p_max_pu") * n.generators.p_nom
    worst["generator_above_capacity_mw"] = float((p - p_max).to_numpy().max())
    lines = n.lines_t.p0.abs() - n.get_switchable_as_dense("Line", "s_max_pu") * n.lines.s_nom
    worst["line_above_rating_mw"] = float(lines.to_numpy().max()) if len(n.lines) else 0.0
    hours = n.snapshots.hour.to_numpy()
    excess = [
        (signed_flow(n, limit.lines) - limit.limit_mw).to_numpy()[limit.applies(hours)]
        for limit in stored_border_limits(n)
    ]
    excess = [e for e in excess if len(e)]
    # at least 0 as before; np.maximum keeps a NaN
    worst["border_above_limit_mw"] = float(np.maximum(0.0, np.max(np.concatenate(excess)))) if excess else 0.0
    worst["market_rule_conflict_hours"] = float(market_rule_conflicts(n).sum())
    prices = n.buses_t.marginal_price
    worst["missing_prices"] = float(prices.isna().to_numpy().sum() + (len(n.buses) - prices.shape[1]))
    tolerances = {
        "balance_mw": BALANCE_TOLERANCE_MW,
        "generator_above_capacity_mw": CAPACITY_TOLERANCE_MW,
        "line_above_rating_mw": CAPACITY_TOLERANCE_MW,
        "border_above_limit_mw": CAPACITY_TOLERANCE_MW,
        "missing_prices": 0.0,
        "market_rule_conflict_hours": 0.0,
    }
    # a figure that is not finite (NaN from a NaN input or result) fails: NaN > tol is False
    failed = [k for k, tol in tolerances.items() if not np.isfinite(worst[k]) or worst[k] > tol]
    if failed:
        detail = ", ".join(f"{k} = {worst[k]:.4g}" for k in failed)
        msg = f"solution of {n.name!r} failed post-solve checks: {detail}"
        raise SolveError(msg)
    if n.objective is None or not np.isfinite(n.objective):
        msg = f"solution of {n.name!r} has a non-finite objective"
        raise SolveError(msg)
    return worst
