"""The one place a network's linopy model is assembled: PyPSA's model plus this tool's constraints.

:func:`build_model` is called by the monolithic solve, the weekly strategy's coarse stage
and its week model, so that all three optimise the same problem. What PyPSA does not have
built in is added here: border limits (sums of line flows per direction and hour window),
the hurdle charge on SIEPAC flows and the ``guatemala_only`` market rule's constraints.
"""

from __future__ import annotations

import linopy
import pandas as pd
import pypsa
import xarray as xr

from simulator.network.meta import network_meta
from simulator.solve.market_rule import MARKET_RULE_CONSTRAINTS, market_rule_ratings


def build_model(n: pypsa.Network, market_rule: bool = True) -> linopy.Model:
    """Create the linopy model of ``n`` over its snapshots with every constraint of this tool.

    The objective constant (fixed costs of non-extendable capacity) is left out, so that the
    objective is the operating cost (plus any investment in extendable capacity).

    Parameters
    ----------
    n
        A built network (its ``n.meta`` read through :func:`~simulator.network.meta.network_meta`).
    market_rule
        Add the market rule's (initially non-binding) rows. The weekly strategy's coarse
        stage leaves them out: it never runs the rule's second pass, so they would only be
        rows that never bind.
    """
    model = n.optimize.create_model(include_objective_constant=False)
    add_border_limits(n)
    add_hurdle_costs(n)
    if market_rule:
        add_market_rule(n)
    add_reserve_margin(n)
    return model


RESERVE_CONSTRAINT = "Reserve-margin"
"""Name prefix of the planning reserve-margin rows (one per country and month, ``Reserve-margin-GT-2030-03``)."""


def add_reserve_margin(n: pypsa.Network) -> None:
    """Add each country's planning reserve-margin row on the capacity of its extendable candidates.

    ``sum_k credit_k * p_nom_k >= peak * (1 + margin) - firm - import credit`` (MW), with the
    numbers of :class:`~simulator.network.meta.ReserveRow` (computed from the hourly network,
    so a coarse copy keeps the hourly peak). Rows that nothing can relax (no extendable
    capacity left, e.g. the weeks after the coarse stage fixed it) or that cannot bind (the
    existing fleet already covers the margin) are left out.
    """
    model = n.model
    for row in network_meta(n).reserve:
        if row.new_firm_needed_mw <= 0:
            continue
        terms = []
        for component, credits in row.credits.items():
            variable = f"{component}-p_nom"
            if variable not in model.variables:
                continue
            free = [k for k in credits if k in model.variables[variable].indexes["name"]]
            if free:
                weights = xr.DataArray([credits[k] for k in free], coords={"name": free}, dims="name")
                terms.append((model.variables[variable].sel(name=free) * weights).sum("name"))
        if terms:
            lhs = terms[0]
            for term in terms[1:]:
                lhs = lhs + term
            model.add_constraints(
                lhs >= row.new_firm_needed_mw, name=f"{RESERVE_CONSTRAINT}-{row.country}-{row.period}"
            )


def add_border_limits(n: pypsa.Network) -> None:
    """Limit the sum of line flows across each border, per direction and hour window.

    For a limit with coefficients c_l (+1 along the limited direction, -1 against) the
    constraint ``sum_l c_l * s_l(t) <= limit`` holds in every snapshot ``t`` whose hour is in
    the limit's window. Its dual (USD/MWh) is the border's congestion price.
    """
    limits = network_meta(n).border_limits
    if not limits:
        return
    model = n.model
    flows = model.variables["Line-s"]
    index = pd.DatetimeIndex(flows.indexes["snapshot"])
    for limit in limits:
        active = index[limit.applies(index.hour.to_numpy())]
        if active.empty:
            continue
        names = list(limit.lines)
        coefficients = xr.DataArray([limit.lines[k] for k in names], coords={"name": names}, dims="name")
        lhs = (flows.sel(name=names, snapshot=active) * coefficients).sum("name")
        model.add_constraints(lhs <= limit.limit_mw, name=f"Border-{limit.limit_id}")


def add_hurdle_costs(n: pypsa.Network) -> None:
    """Charge the hurdle (USD/MWh) on the flow of every SIEPAC border line, in both directions.

    Lines have no marginal cost in PyPSA, so each flow is split into non-negative forward
    and backward parts, ``s = forward - backward``, and the objective pays the hurdle on
    their sum (at the optimum one of the two is zero, so the sum is ``|s|``).
    """
    hurdle = network_meta(n).hurdle
    names = list(hurdle.lines)
    if hurdle.usd_per_mwh <= 0 or not names:
        return
    model = n.model
    flows = model.variables["Line-s"].sel(name=names)
    snapshots = flows.indexes["snapshot"]
    coords = [snapshots, pd.Index(names, name="name")]
    forward = model.add_variables(lower=0, coords=coords, name="Line-hurdle-forward")
    backward = model.add_variables(lower=0, coords=coords, name="Line-hurdle-backward")
    model.add_constraints(flows - forward + backward == 0, name="Line-hurdle-split")
    weights = xr.DataArray(
        n.snapshot_weightings.objective.reindex(flows.coords["snapshot"].to_index()).to_numpy(),
        coords={"snapshot": flows.coords["snapshot"]},
        dims="snapshot",
    )
    model.objective = model.objective + (hurdle.usd_per_mwh * weights * (forward + backward)).sum()


def add_market_rule(n: pypsa.Network) -> None:
    """Add the ``guatemala_only`` constraints, not yet binding (see :mod:`simulator.solve.market_rule`).

    For Guatemala's net exports to SIEPAC and for its imports from Mexico, one constraint
    per snapshot keeps the signed sum of flows below a right-hand side that starts at the
    lines' total rating. Adding them up front lets the second pass change only right-hand
    sides, which the week model writes into HiGHS in place.
    """
    rule = network_meta(n).market
    if not rule.active:
        return
    flows = n.model.variables["Line-s"]
    ratings = market_rule_ratings(n, rule)
    for key, lines in rule.flows().items():
        names = list(lines)
        signs = xr.DataArray([lines[k] for k in names], coords={"name": names}, dims="name")
        n.model.add_constraints(
            (flows.sel(name=names) * signs).sum("name") <= ratings[key], name=MARKET_RULE_CONSTRAINTS[key]
        )
