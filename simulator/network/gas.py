"""The gas layer: Mexican gas or LNG, pipeline segments and the anchor plant (PyPSA-Eur style).

- Gas buses (carrier ``natural gas``) at the nodes of the chosen route.
- Supply: a generator at the route's Mexican hub priced at Henry Hub + basis + Mexican
  transport (USD/MMBtu converted to USD/MWh of gas), or, for ``lng``, at the LNG terminal
  at the LNG price.
- Pipeline segments: one-way Links (carrier ``gas pipeline``) with capacity (MW of gas),
  length, WKT route (``route_wkt``) and compression electricity drawn from the national hub of the
  segment's country (``bus2``/``efficiency2``). Their capital cost is sunk and recovered by
  a fixed tariff (see :mod:`simulator.routes`), so dispatch sees the commodity price only.
- The anchor plant: a Link from its gas bus to the national hub bus of its country
  (national systems are copper plates), with efficiency, variable O&M and CO2; fixed
  capacity, or extendable with its annualised capital cost.
"""

from __future__ import annotations

from typing import Any

import pypsa

from simulator.data import InputData
from simulator.network.capital import span_years
from simulator.routes import (
    GasData,
    break_even_utilisation,
    capital_recovery_factor,
    load_gas_data,
    mexican_gas_price_usd_per_mmbtu,
    resize_segments,
)
from simulator.scenario import Scenario
from simulator.units import MWH_PER_MMBTU

SUPPLY_HEADROOM_MW = 50_000.0
"""Capacity of the gas supply generators: the pipeline or the plant limits the flow."""


def gas_prices(scenario: Scenario, data: InputData) -> tuple[float, float]:
    """Return (Henry Hub, LNG) in USD/MMBtu: the scenario's, else the year's data."""
    prices = scenario.gas.price_usd_per_mmbtu
    henry_hub = prices.henry_hub or data.fuel_price_usd_per_mmbtu("henry_hub", scenario.year)
    lng = prices.lng
    if lng is None:
        lng_override = scenario.fuels.prices.get("lng")
        lng = lng_override.value if lng_override is not None else data.fuel_price_usd_per_mmbtu("lng", scenario.year)
    return float(henry_hub), float(lng)


def _anchor_parameters(gas: GasData, technology: str) -> tuple[float, float, float, float]:
    """Return (efficiency, VOM USD/MWh_e, capex USD/kW, FOM % per year) of an anchor technology."""
    heat_rate = gas.parameter(f"anchor_{technology}_heat_rate_mmbtu_per_mwh")
    return (
        1.0 / (heat_rate * MWH_PER_MMBTU),
        gas.parameter(f"anchor_{technology}_vom_usd_per_mwh"),
        gas.parameter(f"anchor_{technology}_capex_usd_per_kw"),
        gas.parameter("anchor_fom_pct_per_year"),
    )


def add_gas_layer(n: pypsa.Network, scenario: Scenario, data: InputData, hub_of: dict[str, str]) -> dict[str, Any]:
    """Add the route, supply and anchor plant of ``scenario.gas`` to an electric network.

    Parameters
    ----------
    n
        Electric network from :func:`simulator.network.electric.build_network`.
    scenario, data
        The scenario and the electric input data.
    hub_of
        National hub bus of each country (MX, GT, ...).

    Returns
    -------
    dict
        What the KPIs need: route, segments with capacity (MW, MMcfd), the anchor link,
        and the pipeline's annual cost (MUSD) and break-even utilisation.
    """
    config = scenario.gas
    if config.route == "none":
        return {}
    gas = load_gas_data(data.root)
    henry_hub, lng = gas_prices(scenario, data)
    hhv = gas.parameter("gas_hhv_mmbtu_per_mcf")
    n.add(
        "Carrier",
        ["natural gas", "gas pipeline"],
        color=["#C8A02A", "#8C6D31"],
        nice_name=["Natural gas", "Gas pipeline"],
    )
    years = span_years(n)
    info: dict[str, Any] = {
        "route": config.route,
        "henry_hub_usd_per_mmbtu": henry_hub,
        "lng_usd_per_mmbtu": lng,
        "hhv_mmbtu_per_mcf": hhv,
        "segments": {},
    }

    if config.route == "lng":
        terminal = gas.node_of_kind("lng_terminal")
        anchor_node = terminal
        _add_gas_buses(n, gas, [terminal])
        _add_gas_supply(n, "LNG supply", terminal, lng, "GT", "lng_supply")
        info["commodity_usd_per_mmbtu"] = lng
    else:
        segments = gas.segment_table.loc[gas.route_segments(config.route)]
        segments = resize_segments(gas, segments, config.pipeline.diameter_in, config.pipeline.capacity_mmcfd)
        nodes = [segments.from_node.iloc[0], *segments.to_node]
        _add_gas_buses(n, gas, nodes)
        commodity = mexican_gas_price_usd_per_mmbtu(gas, henry_hub)
        _add_gas_supply(n, "MX gas supply", nodes[0], commodity, "MX", "mx_gas_supply")
        compression = gas.parameter("compression_mwh_per_mwh_per_1000km")
        for name, seg in segments.iterrows():
            country = "MX" if seg.length_mx_km >= seg.length_gt_km else "GT"
            n.add(
                "Link",
                f"pipeline {name}",
                bus0=f"{seg.from_node} gas",
                bus1=f"{seg.to_node} gas",
                bus2=hub_of[country],
                efficiency=1.0,
                efficiency2=-compression * seg.length_km / 1000.0,
                p_nom=seg.capacity_mw,
                carrier="gas pipeline",
                length=seg.length_km,
                route_wkt=gas.geometries[str(name)].wkt,
                country=country,
                technology="pipeline",
            )
            info["segments"][str(name)] = {
                "capacity_mw": float(seg.capacity_mw),
                "capacity_mmcfd": float(seg.capacity_mmcfd),
            }
        annual = float(segments.annual_cost_musd.sum())
        capacity_mmcfd = float(segments.capacity_mmcfd.min())
        info.update(
            commodity_usd_per_mmbtu=commodity,
            annual_cost_musd=annual,
            capacity_mmcfd=capacity_mmcfd,
            # LNG minus pipeline gas is what a pipeline molecule may cost in transport and still win
            break_even_utilisation=break_even_utilisation(annual, capacity_mmcfd, lng - commodity, hhv),
        )
        anchor_node = config.anchor.site or gas.node_of_kind("anchor_site")
        if anchor_node not in nodes:
            anchor_node = nodes[-1]

    anchor = config.anchor
    if anchor.capacity_mw > 0 or anchor.extendable:
        efficiency, vom, capex_usd_per_kw, fom_pct = _anchor_parameters(gas, anchor.technology)
        country = str(gas.nodes.set_index("node").country[anchor_node])
        crf = capital_recovery_factor(gas.parameter("discount_rate_pct"), gas.parameter("lifetime_years"))
        # annualised capex + FOM per MW of gas input (PyPSA Link p_nom is on bus0), for the span
        capital_cost = capex_usd_per_kw * 1000.0 * (crf + fom_pct / 100.0) * efficiency * years
        n.add(
            "Link",
            "anchor plant",
            bus0=f"{anchor_node} gas",
            bus1=hub_of[country],
            carrier="gas",
            efficiency=efficiency,
            marginal_cost=vom * efficiency,
            p_nom=anchor.capacity_mw / efficiency,
            p_nom_extendable=anchor.extendable,
            p_nom_min=anchor.capacity_min_mw / efficiency,
            p_nom_max=anchor.capacity_max_mw / efficiency,
            capital_cost=capital_cost if anchor.extendable else 0.0,
            country=country,
            technology=f"anchor_{anchor.technology}",
            co2_t_per_mwh=data.fuel_property("lng", "co2_kg_per_mmbtu") / 1000.0 / MWH_PER_MMBTU,
        )
        info["anchor"] = {"country": country, "technology": anchor.technology, "efficiency": efficiency}
    return info


def _add_gas_supply(
    n: pypsa.Network, name: str, node: str, price_usd_per_mmbtu: float, country: str, technology: str
) -> None:
    """Add an unconstrained gas supply at a node, priced in USD/MMBtu (converted to USD/MWh of gas)."""
    n.add(
        "Generator",
        name,
        bus=f"{node} gas",
        carrier="natural gas",
        p_nom=SUPPLY_HEADROOM_MW,
        marginal_cost=price_usd_per_mmbtu / MWH_PER_MMBTU,
        country=country,
        technology=technology,
    )


def _add_gas_buses(n: pypsa.Network, gas: GasData, nodes: list[str]) -> None:
    table = gas.nodes.set_index("node").loc[nodes]
    n.add(
        "Bus",
        [f"{node} gas" for node in nodes],
        carrier="natural gas",
        x=table.lon.to_numpy(float),
        y=table.lat.to_numpy(float),
        country=table.country.to_numpy(),
        kind="gas",
        national_hub=False,
        unit="MW",
    )
