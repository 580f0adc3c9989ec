"""The electric layer: buses, lines, loads, fleet, hydro storage and Mexico's southern system.

``build_network(scenario, data)`` depends only on its two inputs and the files under
``data.root`` (the hourly profile tables in ``profiles/`` and, with a gas route, the gas
tables in ``gas/``, both read through their loaders); it solves nothing.
Country-level fleet and load are attached to each country's
*national hub* bus (``grids/electric/buses.csv``): the national systems are dispatched as
copper plates and the SIEPAC substations carry the regional flows between them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa

from simulator import COUNTRIES
from simulator.data import InputData
from simulator.errors import DataError
from simulator.network.carriers import CARRIER_COLORS, CARRIER_NICE_NAMES
from simulator.network.colombia import COLOMBIA, add_colombia
from simulator.network.commissioning import scenario_capacity_mw
from simulator.network.expansion import add_candidates, reserve_rows
from simulator.network.fleet import THERMAL, add_fleet, add_mill_blocks, fuel_price_usd_per_mmbtu, mill_block_pu
from simulator.network.gas import add_gas_layer
from simulator.network.hydro import add_hydro_reservoirs, rule_curve_pu
from simulator.network.meta import BorderLimit, Hurdle, NetworkMeta, ReserveRow, store_meta
from simulator.network.mexico import (
    MEXICO,
    MUST_TAKE_LIMIT,
    add_mexico,
    market_lines,
    mexico_link_override,
    mexico_must_take_rows,
    must_take_mw,
)
from simulator.outlook import year_inputs
from simulator.profiles import load_profile_mw, year_index
from simulator.scenario import Scenario
from simulator.scenario.data_checks import check_scenario_data
from simulator.units import MWH_PER_MMBTU

pypsa.options.api.legacy_string_dtype = True

__all__ = [
    "COLOMBIA",
    "MEXICO",
    "MUST_TAKE_LIMIT",
    "THERMAL",
    "BorderLimit",
    "border_limits",
    "build_network",
    "fuel_price_usd_per_mmbtu",
    "market_lines",
    "mill_block_pu",
    "must_take_mw",
    "rule_curve_pu",
    "scenario_capacity_mw",
]


def _countries(cell: str) -> set[str]:
    return {c.strip() for c in str(cell).split(";") if c.strip()}


def border_limits(data: InputData, lines: pd.DataFrame, scenario: Scenario) -> list[BorderLimit]:
    """Translate ``border_limits.csv`` and the scenario's overrides into line coefficients.

    A line crosses from set A to set B when one end is in A and the other in B; its
    coefficient is +1 when its bus0 is in A (a positive flow goes from A to B) and -1
    otherwise. ``grid.border_limits_mw`` overrides limits by id, ``grid.mexico_link`` the
    Mexico link's; with ``market.guatemala_in_mer: false`` both directions of Guatemala's
    SIEPAC borders are limited to 0 MW.
    """
    country = lines[["bus0_country", "bus1_country"]]
    mexico_on = scenario.market.mexico_trade != "none"
    rows: list[tuple[str, set[str], set[str], float, int, int]] = []
    for row in data.border_limits.itertuples():
        src, dst = _countries(row.from_countries), _countries(row.to_countries)
        if not mexico_on and MEXICO in src | dst:
            continue
        limit = float(row.limit_mw)
        limit = scenario.grid.border_limits_mw.get(str(row.limit_id), limit)
        override = mexico_link_override(scenario, src, dst, row)
        limit = limit if override is None else override
        rows.append((str(row.limit_id), src, dst, limit, int(row.hour_start), int(row.hour_end)))
    if not scenario.market.guatemala_in_mer:
        neighbours = {"SV", "HN"}
        rows += [
            ("GT_outside_MER_export", {"GT"}, neighbours, 0.0, 0, 23),
            ("GT_outside_MER_import", neighbours, {"GT"}, 0.0, 0, 23),
        ]
    out = []
    if not scenario.grid.border_limits:
        rows = []
    rows += mexico_must_take_rows(data, scenario)
    for limit_id, src, dst, limit, hour_start, hour_end in rows:
        coefficients = {}
        for name, (c0, c1) in country.iterrows():
            if c0 in src and c1 in dst:
                coefficients[str(name)] = 1.0
            elif c0 in dst and c1 in src:
                coefficients[str(name)] = -1.0
        if not coefficients:
            msg = f"{data.root / 'electric/border_limits.csv'}: limit {limit_id} from {';'.join(sorted(src))} to {';'.join(sorted(dst))} matches no line"
            raise DataError(msg)
        out.append(BorderLimit(limit_id, coefficients, limit, hour_start, hour_end))
    return out


def _line_table(data: InputData, scenario: Scenario) -> pd.DataFrame:
    """Return the Line attributes (ohms, MVA) after the scenario's grid changes."""
    new = pd.DataFrame(
        [
            {
                "line": n.name,
                "bus0": n.bus0,
                "bus1": n.bus1,
                "kind": "new",
                "line_type": n.line_type,
                "length_km": n.length_km,
                "circuits_strung": n.circuits,
                "circuits_towers": n.circuits,
            }
            for n in scenario.grid.new_interconnections
        ],
        columns=["line", "bus0", "bus1", "kind", "line_type", "length_km", "circuits_strung", "circuits_towers"],
    )
    base = data.lines[new.columns]
    lines = (base if new.empty else pd.concat([base, new], ignore_index=True)).merge(
        data.line_types[["line_type", "x_ohm_per_km", "r_ohm_per_km", "s_nom_mva_per_circuit"]], on="line_type"
    )
    bus_country = data.buses.set_index("bus").country
    lines["bus0_country"] = lines.bus0.map(bus_country)
    lines["bus1_country"] = lines.bus1.map(bus_country)
    if scenario.market.mexico_trade == "none":
        lines = lines[(lines.bus0_country != MEXICO) & (lines.bus1_country != MEXICO)]
    second = (lines.kind == "siepac") & (
        scenario.grid.second_circuit | lines.line.isin(scenario.grid.second_circuit_segments)
    )
    circuits = np.where(second, lines.circuits_towers, lines.circuits_strung).astype(float)
    lines = lines.assign(
        circuits=circuits,
        x=lines.x_ohm_per_km * lines.length_km / circuits,
        r=lines.r_ohm_per_km * lines.length_km / circuits,
        s_nom=lines.s_nom_mva_per_circuit * circuits,
    )
    # A larger Mexico link needs a larger line: its rating follows the largest limit asked for.
    link = scenario.grid.mexico_link
    asked = [v for v in (link.mx_to_gt_day_mw, link.mx_to_gt_night_mw, link.gt_to_mx_mw) if v is not None]
    crossing_mx = ((lines.bus0_country == MEXICO) | (lines.bus1_country == MEXICO)) & (
        lines.bus0_country != lines.bus1_country
    )
    if asked:
        lines.loc[crossing_mx, "s_nom"] = np.maximum(lines.loc[crossing_mx, "s_nom"], max(asked))
    return lines.set_index("line")


def _add_carriers(n: pypsa.Network, data: InputData) -> None:
    names = list(CARRIER_COLORS)
    co2 = dict.fromkeys(names, 0.0)
    # t CO2 per MWh of fuel (thermal) for PyPSA's carrier accounting; per-unit values
    # with the exact fuel are kept in the generators' co2_t_per_mwh column.
    for carrier, fuel in (("oil", "hfo"), ("coal", "coal"), ("gas", "lng")):
        co2[carrier] = data.fuel_property(fuel, "co2_kg_per_mmbtu") / 1000.0 / MWH_PER_MMBTU
    n.add(
        "Carrier",
        names,
        color=[CARRIER_COLORS[c] for c in names],
        nice_name=[CARRIER_NICE_NAMES[c] for c in names],
        co2_emissions=[co2[c] for c in names],
    )


def build_network(scenario: Scenario, data: InputData) -> pypsa.Network:
    """Build the PyPSA network of a scenario.

    Parameters
    ----------
    scenario
        The validated scenario (year, weather year, switches, time span).
    data
        The checked input tables.

    Returns
    -------
    pypsa.Network
        Unsolved network. What PyPSA has no component for (border limits, hurdle, market
        rule, gas layer) is in its metadata (:func:`simulator.network.meta.network_meta`)
        and becomes constraints in :func:`simulator.solve.assembly.build_model`.
    """
    start, days = scenario.snapshots_span()
    full = year_index(scenario.year)
    snapshots = full[(full >= pd.Timestamp(start)) & (full < pd.Timestamp(start) + pd.Timedelta(days=days))]
    n = pypsa.Network(name=scenario.name)
    n.set_snapshots(snapshots)
    _add_carriers(n, data)

    check_scenario_data(scenario, data)
    # the study year's tables: for 2030 and 2035 demand, fleet, fuel prices, grid and Mexico
    # of grids/outlook/ and the weather year's energy scaled to the year's fleet
    study = year_inputs(data, scenario.year, scenario.weather_year)
    data = study.data
    mexico_on = scenario.market.mexico_trade != "none"
    buses = data.buses if mexico_on else data.buses[data.buses.country != MEXICO]
    n.add(
        "Bus",
        buses.bus,
        v_nom=buses.v_nom_kv.to_numpy(float),
        x=buses.lon.to_numpy(float),
        y=buses.lat.to_numpy(float),
        carrier="AC",
        country=buses.country.to_numpy(),
        kind=buses.kind.to_numpy(),
        national_hub=buses.national_hub.to_numpy(),
    )
    lines = _line_table(data, scenario)
    n.add(
        "Line",
        lines.index,
        bus0=lines.bus0,
        bus1=lines.bus1,
        x=lines.x,
        r=lines.r,
        s_nom=lines.s_nom,
        length=lines.length_km,
        carrier="AC",
        kind=lines.kind,
        circuits=lines.circuits,
    )

    growth = scenario.demand.growth
    # an observed year keeps its own load variation; an outlook year takes its weather year's
    load_weather = scenario.weather_year if study.outlook else scenario.year
    loads = pd.DataFrame(
        {
            c: load_profile_mw(data, c, scenario.year, load_weather) * growth.get(c, 1.0)  # type: ignore[call-overload]
            for c in COUNTRIES
        }
    ).loc[snapshots]
    hubs = [data.hub(c) for c in COUNTRIES]
    n.add(
        "Load",
        [f"{c} load" for c in COUNTRIES],
        bus=hubs,
        p_set=loads.set_axis([f"{c} load" for c in COUNTRIES], axis=1),
        country=list(COUNTRIES),
    )
    n.add(
        "Generator",
        [f"{c} load_shedding" for c in COUNTRIES],
        bus=hubs,
        carrier="load_shedding",
        p_nom=(loads.max() * 1.5).to_numpy(),
        marginal_cost=scenario.solve.voll_usd_per_mwh,
        country=list(COUNTRIES),
        technology="load_shedding",
    )
    add_fleet(n, data, scenario, snapshots, study.fleet_changes)
    add_mill_blocks(n, data, scenario, snapshots)
    add_hydro_reservoirs(n, data, scenario, snapshots)
    if mexico_on:
        add_mexico(n, data, scenario, snapshots)
    if scenario.grid.colombia_link_mw > 0 and study.colombia is not None:
        add_colombia(n, study.colombia, scenario, snapshots)

    hub_of = {c: data.hub(c) for c in (*COUNTRIES, MEXICO) if mexico_on or c != MEXICO}
    gas_info = add_gas_layer(n, scenario, data, hub_of)
    limits = border_limits(data, lines, scenario)
    reserve: tuple[ReserveRow, ...] = ()
    if scenario.expansion.enabled:
        added = add_candidates(n, scenario, data, gas_info)
        if scenario.expansion.reserve_margin:
            # from the hourly loads, before any resampling: the margin is on the hourly peak
            reserve = tuple(reserve_rows(n, scenario, data, lines, limits, added))
    hurdle = scenario.grid.hurdle_usd_per_mwh
    hurdle = data.trade_parameter("hurdle_usd_per_mwh") if hurdle is None else hurdle
    siepac_border = (
        (lines.bus0_country != lines.bus1_country)
        & lines.bus0_country.isin(COUNTRIES)
        & lines.bus1_country.isin(COUNTRIES)
    )
    store_meta(
        n,
        NetworkMeta(
            scenario=scenario.model_dump(mode="json"),
            hurdle=Hurdle(float(hurdle), tuple(str(k) for k in lines.index[siepac_border])),
            border_limits=tuple(limits),
            market=market_lines(lines, scenario),
            gas=gas_info,
            reserve=reserve,
        ),
    )
    hours = scenario.solve.resolution_hours
    if hours > 1:
        resampled = n.cluster.temporal.resample(f"{hours}h")
        resampled.meta = n.meta
        return resampled
    return n
