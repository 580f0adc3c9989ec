"""Hydro: reservoirs as storage units on the seasonal rule curve, run-of-river as a profile.

A country's hydro energy of the weather year (``resources/annual_energy.csv``) is spread
over the seasonal inflow shape (:func:`hydro_inflow_mw`) and split between reservoir and
run-of-river plants in proportion to their capacity (:func:`hydro_split`).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pypsa

from simulator import COUNTRIES
from simulator.data import InputData
from simulator.network.commissioning import scenario_capacity_mw
from simulator.profiles import hydro_inflow_shape, year_index
from simulator.scenario import Scenario


def hydro_split(data: InputData, country: str, year: int) -> tuple[float, float]:
    """Return the reservoir and run-of-river shares of a country's hydro capacity."""
    reservoir = data.capacity_mw(country, "hydro_reservoir", year)
    ror = data.capacity_mw(country, "hydro_ror", year)
    total = reservoir + ror
    return (reservoir / total, ror / total) if total > 0 else (0.0, 0.0)


def hydro_inflow_mw(data: InputData, country: str, weather: int, year: int) -> pd.Series:
    """Hourly inflow (MW of electricity) of all of a country's hydro: the weather year's
    observed hydro energy spread over the seasonal inflow shape."""
    energy = data.resource_energy_gwh(country, weather, "hydro") * 1e3
    shape = hydro_inflow_shape(data, country, weather, year)
    return shape * energy / len(shape)


def ror_pu(data: InputData, country: str, weather: int, year: int) -> pd.Series:
    _, ror_share = hydro_split(data, country, year)
    capacity = data.capacity_mw(country, "hydro_ror", year)
    inflow = hydro_inflow_mw(data, country, weather, year) * ror_share
    return (inflow / capacity).clip(upper=1.0)  # water above the turbine capacity is spilled


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


def reachable_end_mwh(
    start_mwh: float, target_mwh: float, inflow_mwh: float, max_dispatch_mwh: float, energy_mwh: float
) -> float:
    """Return the rule curve's end level clipped to what a span can reach from its start level.

    Over a span the level can rise at most by the span's inflow (nothing dispatched, nothing
    spilled; never above the reservoir's energy) and fall at most by the turbines' full output
    over the span (all inflow spilled; never below empty). A rule curve that rises faster than
    the inflow (early in the wet season after a dry spell, e.g. a week from 5 October) would
    otherwise ask for water the river does not bring, and the run would be infeasible.

    Parameters
    ----------
    start_mwh
        Level at the start of the span (MWh).
    target_mwh
        Rule-curve level at the end of the span (MWh).
    inflow_mwh
        Natural inflow over the span (MWh of electricity).
    max_dispatch_mwh
        Turbine capacity × hours of the span (MWh).
    energy_mwh
        Reservoir energy capacity (MWh).
    """
    highest = min(energy_mwh, start_mwh + inflow_mwh)
    lowest = max(0.0, start_mwh - max_dispatch_mwh)
    return float(min(max(target_mwh, lowest), highest))


def add_hydro_reservoirs(n: pypsa.Network, data: InputData, scenario: Scenario, snapshots: pd.DatetimeIndex) -> None:
    """Reservoir hydro as StorageUnits: natural inflow, spill, no pumping.

    A full-year run has a cyclic level (the optimiser chooses it). A shorter run starts on
    the seasonal rule curve (:func:`rule_curve_pu`) and ends on it as far as the span can
    reach it (:func:`reachable_end_mwh`), so that it neither finds water from nowhere nor
    hoards it.
    """
    year, weather = scenario.year, scenario.weather_year
    whole_year = len(snapshots) == len(year_index(year))
    rows, inflows = [], {}
    for country in COUNTRIES:
        base = data.capacity_mw(country, "hydro_reservoir", year)
        capacity = scenario_capacity_mw(data, scenario, country, "hydro_reservoir")
        if capacity <= 0 or base <= 0:
            continue
        share, _ = hydro_split(data, country, year)
        name = f"{country} hydro_reservoir"
        # a scenario's extra reservoir capacity brings its own river and storage, in proportion
        energy_mwh = data.parameter("hydro_reservoir", country, "reservoir_energy_gwh") * 1e3 * capacity / base
        start_level = rule_curve_pu(data, country, snapshots[0])
        end_level = rule_curve_pu(data, country, snapshots[-1] + pd.Timedelta(hours=1))
        inflow = hydro_inflow_mw(data, country, weather, year) * share * capacity / base
        inflows[name] = inflow
        span = inflow.loc[snapshots]
        end_mwh = reachable_end_mwh(
            start_level * energy_mwh, end_level * energy_mwh, float(span.sum()), capacity * len(span), energy_mwh
        )
        rows.append(
            {
                "name": name,
                "bus": data.hub(country),
                "p_nom": capacity,
                "max_hours": energy_mwh / capacity,
                "country": country,
                "soc_initial": start_level * energy_mwh,
                "soc_final": end_mwh,
            }
        )
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
