"""Constraints PyPSA does not have built in, added through ``extra_functionality``."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pypsa
import xarray as xr

from simulator.network.electric import BorderLimit


def stored_border_limits(n: pypsa.Network) -> list[BorderLimit]:
    """Return the border limits a network was built with (kept in ``n.meta``)."""
    return [BorderLimit(**b) for b in n.meta.get("border_limits", [])]


def signed_flow(n: pypsa.Network, coefficients: dict[str, float]) -> pd.Series:
    """Return the hourly sum of solved line flows (MW) with the given signs (+1 along bus0 to bus1)."""
    return sum((c * n.lines_t.p0[name] for name, c in coefficients.items()), pd.Series(0.0, index=n.snapshots))


def add_border_limits(n: pypsa.Network, snapshots: Sequence[pd.Timestamp]) -> None:
    """Limit the sum of line flows across each border, per direction and hour window.

    For a limit with coefficients c_l (+1 along the limited direction, -1 against) the
    constraint ``sum_l c_l * s_l(t) <= limit`` holds in every snapshot ``t`` whose hour is in
    the limit's window. Its dual (USD/MWh) is the border's congestion price.
    """
    limits = stored_border_limits(n)
    if not limits:
        return
    model = n.model
    flows = model.variables["Line-s"]
    index = pd.DatetimeIndex(snapshots)
    for limit in limits:
        active = index[limit.applies(index.hour.to_numpy())]
        if active.empty:
            continue
        names = list(limit.lines)
        coefficients = xr.DataArray([limit.lines[k] for k in names], coords={"name": names}, dims="name")
        lhs = (flows.sel(name=names, snapshot=active) * coefficients).sum("name")
        model.add_constraints(lhs <= limit.limit_mw, name=f"Border-{limit.limit_id}")


def add_hurdle_costs(n: pypsa.Network) -> None:
    """Charge ``hurdle`` USD/MWh on the flow of every SIEPAC border line, in both directions.

    Lines have no marginal cost in PyPSA, so each flow is split into non-negative forward
    and backward parts, ``s = forward - backward``, and the objective pays the hurdle on
    their sum (at the optimum one of the two is zero, so the sum is ``|s|``).
    """
    hurdle = n.meta.get("hurdle", {})
    cost, names = float(hurdle.get("usd_per_mwh", 0.0)), list(hurdle.get("lines", []))
    if cost <= 0 or not names:
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
    model.objective = model.objective + (cost * weights * (forward + backward)).sum()
