"""Figures recomputed from a solved network's results alone, for tests.

The post-solve checks (``simulator.solve.check_solution``) already hold the balance, the
ratings and the limits of every solution, so a test that asserts them again cannot fail.
What they do not look at is recomputed here from the written results: the objective the
solve reports, and prices that must equal the marginal cost of the unit setting them. A
weekly solve that stitched an hour twice, dropped a capital cost or wrote a week's duals
in the wrong hours fails these.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa


def _weighted(n: pypsa.Network, frame: pd.DataFrame) -> float:
    """Sum of an hourly frame (per snapshot) weighted by the snapshots' objective weights (h)."""
    if frame.empty:
        return 0.0
    return float(frame.mul(n.snapshot_weightings.objective.reindex(frame.index), axis=0).to_numpy().sum())


def objective_usd(n: pypsa.Network) -> float:
    """The system cost (USD) of a solved network, from its dispatch, flows and capacities.

    Operating costs of generators, links (per MW at bus0) and storage (dispatch, spill,
    stored energy), the hurdle on the absolute flow of the hurdle lines, and the capital cost
    of every component times its optimal capacity (the builder gives a capital cost only to
    extendable components, and a solve's objective leaves out constant terms).
    """
    cost = _weighted(n, n.get_switchable_as_dense("Generator", "marginal_cost") * n.generators_t.p)
    if len(n.links):
        cost += _weighted(n, n.get_switchable_as_dense("Link", "marginal_cost") * n.links_t.p0)
    if len(n.storage_units):
        units = n.storage_units
        cost += _weighted(n, n.storage_units_t.p_dispatch * units.marginal_cost)
        cost += _weighted(n, n.storage_units_t.spill.reindex(columns=units.index, fill_value=0.0) * units.spill_cost)
        cost += _weighted(n, n.storage_units_t.state_of_charge * units.marginal_cost_storage)
    hurdle = n.meta.get("hurdle", {})
    if hurdle.get("lines"):
        cost += float(hurdle["usd_per_mwh"]) * _weighted(n, n.lines_t.p0[list(hurdle["lines"])].abs())
    for component, attr in (("Generator", "p_nom"), ("Link", "p_nom"), ("StorageUnit", "p_nom"), ("Line", "s_nom")):
        static = n.components[component].static
        if not static.empty:
            cost += float((static.capital_cost * static[f"{attr}_opt"]).sum())
    return cost


def marginal_unit_price_gaps(n: pypsa.Network, margin_mw: float = 0.1) -> pd.DataFrame:
    """Price minus marginal cost (USD/MWh) of every generator strictly inside its bounds, by hour.

    A generator's only constraints are its bounds and its bus's balance, so in an hour in
    which it runs strictly between them its reduced cost is zero, and the price of its bus
    (the balance's dual per MWh) must equal its marginal cost exactly. Entries where the
    generator sits at (or within ``margin_mw`` of) a bound are NaN.
    """
    p = n.generators_t.p
    p_nom = n.generators.p_nom_opt.where(n.generators.p_nom_opt > 0, n.generators.p_nom)
    upper = n.get_switchable_as_dense("Generator", "p_max_pu") * p_nom
    lower = n.get_switchable_as_dense("Generator", "p_min_pu") * p_nom
    inside = (p > lower + margin_mw) & (p < upper - margin_mw)
    prices = n.buses_t.marginal_price.reindex(columns=n.generators.bus).to_numpy()
    gaps = pd.DataFrame(prices, index=p.index, columns=p.columns) - n.get_switchable_as_dense(
        "Generator", "marginal_cost"
    )
    return gaps.where(inside.to_numpy())


def largest_price_gap(n: pypsa.Network) -> tuple[float, int]:
    """The largest |price - marginal cost| of a partly loaded generator, and how many such cases there are."""
    gaps = marginal_unit_price_gaps(n).to_numpy()
    found = np.isfinite(gaps)
    return (float(np.abs(gaps[found]).max()) if found.any() else 0.0), int(found.sum())
