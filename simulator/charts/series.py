"""Hourly series behind the charts, read from a run's solved network."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa

from simulator.network.meta import network_meta
from simulator.results.kpis import ORDER, corridor_lines, hub_buses


def duration_curve(values: pd.Series, weights: pd.Series) -> pd.DataFrame:
    """Return ``values`` sorted from highest to lowest against the share of time (%) they are reached.

    ``weights`` are the hours each snapshot stands for; ``duration_pct`` is the share of
    hours at or above the value, at the middle of each snapshot's block.
    """
    order = np.argsort(-values.to_numpy(), kind="stable")
    v = values.to_numpy()[order]
    w = weights.reindex(values.index).to_numpy()[order]
    cumulative = np.cumsum(w) - w / 2.0
    return pd.DataFrame({"duration_pct": 100.0 * cumulative / w.sum(), "value": v})


def hub_prices(n: pypsa.Network) -> pd.DataFrame:
    """Return hourly prices (USD/MWh) at each country's national hub, columns by country."""
    hubs = hub_buses(n)
    return n.buses_t.marginal_price[hubs.to_numpy()].set_axis(hubs.index, axis=1)


def corridor_limits(n: pypsa.Network) -> dict[str, list[tuple[float, str]]]:
    """Return, per corridor ``A-B``, the limits on its flow: (signed MW, label).

    Positive values bound the flow from A to B, negative ones from B to A: the sum of the
    ratings of the corridor's lines, and every border limit on one of its lines (a limit
    on several corridors at once is marked ``joint``; day and night limits both appear).
    """
    country = n.buses.country
    lines = corridor_lines(n)
    out: dict[str, list[tuple[float, str]]] = {}
    for corridor, names in lines.items():
        rating = float(n.lines.s_nom[names].sum())
        marks = [(rating, "rating"), (-rating, "rating")]
        orient = {
            name: 1.0 if ORDER[country[n.lines.bus0[name]]] < ORDER[country[n.lines.bus1[name]]] else -1.0
            for name in names
        }
        for limit in network_meta(n).border_limits:
            shared = [name for name in limit.lines if name in orient]
            if not shared:
                continue
            sign = np.sign(limit.lines[shared[0]] * orient[shared[0]])
            joint = " (joint)" if set(limit.lines) - set(names) else ""
            marks.append((float(sign * limit.limit_mw), f"{limit.limit_id}{joint}"))
        out[corridor] = marks
    return out


def line_loading(n: pypsa.Network) -> pd.DataFrame:
    """Return per line: mean flow (MW, sign of bus0 to bus1), mean |flow|, the limit used and loading (%).

    The limit is the line rating, or a border limit on that line alone in the direction of
    the mean flow when it is lower (the larger of its day and night values).
    """
    p0 = n.lines_t.p0
    rows = []
    limits = network_meta(n).border_limits
    for name in n.lines.index:
        mean = float(p0[name].mean())
        limit = float(n.lines.s_nom[name])
        direction = 1.0 if mean >= 0 else -1.0
        single = [b.limit_mw for b in limits if set(b.lines) == {name} and np.sign(b.lines[name]) == direction]
        if single:
            limit = min(limit, max(single))
        magnitude = float(p0[name].abs().mean())
        rows.append((name, mean, magnitude, limit, 100.0 * magnitude / limit if limit > 0 else np.nan))
    return pd.DataFrame(
        rows, columns=["line", "mean_flow_mw", "mean_abs_flow_mw", "limit_mw", "loading_pct"]
    ).set_index("line")


def country_dispatch(n: pypsa.Network, country: str) -> pd.DataFrame:
    """Return hourly supply (MW) by carrier in ``country``, plus ``load`` and ``net_imports``.

    Supply: generators, storage units (discharge) and power-producing links (the anchor
    plant) at the country's buses; ``net_imports`` = load - supply (negative when exporting).
    """
    buses = n.buses.index[(n.buses.country == country) & (n.buses.carrier == "AC")]
    parts: dict[str, pd.Series] = {}

    def add(carrier: str, series: pd.Series) -> None:
        parts[carrier] = parts.get(carrier, 0.0) + series

    gens = n.generators[n.generators.bus.isin(buses)]
    for carrier, names in gens.groupby("carrier").groups.items():
        add(str(carrier), n.generators_t.p[list(names)].sum(axis=1))
    units = n.storage_units[n.storage_units.bus.isin(buses)]
    for carrier, names in units.groupby("carrier").groups.items():
        add(str(carrier), n.storage_units_t.p[list(names)].clip(lower=0).sum(axis=1))
    if len(n.links):
        links = n.links[n.links.bus1.isin(buses) & ~n.links.bus0.isin(buses)]
        for carrier, names in links.groupby("carrier").groups.items():
            add(str(carrier), -n.links_t.p1[list(names)].sum(axis=1))
    supply = pd.DataFrame(parts, index=n.snapshots).fillna(0.0)
    loads = n.loads.index[n.loads.bus.isin(buses)]
    load = n.loads_t.p[loads].sum(axis=1)
    supply["load"] = load
    supply["net_imports"] = load - supply.drop(columns="load").sum(axis=1)
    return supply
