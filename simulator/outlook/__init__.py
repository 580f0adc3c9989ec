"""Inputs of the future study years (2030, 2035) from ``grids/outlook/``, in the builder's form.

The network builder (:func:`simulator.network.build_network`) reads everything
year-dependent from :class:`~simulator.data.InputData` by ``scenario.year``: demand
(``demand_value``), fleet (``capacity_mw``), fuel prices (``fuel_price_usd_per_mmbtu``) and the
Mexican market (``mexico_value``), plus the year-independent grid tables (lines, border limits).
:func:`study_year` (or :func:`load_study_year`) returns, for a study year, an ``InputData``
whose tables hold that year's rows, so the builder's lookups take a future year unchanged:

* demand, fuel prices and Mexico rows of ``grids/outlook/`` are appended to the shipped tables;
* the fleet of year Y is the 2023 fleet (``fleet/capacity.csv``) plus every addition of
  ``outlook/commissioning.csv`` commissioned by 31 December Y, minus every retirement by that
  date (the end-of-year convention of ``fleet/capacity.csv``); changes dated inside year Y are
  listed in :attr:`StudyYear.fleet_changes`, which the builder makes unavailable before their
  date (or after their retirement) with the commissioning mechanism of the calibration issue
  (:mod:`simulator.network.commissioning`);
* SIEPAC segments of a *committed* tranche in service by 31 December Y have their second
  circuit strung (``circuits_strung`` = ``circuits_towers`` in ``lines``), and the border limits
  are those of the ``committed`` case of ``outlook/border_limits.csv``. The other tranches are
  options: :attr:`StudyYear.option_segments` and :attr:`StudyYear.option_border_limits` give
  what a scenario sets (``grid.second_circuit_segments`` and ``grid.border_limits_mw``);
* the market rule of the year (``outlook/market.csv``) is :attr:`StudyYear.market`, the
  defaults a base scenario of that year carries;
* the Panama–Colombia link is :attr:`StudyYear.colombia`, off in the base
  (scenario key ``grid.colombia_link_mw``).

For 2022 and 2023 the shipped tables are returned unchanged.

Weather independent of the study year
-------------------------------------
A future year takes its weather from 2022 (wet) or 2023 (dry) (``hydrology``). The builder
divides the weather year's observed energy (``resources/annual_energy.csv``) by the study
year's capacity; for a future year it first multiplies that energy, per country and carrier,
by :func:`weather_scale` (study-year capacity ÷ weather-year capacity of the technologies of
that carrier): :func:`scaled_resources` returns the table scaled that way. Solar and wind then
keep the weather year's capacity factor and hourly shape, geothermal its capacity factor,
bagasse its harvest-season level, and hydro (reservoir and run-of-river together) its inflow
per MW of turbine (a new plant brings its own river, as a scenario's extra reservoir already
does). Profiles are built on the study year's calendar with the weather year's seeds. The
hydro reservoir energy (``reservoir_energy_gwh``) is sized for today's reservoirs; no new
seasonal reservoir is in ``outlook/commissioning.csv`` (El Tornillito is run-of-river).
"""

from simulator.outlook.study import (
    ColombiaLink,
    StudyYear,
    available_study_years,
    changes_within,
    fleet_at_end_of,
    historical_years,
    load_study_year,
    scaled_resources,
    study_year,
    weather_scale,
    year_inputs,
)
from simulator.outlook.tables import BASE_FLEET_YEAR, OUTLOOK_TABLES, OutlookTables, read_outlook

__all__ = [
    "BASE_FLEET_YEAR",
    "OUTLOOK_TABLES",
    "ColombiaLink",
    "OutlookTables",
    "StudyYear",
    "available_study_years",
    "changes_within",
    "fleet_at_end_of",
    "historical_years",
    "load_study_year",
    "read_outlook",
    "scaled_resources",
    "study_year",
    "weather_scale",
    "year_inputs",
]
