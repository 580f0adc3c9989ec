"""The electric layer: buses, lines, loads, fleet, hydro storage and Mexico's southern system.

``build_network(scenario, data)`` depends only on its two inputs and the files under
``data.root`` (the hourly profile tables in ``profiles/`` and, with a gas route, the gas
tables in ``gas/``, both read through their loaders); it solves nothing. Country-level fleet and load are attached to each country's
*national hub* bus (``grids/electric/buses.csv``): the national systems are dispatched as
copper plates and the SIEPAC substations carry the regional flows between them.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
import pypsa

from simulator import COUNTRIES
from simulator.data import (
    COMMISSIONING_TABLE,
    TECHNOLOGY_CARRIER,
    TECHNOLOGY_FUEL,
    InputData,
    read_commissioning,
    read_technology_fuels,
)
from simulator.errors import DataError
from simulator.network.carriers import CARRIER_COLORS, CARRIER_NICE_NAMES
from simulator.network.commissioning import online_capacity_mw
from simulator.network.gas import add_gas_layer
from simulator.network.meta import BorderLimit, Hurdle, MarketRule, NetworkMeta, in_window, store_meta
from simulator.profiles import (
    harvest_mask,
    hydro_inflow_shape,
    load_profile_mw,
    solar_pu,
    wind_pu,
    year_index,
)
from simulator.scenario import Scenario
from simulator.scenario.data_checks import check_scenario_data
from simulator.units import MWH_PER_MMBTU

pypsa.options.api.legacy_string_dtype = True

THERMAL = ("oil_hfo", "oil_diesel", "coal", "gas")
MEXICO = "MX"


def _countries(cell: str) -> set[str]:
    return {c.strip() for c in str(cell).split(";") if c.strip()}


def _mexico_link_override(scenario: Scenario, src: set[str], dst: set[str], row: Any) -> float | None:
    """Return the scenario's limit (MW) for a Mexico-link row of border_limits.csv, if set."""
    link = scenario.grid.mexico_link
    if src == {MEXICO}:
        covers_noon = bool(in_window(np.array([12]), int(row.hour_start), int(row.hour_end))[0])
        return link.mx_to_gt_day_mw if covers_noon else link.mx_to_gt_night_mw
    if dst == {MEXICO}:
        return link.gt_to_mx_mw
    return None


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
        override = _mexico_link_override(scenario, src, dst, row)
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


MUST_TAKE_LIMIT = "MX_contract_must_take"


def must_take_mw(data: InputData, scenario: Scenario) -> float:
    """Return the Mexican contract energy delivered across the link in every hour (MW): the
    must-take contract's capacity times its load factor; 0 when price-taking or without Mexico."""
    if scenario.market.mexico_trade == "none" or scenario.market.mexico_contract != "must_take":
        return 0.0
    year = scenario.year
    return data.mexico_value(year, "contract_must_take_mw") * data.mexico_value(year, "contract_must_take_load_factor")


def mexico_must_take_rows(data: InputData, scenario: Scenario) -> list[tuple[str, set[str], set[str], float, int, int]]:
    """The must-take contract as a border limit: flow from Guatemala to Mexico at most minus the
    contract's hourly delivery, i.e. at least that much from Mexico to Guatemala in every hour.

    A lower bound on the flow (not a minimum output of a Mexican generator) so that the energy
    reaches Guatemala, as the contract says, instead of being sold back to Mexico's spot buyer.
    """
    delivered = must_take_mw(data, scenario)
    return [(MUST_TAKE_LIMIT, {"GT"}, {MEXICO}, -delivered, 0, 23)] if delivered > 0 else []


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


def scenario_capacity_mw(data: InputData, scenario: Scenario, country: str, technology: str) -> float:
    """Return installed capacity (MW) after the scenario's fleet changes, applied in order."""
    capacity = data.capacity_mw(country, technology, scenario.year)
    for change in scenario.fleet:
        if change.country != country or change.technology != technology:
            continue
        if change.action == "add":
            capacity += float(change.capacity_mw or 0.0)
        elif change.action == "remove":
            capacity = 0.0
        else:
            capacity *= float(change.factor if change.factor is not None else 1.0)
    return capacity


def fuel_price_usd_per_mmbtu(data: InputData, scenario: Scenario, fuel: str, country: str) -> float:
    """Return a fuel price (USD/MMBtu): the scenario's (per country, then regional) or the year's data."""
    override = scenario.fuels.prices.get(fuel)  # type: ignore[call-overload]
    if override is None:
        return data.fuel_price_usd_per_mmbtu(fuel, scenario.year)
    price = override.by_country.get(country, override)  # type: ignore[call-overload]
    if price.unit == "usd_per_mmbtu":
        return price.value
    return price.value / data.fuel_property(fuel, "heat_content")


def _thermal_marginal_cost(
    data: InputData, scenario: Scenario, technology: str, country: str, fuel: str | None = None
) -> tuple[float, float, float]:
    """Return (marginal cost USD/MWh, efficiency, CO2 t/MWh_e) of a thermal technology burning
    ``fuel`` (default the technology's usual fuel, :data:`TECHNOLOGY_FUEL`)."""
    fuel = fuel or TECHNOLOGY_FUEL[technology]
    heat_rate = data.parameter(technology, country, "heat_rate_hhv")  # MMBtu/MWh_e
    price = fuel_price_usd_per_mmbtu(data, scenario, fuel, country)
    vom = data.parameter(technology, country, "vom_usd_per_mwh", default=0.0)
    co2 = data.fuel_property(fuel, "co2_kg_per_mmbtu") * heat_rate / 1000.0
    efficiency = 1.0 / (heat_rate * MWH_PER_MMBTU)
    return price * heat_rate + vom, efficiency, co2


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


def _add_fleet(n: pypsa.Network, data: InputData, scenario: Scenario, snapshots: pd.DatetimeIndex) -> None:
    """Add one aggregated generator per country and technology (hydro reservoirs are storage)."""
    year, weather = scenario.year, scenario.weather_year
    full = year_index(year)
    plants = read_commissioning(data)
    fuels = read_technology_fuels(data)
    rows: list[dict[str, object]] = []
    p_max: dict[str, pd.Series] = {}
    p_min: dict[str, pd.Series] = {}
    for country in COUNTRIES:
        bus = data.hub(country)
        for technology, carrier in TECHNOLOGY_CARRIER.items():
            if technology == "hydro_reservoir":
                continue
            online = online_capacity_mw(
                data.capacity_mw(country, technology, year),
                plants[(plants.country == country) & (plants.technology == technology)],
                [c for c in scenario.fleet if c.country == country and c.technology == technology],
                full,
                str(data.root / COMMISSIONING_TABLE),
            )
            capacity = float(online.max())
            if capacity <= 0:
                continue
            name = f"{country} {technology}"
            row: dict[str, object] = {
                "name": name,
                "bus": bus,
                "carrier": carrier,
                "p_nom": capacity,
                "country": country,
                "technology": technology,
                "marginal_cost": data.parameter(technology, country, "vom_usd_per_mwh", default=0.0),
                "efficiency": 1.0,
                "co2_t_per_mwh": 0.0,
            }
            if technology in THERMAL:
                fuel = fuels.get((technology, country), TECHNOLOGY_FUEL[technology])
                cost, efficiency, co2 = _thermal_marginal_cost(data, scenario, technology, country, fuel)
                row.update(marginal_cost=cost, efficiency=efficiency, co2_t_per_mwh=co2)
                availability = data.parameter(technology, country, "availability_pu", default=1.0)
                p_max[name] = pd.Series(availability, index=full)
                p_min[name] = pd.Series(
                    min(data.parameter(technology, country, "p_min_pu", default=0.0), availability), index=full
                )
            elif technology == "solar":
                p_max[name] = solar_pu(data, country, weather, year)
            elif technology == "wind":
                p_max[name] = wind_pu(data, country, weather, year)
            elif technology == "geothermal":
                cf = _annual_cf(data, country, "geothermal", technology, weather, year)
                p_max[name] = pd.Series(cf, index=full)
                p_min[name] = pd.Series(cf * data.parameter(technology, country, "p_min_pu", default=0.0), index=full)
            elif technology == "hydro_ror":
                p_max[name] = _ror_pu(data, country, weather, year)
            elif technology == "bagasse":
                available, must_run = _bagasse_pu(data, country, weather, year)
                p_max[name], p_min[name] = available, must_run
            rows.append(row)
            # before commissioning (or after retirement) part of the capacity is not there:
            # availability and must-run scale with the share in service
            share = online / capacity
            p_max[name] = p_max.get(name, pd.Series(1.0, index=full)) * share
            if name in p_min:
                p_min[name] = p_min[name] * share
    fleet = pd.DataFrame(rows).set_index("name")
    n.add(
        "Generator",
        fleet.index,
        bus=fleet.bus,
        carrier=fleet.carrier,
        p_nom=fleet.p_nom,
        marginal_cost=fleet.marginal_cost,
        efficiency=fleet.efficiency,
        p_max_pu=pd.DataFrame(p_max).loc[snapshots],
        p_min_pu=pd.DataFrame(p_min).reindex(columns=fleet.index, fill_value=0.0).loc[snapshots],
        country=fleet.country,
        technology=fleet.technology,
        co2_t_per_mwh=fleet.co2_t_per_mwh,
    )


MILL_BLOCKS = "off_harvest_capacity_mw"
"""Parameter (``fleet/parameters.csv``, technology ``coal``): MW of coal-capable sugar-mill
blocks that burn bagasse in the harvest (inside the country's bagasse capacity) and coal or
petcoke outside it."""


def mill_block_pu(data: InputData, country: str, index: pd.DatetimeIndex) -> pd.Series:
    """Availability (per unit) of a country's coal-capable sugar-mill blocks on coal: zero in the
    harvest (they burn bagasse, counted in the bagasse capacity), the coal availability outside it."""
    availability = data.parameter("coal", country, "availability_pu", default=1.0)
    return pd.Series(np.where(harvest_mask(data, country, index), 0.0, availability), index=index)


def _add_mill_blocks(n: pypsa.Network, data: InputData, scenario: Scenario, snapshots: pd.DatetimeIndex) -> None:
    """Add the coal-capable sugar-mill blocks as a coal generator available outside the harvest
    (with ``fuels.sugar_mill_coal_blocks``).

    The same boilers are part of the bagasse capacity in the harvest, so no MW is counted twice
    in any hour. They burn the country's coal-fleet fuel at its heat rate; a scenario's
    ``remove`` or ``scale`` of the country's coal applies to them too.
    """
    if not scenario.fuels.sugar_mill_coal_blocks:
        return
    fuels = read_technology_fuels(data)
    full = year_index(scenario.year)
    for country in COUNTRIES:
        capacity = data.parameter("coal", country, MILL_BLOCKS, default=0.0)
        for change in scenario.fleet:
            if change.country == country and change.technology == "coal":
                if change.action == "remove":
                    capacity = 0.0
                elif change.action == "scale":
                    capacity *= float(change.factor if change.factor is not None else 1.0)
        if capacity <= 0:
            continue
        fuel = fuels.get(("coal", country), TECHNOLOGY_FUEL["coal"])
        cost, efficiency, co2 = _thermal_marginal_cost(data, scenario, "coal", country, fuel)
        name = f"{country} coal mill blocks"
        n.add(
            "Generator",
            name,
            bus=data.hub(country),
            carrier="coal",
            p_nom=capacity,
            marginal_cost=cost,
            efficiency=efficiency,
            p_max_pu=mill_block_pu(data, country, full).loc[snapshots],
            country=country,
            technology="coal",
            co2_t_per_mwh=co2,
        )


def _annual_cf(data: InputData, country: str, carrier: str, technology: str, weather: int, year: int) -> float:
    capacity = data.capacity_mw(country, technology, year)
    hours = len(year_index(year))
    energy = data.resource_energy_gwh(country, weather, carrier) * 1e3
    return float(min(energy / (capacity * hours), 0.98)) if capacity > 0 else 0.0


def _hydro_split(data: InputData, country: str, year: int) -> tuple[float, float]:
    """Return the reservoir and run-of-river shares of a country's hydro capacity."""
    reservoir = data.capacity_mw(country, "hydro_reservoir", year)
    ror = data.capacity_mw(country, "hydro_ror", year)
    total = reservoir + ror
    return (reservoir / total, ror / total) if total > 0 else (0.0, 0.0)


def _hydro_inflow_mw(data: InputData, country: str, weather: int, year: int) -> pd.Series:
    """Hourly inflow (MW of electricity) of all of a country's hydro: the weather year's
    observed hydro energy spread over the seasonal inflow shape."""
    energy = data.resource_energy_gwh(country, weather, "hydro") * 1e3
    shape = hydro_inflow_shape(data, country, weather, year)
    return shape * energy / len(shape)


def _ror_pu(data: InputData, country: str, weather: int, year: int) -> pd.Series:
    _, ror_share = _hydro_split(data, country, year)
    capacity = data.capacity_mw(country, "hydro_ror", year)
    inflow = _hydro_inflow_mw(data, country, weather, year) * ror_share
    return (inflow / capacity).clip(upper=1.0)  # water above the turbine capacity is spilled


def _bagasse_pu(data: InputData, country: str, weather: int, year: int) -> tuple[pd.Series, pd.Series]:
    """Availability and must-run of bagasse cogeneration: on during the harvest only, at the
    level that delivers the weather year's biomass energy, with a must-run share."""
    index = year_index(year)
    harvest = harvest_mask(data, country, index)
    capacity = data.capacity_mw(country, "bagasse", year)
    energy = data.resource_energy_gwh(country, weather, "biomass") * 1e3
    level = min(energy / (capacity * harvest.sum()), 1.0) if capacity > 0 and harvest.any() else 0.0
    available = pd.Series(np.where(harvest, level, 0.0), index=index)
    must_run = available * data.parameter("bagasse", country, "p_min_pu", default=0.0)
    return available, must_run


def rule_curve_pu(data: InputData, country: str, when: pd.Timestamp) -> float:
    """Return the seasonal reservoir level (share of capacity) on a given date.

    Lowest at the end of the dry season (31 May), highest at the end of the wet season
    (30 November), a half-cosine in between; levels from ``fleet/parameters.csv``.
    """
    low = data.parameter("hydro_reservoir", country, "rule_curve_low_pu")
    high = data.parameter("hydro_reservoir", country, "rule_curve_high_pu")
    year = when.year
    anchors = [
        (pd.Timestamp(year - 1, 11, 30), high),
        (pd.Timestamp(year, 5, 31), low),
        (pd.Timestamp(year, 11, 30), high),
        (pd.Timestamp(year + 1, 5, 31), low),
    ]
    for (t0, v0), (t1, v1) in itertools.pairwise(anchors):
        if t0 <= when <= t1:
            phase = (when - t0) / (t1 - t0)
            return float(v0 + (v1 - v0) * (1 - np.cos(np.pi * phase)) / 2)
    msg = f"date {when} outside the rule curve"
    raise ValueError(msg)


def _add_hydro_reservoirs(n: pypsa.Network, data: InputData, scenario: Scenario, snapshots: pd.DatetimeIndex) -> None:
    """Reservoir hydro as StorageUnits: natural inflow, spill, no pumping.

    A full-year run has a cyclic level (the optimiser chooses it). A shorter run starts and
    ends on the seasonal rule curve (:func:`rule_curve_pu`), so that it neither finds
    water from nowhere nor hoards it.
    """
    year, weather = scenario.year, scenario.weather_year
    whole_year = len(snapshots) == len(year_index(year))
    rows, inflows = [], {}
    for country in COUNTRIES:
        base = data.capacity_mw(country, "hydro_reservoir", year)
        capacity = scenario_capacity_mw(data, scenario, country, "hydro_reservoir")
        if capacity <= 0 or base <= 0:
            continue
        share, _ = _hydro_split(data, country, year)
        name = f"{country} hydro_reservoir"
        # a scenario's extra reservoir capacity brings its own river and storage, in proportion
        energy_mwh = data.parameter("hydro_reservoir", country, "reservoir_energy_gwh") * 1e3 * capacity / base
        start_level = rule_curve_pu(data, country, snapshots[0])
        end_level = rule_curve_pu(data, country, snapshots[-1] + pd.Timedelta(hours=1))
        rows.append(
            {
                "name": name,
                "bus": data.hub(country),
                "p_nom": capacity,
                "max_hours": energy_mwh / capacity,
                "country": country,
                "soc_initial": start_level * energy_mwh,
                "soc_final": end_level * energy_mwh,
            }
        )
        inflows[name] = _hydro_inflow_mw(data, country, weather, year) * share * capacity / base
    table = pd.DataFrame(rows).set_index("name")
    final_level = pd.DataFrame(np.nan, index=snapshots, columns=table.index)
    if not whole_year:
        final_level.iloc[-1] = table.soc_final
    n.add(
        "StorageUnit",
        table.index,
        bus=table.bus,
        carrier="hydro",
        p_nom=table.p_nom,
        max_hours=table.max_hours,
        p_min_pu=0.0,
        efficiency_dispatch=1.0,
        cyclic_state_of_charge=whole_year,
        state_of_charge_initial=0.0 if whole_year else table.soc_initial,
        state_of_charge_set=final_level,
        inflow=pd.DataFrame(inflows).loc[snapshots],
        marginal_cost=[data.parameter("hydro_reservoir", c, "vom_usd_per_mwh", default=0.0) for c in table.country],
        country=table.country,
        technology="hydro_reservoir",
    )


def _mexico_price(data: InputData, year: int, index: pd.DatetimeIndex) -> pd.Series:
    """Hourly Mexican spot price at Tapachula (USD/MWh): the annual mean with an evening
    premium (18-21 h) and a dry-season premium (March-May), normalised to keep the mean."""
    mean = data.mexico_value(year, "spot_price_usd_per_mwh")
    evening = data.mexico_value(year, "price_evening_premium_pct") / 100.0
    dry = data.mexico_value(year, "price_dry_season_premium_pct") / 100.0
    shape = (1.0 + evening * np.isin(index.hour, [18, 19, 20, 21])) * (1.0 + dry * np.isin(index.month, [3, 4, 5]))
    return pd.Series(mean * shape / shape.mean(), index=index)


BID_MARGIN_USD_PER_MWH = 0.01
"""How far the Mexican spot buyer's bid stays below the cheapest Mexican offer (USD/MWh)."""


def _add_mexico(n: pypsa.Network, data: InputData, scenario: Scenario, snapshots: pd.DatetimeIndex) -> None:
    """Mexico's southern system as seen from Guatemala: contract block, spot supply and a
    spot buyer for Guatemalan exports, all at the Mexican system bus."""
    year = scenario.year
    bus = data.hub(MEXICO)
    spot = _mexico_price(data, year, year_index(year)).loc[snapshots]
    export_mw = data.mexico_value(year, "export_capacity_mw")
    contract_mw = data.mexico_value(year, "contract_capacity_mw")
    discount = data.mexico_value(year, "import_bid_usd_per_mwh_discount")
    price = data.mexico_value(year, "contract_price_usd_per_mwh")
    # the spot buyer stands for Mexico buying Guatemalan energy: its bid stays below every
    # Mexican offer at the same bus, so that the model never "sells" Mexican supply back to
    # Mexico (a round trip with no physical meaning, e.g. contract energy bought at the
    # contract price by an evening bid above it)
    bid = np.minimum(spot - discount, np.minimum(spot, price) - BID_MARGIN_USD_PER_MWH)
    n.add(
        "Generator",
        ["MX contracts", "MX spot supply", "MX spot demand"],
        bus=bus,
        carrier="mexico",
        p_nom=[contract_mw, max(export_mw - contract_mw, 0.0), export_mw],
        p_max_pu=pd.DataFrame({"MX contracts": 1.0, "MX spot supply": 1.0, "MX spot demand": 0.0}, index=snapshots),
        p_min_pu=pd.DataFrame({"MX contracts": 0.0, "MX spot supply": 0.0, "MX spot demand": -1.0}, index=snapshots),
        marginal_cost=pd.DataFrame(
            {"MX contracts": price, "MX spot supply": spot, "MX spot demand": bid}, index=snapshots
        ),
        country=MEXICO,
        technology=["mx_contract", "mx_spot_supply", "mx_spot_demand"],
    )
    delivered = must_take_mw(data, scenario)
    if delivered > 0:
        # the must-take contract runs at its load factor (its energy is sent to Guatemala by the
        # border limit of mexico_must_take_rows); the other contracts stay price-taking
        must_take = data.mexico_value(year, "contract_must_take_mw")
        n.generators.loc["MX contracts", "p_nom"] = max(contract_mw - must_take, 0.0)
        n.add(
            "Generator",
            "MX contract must-take",
            bus=bus,
            carrier="mexico",
            p_nom=must_take,
            p_min_pu=delivered / must_take,
            marginal_cost=price,
            country=MEXICO,
            technology="mx_contract_must_take",
        )


def market_lines(lines: pd.DataFrame, scenario: Scenario) -> MarketRule:
    """Describe what the market rule needs: the regime and the signed lines of Guatemala's
    Mexican imports and of its SIEPAC exports (+1 when a positive flow leaves towards them)."""
    c0, c1 = lines.bus0_country, lines.bus1_country
    mx_import = {
        str(k): (1.0 if c0[k] == MEXICO else -1.0)
        for k in lines.index[((c0 == MEXICO) & (c1 == "GT")) | ((c1 == MEXICO) & (c0 == "GT"))]
    }
    siepac = ((c0 == "GT") & c1.isin(["SV", "HN"])) | ((c1 == "GT") & c0.isin(["SV", "HN"]))
    gt_export = {str(k): (1.0 if c0[k] == "GT" else -1.0) for k in lines.index[siepac]}
    # the solver applies the hourly rule only to "guatemala_only"; under the merit-order rule
    # Mexican imports are dispatched like any Guatemalan offer (no hourly exclusivity)
    trade: str = scenario.market.mexico_trade
    if trade == "guatemala_only" and scenario.market.mexico_rule == "merit_order":
        trade = "guatemala_only_merit_order"
    return MarketRule(
        mexico_trade=trade,
        mexico_import_lines=mx_import,
        guatemala_export_lines=gt_export,
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
    loads = pd.DataFrame(
        {c: load_profile_mw(data, c, scenario.year) * growth.get(c, 1.0) for c in COUNTRIES}  # type: ignore[call-overload]
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
    _add_fleet(n, data, scenario, snapshots)
    _add_mill_blocks(n, data, scenario, snapshots)
    _add_hydro_reservoirs(n, data, scenario, snapshots)
    if mexico_on:
        _add_mexico(n, data, scenario, snapshots)

    hub_of = {c: data.hub(c) for c in (*COUNTRIES, MEXICO) if mexico_on or c != MEXICO}
    gas_info = add_gas_layer(n, scenario, data, hub_of)
    limits = border_limits(data, lines, scenario)
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
        ),
    )
    hours = scenario.solve.resolution_hours
    if hours > 1:
        resampled = n.cluster.temporal.resample(f"{hours}h")
        resampled.meta = n.meta
        return resampled
    return n
