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
