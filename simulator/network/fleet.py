"""The generating fleet: one aggregated generator per country and technology.

Thermal plants are priced by fuel and heat rate; weather-driven plants follow the weather
year's profiles scaled to the study year's capacity; plants commissioned or retired inside
the year are available only while in service (:mod:`simulator.network.commissioning`).
Reservoir hydro is storage (:mod:`simulator.network.hydro`).
"""

from __future__ import annotations

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
from simulator.network.commissioning import online_capacity_mw
from simulator.network.hydro import ror_pu
from simulator.profiles import harvest_mask, solar_pu, wind_pu, year_index
from simulator.scenario import Scenario
from simulator.units import MWH_PER_MMBTU

OUTLOOK_COMMISSIONING = "outlook/commissioning.csv"
THERMAL = ("oil_hfo", "oil_diesel", "coal", "gas")


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


def add_fleet(
    n: pypsa.Network,
    data: InputData,
    scenario: Scenario,
    snapshots: pd.DatetimeIndex,
    dated: pd.DataFrame | None = None,
) -> None:
    """Add one aggregated generator per country and technology (hydro reservoirs are storage).

    Parameters
    ----------
    dated
        Plants commissioned or retired inside an outlook study year
        (:attr:`simulator.outlook.StudyYear.fleet_changes`): with the plants of
        ``fleet/commissioning.csv`` they are unavailable before commissioning and after retirement.
    """
    year, weather = scenario.year, scenario.weather_year
    full = year_index(year)
    plants = read_commissioning(data)
    where = str(data.root / COMMISSIONING_TABLE)
    if dated is not None and len(dated):
        plants = pd.concat([plants, dated[plants.columns]], ignore_index=True) if len(plants) else dated
        where += f" and {data.root / OUTLOOK_COMMISSIONING}"
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
                where,
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
                p_max[name] = ror_pu(data, country, weather, year)
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


def add_mill_blocks(n: pypsa.Network, data: InputData, scenario: Scenario, snapshots: pd.DatetimeIndex) -> None:
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
