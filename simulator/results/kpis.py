"""Key figures of a solved network as a tidy table.

One row per figure with columns ``scenario, metric, region, carrier, value, unit``.
``region`` is a country code (GT ... PA, MX, CO), a corridor ``A-B`` (flow positive from A to
B, west to east, Mexico first, Colombia last) or ``ALL``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa

from simulator import ALL_REGIONS, CARRIERS, COUNTRIES, NEIGHBOURS
from simulator.network.capital import investment_usd, span_years
from simulator.network.meta import network_meta, signed_flow
from simulator.units import mw_to_mmcfd

KPI_COLUMNS = ["scenario", "metric", "region", "carrier", "value", "unit"]
ORDER = {c: i for i, c in enumerate(("MX", *COUNTRIES, "CO"))}
AT_LIMIT_TOLERANCE_MW = 0.1
"""A corridor counts as at its limit in an hour when a crossing line or a border limit
that contains it is within this margin of its bound."""


def hub_buses(n: pypsa.Network) -> pd.Series:
    """Return the national hub bus of each country present in the network."""
    hubs = n.buses[n.buses.national_hub.astype(bool)]
    return pd.Series(hubs.index, index=hubs.country)


def corridor_flows(n: pypsa.Network) -> pd.DataFrame:
    """Return hourly flow (MW) per corridor ``A-B``, positive from A to B."""
    country = n.buses.country
    c0, c1 = n.lines.bus0.map(country), n.lines.bus1.map(country)
    flows: dict[str, pd.Series] = {}
    for name in n.lines.index[c0 != c1]:
        a, b = c0[name], c1[name]
        sign = 1.0 if ORDER[a] < ORDER[b] else -1.0
        key = "-".join(sorted((a, b), key=ORDER.__getitem__))
        flows[key] = flows.get(key, 0.0) + sign * n.lines_t.p0[name]
    return pd.DataFrame(flows, index=n.snapshots)


def corridor_lines(n: pypsa.Network) -> dict[str, list[str]]:
    """Return the lines that make up each corridor."""
    country = n.buses.country
    out: dict[str, list[str]] = {}
    for name, line in n.lines.iterrows():
        a, b = country[line.bus0], country[line.bus1]
        if a != b:
            out.setdefault("-".join(sorted((a, b), key=ORDER.__getitem__)), []).append(str(name))
    return out


def hours_at_limit(n: pypsa.Network) -> pd.Series:
    """Count the hours each corridor is at a limit: a crossing line at its rating, or a
    border limit containing one of its lines binding in that hour."""
    at_limit = {}
    hours = n.snapshots.hour.to_numpy()
    limits = network_meta(n).border_limits
    for corridor, names in corridor_lines(n).items():
        flags = np.zeros(len(n.snapshots), dtype=bool)
        for name in names:
            flags |= (n.lines_t.p0[name].abs() >= n.lines.s_nom[name] - AT_LIMIT_TOLERANCE_MW).to_numpy()
        for limit in limits:
            if not set(limit.lines) & set(names):
                continue
            flow = signed_flow(n.lines_t.p0, limit.lines)
            flags |= limit.applies(hours) & (flow >= limit.limit_mw - AT_LIMIT_TOLERANCE_MW).to_numpy()
        at_limit[corridor] = float(flags.sum() * _hours_per_snapshot(n))
    return pd.Series(at_limit)


def system_cost_usd(n: pypsa.Network) -> float:
    """The solve's objective (USD): recorded in the network's metadata by either strategy
    (PyPSA's ``n.objective`` is only set by a monolithic solve, and not stored in files)."""
    recorded = network_meta(n).objective_usd
    if recorded is not None:
        return recorded
    return float(n.objective or 0.0)


def regional_traded_energy_gwh(n: pypsa.Network, flows: pd.DataFrame) -> float:
    """Energy sold in the regional market (GWh): in every hour, the sum of the SIEPAC net
    exports of the countries that export (each MWh counted once, transit not counted)."""
    net = pd.DataFrame(0.0, index=flows.index, columns=list(COUNTRIES))
    for corridor in flows.columns:
        a, b = corridor.split("-")
        if a in NEIGHBOURS or b in NEIGHBOURS:
            continue
        net[a] += flows[corridor]
        net[b] -= flows[corridor]
    w = n.snapshot_weightings.generators
    return float(net.clip(lower=0).sum(axis=1).mul(w).sum() / 1e3)


def new_capacity_mw(n: pypsa.Network) -> pd.DataFrame:
    """Capacity built by the expansion: ``country, candidate, capacity_mw`` (electric MW)."""
    parts = []
    for component in ("Generator", "StorageUnit", "Link"):
        static = n.components[component].static
        if static.empty or "candidate" not in static:
            continue
        built = static[static.candidate.fillna("").astype(str) != ""]
        if len(built):
            output = built.p_nom_opt.fillna(built.p_nom) * (built.efficiency if component == "Link" else 1.0)
            parts.append(pd.DataFrame({"country": built.country, "candidate": built.candidate, "capacity_mw": output}))
    if not parts:
        return pd.DataFrame(columns=["country", "candidate", "capacity_mw"])
    return pd.concat(parts).groupby(["country", "candidate"], as_index=False, sort=False).capacity_mw.sum()


def expansion_kpis(n: pypsa.Network, capital: pd.Series) -> list[tuple[str, str, str, float, str]]:
    """Rows ``capacity_new`` (MW, country x candidate) and ``investment_cost`` (MUSD/yr, annualised,
    by country and ``ALL``); none when the solve built nothing (no expansion, no extendable plant)."""
    built = new_capacity_mw(n)
    if built.empty and capital.empty:
        return []
    rows: list[tuple[str, str, str, float, str]] = []
    for row in built.itertuples():
        rows.append(("capacity_new", str(row.country), str(row.candidate), float(row.capacity_mw), "MW"))
    country = [
        n.components[component].static.get("country", pd.Series(dtype=str)).get(name, "")
        for component, name in capital.index
    ]
    years = span_years(n)
    by_country = capital.groupby(pd.Index(country, dtype=object)).sum() / years / 1e6 if len(capital) else {}
    for region in COUNTRIES:
        rows.append(("investment_cost", region, "", float(by_country.get(region, 0.0)), "MUSD/yr"))
    rows.append(("investment_cost", "ALL", "", float(capital.sum()) / years / 1e6, "MUSD/yr"))
    return rows


def _hours_per_snapshot(n: pypsa.Network) -> float:
    return float(n.snapshot_weightings.generators.iloc[0])


def compute_kpis(n: pypsa.Network, scenario: str) -> pd.DataFrame:
    """Compute the KPI table of a solved network.

    Parameters
    ----------
    n
        Solved network from :func:`simulator.network.build_network`.
    scenario
        Scenario name written in every row.

    Returns
    -------
    pandas.DataFrame
        Tidy table with columns :data:`KPI_COLUMNS`.
    """
    w = n.snapshot_weightings.generators  # hours per snapshot
    hubs = hub_buses(n)
    countries = [c for c in COUNTRIES if c in hubs]
    rows: list[tuple[str, str, str, float, str]] = []

    def add(metric: str, region: str, carrier: str, value: float, unit: str) -> None:
        rows.append((metric, region, carrier, float(value), unit))

    gens = n.generators
    energy_gwh = n.generators_t.p.mul(w, axis=0).sum() / 1e3
    parts = [pd.DataFrame({"country": gens.country, "carrier": gens.carrier, "gwh": energy_gwh})]
    if len(n.storage_units):
        storage_gwh = n.storage_units_t.p.clip(lower=0).mul(w, axis=0).sum() / 1e3
        parts.append(pd.DataFrame({"country": n.storage_units.country, "carrier": n.storage_units.carrier, "gwh": storage_gwh}))
    electric_links = n.links.index[n.links.carrier.isin(CARRIERS)] if len(n.links) else pd.Index([])
    if len(electric_links):
        delivered = (-n.links_t.p1[electric_links]).mul(w, axis=0).sum() / 1e3
        parts.append(
            pd.DataFrame(
                {
                    "country": n.links.bus1[electric_links].map(n.buses.country),
                    "carrier": n.links.carrier[electric_links],
                    "gwh": delivered,
                }
            )
        )
    supply = pd.concat(parts)
    by_country_carrier = supply.groupby(["country", "carrier"]).gwh.sum()
    for country in countries:
        for carrier in CARRIERS:
            add("generation", country, carrier, by_country_carrier.get((country, carrier), 0.0), "GWh")
        add("unserved_energy", country, "", by_country_carrier.get((country, "load_shedding"), 0.0), "GWh")
        co2 = (n.generators_t.p[gens.index[gens.country == country]].mul(w, axis=0).sum() * gens.co2_t_per_mwh).sum()
        mine = electric_links[n.links.country[electric_links] == country] if len(electric_links) else electric_links
        if len(mine):
            co2 += (n.links_t.p0[mine].mul(w, axis=0).sum() * n.links.co2_t_per_mwh[mine].fillna(0.0)).sum()
        add("co2", country, "", co2 / 1e6, "Mt")

    loads = n.loads_t.p.mul(w, axis=0)
    prices = n.buses_t.marginal_price
    for country in countries:
        load = n.loads_t.p[n.loads.index[n.loads.country == country]].sum(axis=1)
        add("demand", country, "", loads[n.loads.index[n.loads.country == country]].to_numpy().sum() / 1e3, "GWh")
        price = prices[hubs[country]]
        add("price_load_weighted", country, "", (price * load * w).sum() / (load * w).sum(), "USD/MWh")
        add("price_mean", country, "", (price * w).sum() / w.sum(), "USD/MWh")
    for neighbour in NEIGHBOURS:
        if neighbour in hubs:
            add("price_mean", neighbour, "", (prices[hubs[neighbour]] * w).sum() / w.sum(), "USD/MWh")

    flows = corridor_flows(n)
    forward = flows.clip(lower=0).mul(w, axis=0).sum() / 1e3
    backward = (-flows).clip(lower=0).mul(w, axis=0).sum() / 1e3
    at_limit = hours_at_limit(n)
    for corridor in flows.columns:
        add("flow_forward", corridor, "", forward[corridor], "GWh")
        add("flow_backward", corridor, "", backward[corridor], "GWh")
        add("hours_at_limit", corridor, "", at_limit.get(corridor, 0.0), "h")
    for country in ALL_REGIONS:
        imports = exports = siepac_net = 0.0
        for corridor in flows.columns:
            a, b = corridor.split("-")
            if country not in (a, b):
                continue
            out_gwh, in_gwh = (forward[corridor], backward[corridor]) if country == a else (backward[corridor], forward[corridor])
            exports += out_gwh
            imports += in_gwh
            if a not in NEIGHBOURS and b not in NEIGHBOURS:
                siepac_net += out_gwh - in_gwh
        if country in hubs:
            add("imports", country, "", imports, "GWh")
            add("exports", country, "", exports, "GWh")
            if country not in NEIGHBOURS:
                add("net_exports", country, "", siepac_net, "GWh")
    add("regional_traded_energy", "ALL", "", regional_traded_energy_gwh(n, flows), "GWh")
    capital = investment_usd(n)
    # the objective is operating cost plus the capital cost of what the solve built
    add("system_cost", "ALL", "", (system_cost_usd(n) - float(capital.sum())) / 1e6, "MUSD")
    add("total_cost", "ALL", "", system_cost_usd(n) / 1e6, "MUSD")
    rows.extend(expansion_kpis(n, capital))
    rows.extend(gas_kpis(n))
    table = pd.DataFrame(rows, columns=KPI_COLUMNS[1:])
    table.insert(0, "scenario", scenario)
    return table


def gas_kpis(n: pypsa.Network) -> list[tuple[str, str, str, float, str]]:
    """Return the gas-layer figures: pipeline throughput and utilisation by segment, anchor
    output and capacity factor, gas burned by country, and the pipeline's break-even."""
    info = network_meta(n).gas
    if not info:
        return []
    w = n.snapshot_weightings.generators
    hours = float(w.sum())
    hhv = float(info["hhv_mmbtu_per_mcf"])
    rows: list[tuple[str, str, str, float, str]] = []
    for segment, spec in info.get("segments", {}).items():
        flow = n.links_t.p0[f"pipeline {segment}"]
        mean_mw = float((flow * w).sum() / hours)
        rows.append(("pipeline_throughput", segment, "mean", mw_to_mmcfd(mean_mw, hhv), "MMcfd"))
        rows.append(("pipeline_throughput", segment, "peak", mw_to_mmcfd(float(flow.max()), hhv), "MMcfd"))
        rows.append(("pipeline_utilisation", segment, "", 100.0 * mean_mw / spec["capacity_mw"], "%"))
    if "break_even_utilisation" in info:
        rows.append(("pipeline_break_even_utilisation", info["route"], "", 100.0 * float(info["break_even_utilisation"]), "%"))
    if "anchor" in info and "anchor plant" in n.links.index:
        anchor = n.links.loc["anchor plant"]
        capacity_mw = float(anchor.p_nom_opt if anchor.p_nom_extendable else anchor.p_nom) * float(anchor.efficiency)
        energy_gwh = float((-n.links_t.p1["anchor plant"] * w).sum()) / 1e3
        country = info["anchor"]["country"]
        rows.append(("anchor_capacity", country, "gas", capacity_mw, "MW"))
        rows.append(("anchor_generation", country, "gas", energy_gwh, "GWh"))
        factor = 100.0 * energy_gwh * 1e3 / (capacity_mw * hours) if capacity_mw > 0 else 0.0
        rows.append(("anchor_capacity_factor", country, "gas", factor, "%"))
    for country in COUNTRIES:
        burners = n.generators.index[(n.generators.country == country) & (n.generators.carrier == "gas")]
        fuel = float((n.generators_t.p[burners].div(n.generators.efficiency[burners]).mul(w, axis=0)).to_numpy().sum())
        links = n.links.index[(n.links.carrier == "gas") & (n.links.country == country)] if len(n.links) else []
        if len(links):
            fuel += float(n.links_t.p0[links].mul(w, axis=0).to_numpy().sum())
        rows.append(("gas_use", country, "gas", fuel / 1e3, "GWh"))
    return rows
