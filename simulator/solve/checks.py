"""Post-solve checks: the physics the rest of the tool relies on, verified on every result.

Each check measures its worst violation; a figure above its tolerance, or one that is not
finite (a NaN from a NaN input or result), fails and raises
:class:`~simulator.errors.SolveError` naming the check.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa

from simulator.errors import SolveError
from simulator.network.meta import network_meta, signed_flow
from simulator.solve.market_rule import market_rule_conflicts

BALANCE_TOLERANCE_MW = 1e-3
CAPACITY_TOLERANCE_MW = 1e-3

TOLERANCES: dict[str, float] = {
    "balance_mw": BALANCE_TOLERANCE_MW,
    "generator_above_capacity_mw": CAPACITY_TOLERANCE_MW,
    "line_above_rating_mw": CAPACITY_TOLERANCE_MW,
    "border_above_limit_mw": CAPACITY_TOLERANCE_MW,
    "missing_prices": 0.0,
    "market_rule_conflict_hours": 0.0,
}
"""Each check's figure and the largest value that passes."""


def bus_balance_residual(n: pypsa.Network) -> pd.DataFrame:
    """Return supply minus withdrawal (MW) per bus and snapshot; zero when the balance holds."""
    residual = pd.DataFrame(0.0, index=n.snapshots, columns=n.buses.index)

    def add(values: pd.DataFrame, buses: pd.Series, sign: float) -> None:
        if values.empty:
            return
        by_bus = buses.reindex(values.columns).to_numpy()
        grouped = values.T.groupby(by_bus).sum().T
        # a sum skips NaN; keep it, so that a NaN in any result fails the balance check
        grouped = grouped.mask(values.isna().T.groupby(by_bus).any().T)
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


def _max(values: np.ndarray) -> float:
    """The largest value (NaN if any is NaN; 0 for no values)."""
    return float(np.max(values)) if values.size else 0.0


def solution_figures(n: pypsa.Network) -> dict[str, float]:
    """Measure each check's worst violation on a solved network (see :data:`TOLERANCES`)."""
    meta = network_meta(n)
    worst: dict[str, float] = {}
    worst["balance_mw"] = _max(bus_balance_residual(n).abs().to_numpy())
    p_max = n.get_switchable_as_dense("Generator", "p_max_pu") * n.generators.p_nom
    worst["generator_above_capacity_mw"] = _max((n.generators_t.p - p_max).to_numpy())
    lines = n.lines_t.p0.abs() - n.get_switchable_as_dense("Line", "s_max_pu") * n.lines.s_nom
    worst["line_above_rating_mw"] = _max(lines.to_numpy()) if len(n.lines) else 0.0
    hours = n.snapshots.hour.to_numpy()
    excess = [
        (signed_flow(n.lines_t.p0, limit.lines) - limit.limit_mw).to_numpy()[limit.applies(hours)]
        for limit in meta.border_limits
    ]
    # at least 0 as before; np.maximum keeps a NaN
    worst["border_above_limit_mw"] = float(np.maximum(0.0, _max(np.concatenate(excess)))) if excess else 0.0
    worst["market_rule_conflict_hours"] = float(market_rule_conflicts(meta.market, n.lines_t.p0).sum())
    prices = n.buses_t.marginal_price
    worst["missing_prices"] = float(prices.isna().to_numpy().sum() + (len(n.buses) - prices.shape[1]))
    return worst


def check_solution(n: pypsa.Network, objective_usd: float | None = None) -> dict[str, float]:
    """Verify energy balance, capacities, line and border limits, prices and the market rule.

    Parameters
    ----------
    n
        A solved network.
    objective_usd
        The solve's objective; by default the one recorded in the network's metadata, else
        PyPSA's ``n.objective``.

    Returns
    -------
    dict
        The worst violation of each check, all within tolerance.

    Raises
    ------
    SolveError
        Naming every check that fails, or a non-finite objective.
    """
    worst = solution_figures(n)
    failed = [k for k, tol in TOLERANCES.items() if not np.isfinite(worst[k]) or worst[k] > tol]
    if failed:
        detail = ", ".join(f"{k} = {worst[k]:.4g}" for k in failed)
        msg = f"solution of {n.name!r} failed post-solve checks: {detail}"
        raise SolveError(msg)
    if objective_usd is None:
        objective_usd = network_meta(n).objective_usd
    if objective_usd is None:
        objective_usd = n.objective
    if objective_usd is None or not np.isfinite(objective_usd):
        msg = f"solution of {n.name!r} has a non-finite objective (objective_usd = {objective_usd})"
        raise SolveError(msg)
    return worst
