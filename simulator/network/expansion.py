"""Capacity expansion: candidate plants and the planning reserve margin (``expansion:`` keys).

With ``expansion.enabled`` every country gets the candidates of ``grids/expansion/``
(:func:`simulator.expansion_data.candidates`) as extendable components at its national hub:

* ``solar_pv`` and ``onshore_wind``: generators on the country's weather-year profile;
* ``battery_4h``: a storage unit of four hours;
* ``ccgt`` and ``ocgt`` on LNG: generators priced at the delivered LNG price and the
  candidate's heat rate; on pipeline gas (only with a pipeline route that reaches the
  country): links from the country's gas bus, so that their gas flows through the pipeline.

Each pays its annualised capital cost (annuity plus fixed O&M, for the simulated span, as the
anchor plant does) and is limited to its potential. A candidate carries its label in the
``candidate`` column (``solar_pv``, ``ccgt_lng``, ...), which the KPIs read.

The reserve margin is one row per country and month, built here as numbers and added to the LP by
:func:`simulator.solve.assembly.add_reserve_margin`::

    sum(credit_k * p_nom_k, new k in country) >= peak * (1 + margin) - firm - credit * imports

where ``peak`` is the country's *hourly* peak load of the month (taken before any
resampling, so the weekly strategy's 6-hour coarse stage keeps it), ``firm`` the capacity of
the existing fleet in service all month times its capacity credit and ``imports`` the most the country can import
at the hour of its peak within line ratings and border limits (a small LP).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pypsa
from scipy.optimize import linprog

from simulator import COUNTRIES
from simulator.data import InputData
from simulator.errors import DataError, ScenarioError
from simulator.expansion_data import (
    CANDIDATE_CARRIER,
    STORAGE,
    THERMAL,
    candidates,
    parameter,
    read_parameters,
)
from simulator.network.capital import span_years
from simulator.network.fleet import THERMAL as FLEET_THERMAL
from simulator.network.fleet import fuel_price_usd_per_mmbtu
from simulator.network.meta import BorderLimit, ReserveRow
from simulator.profiles import solar_pu, wind_pu
from simulator.scenario import Scenario
from simulator.units import MWH_PER_MMBTU

PIPELINE_ROUTES = frozenset({"tapachula", "chiapa_de_corzo", "chiapa_de_corzo_via_tapachula"})
"""Gas routes that bring pipeline gas (``lng`` is shipped gas, priced as LNG)."""


def is_candidate(static: pd.DataFrame) -> pd.Series:
    """True for the rows of a component table that are expansion candidates."""
    if "candidate" not in static:
        return pd.Series(False, index=static.index)
    return static["candidate"].fillna("").astype(str) != ""


def candidate_label(technology: str, fuel: str) -> str:
    """``solar_pv``, ``battery_4h``, ``ccgt_lng``, ``ocgt_pipeline_gas``, ..."""
    return technology if fuel == "none" else f"{technology}_{fuel}"


def _profile(data: InputData, scenario: Scenario, technology: str, country: str) -> pd.Series:
    """Hourly capacity factor of a PV or wind candidate: the country's weather-year profile, or, where
    the country has no such fleet to shape it on (El Salvador has no wind), the mean of the others'."""
    shape = solar_pu if technology == "solar_pv" else wind_pu
    own = shape(data, country, scenario.weather_year, scenario.year)
    if float(own.sum()) > 0:
        return own
    others = [shape(data, c, scenario.weather_year, scenario.year) for c in COUNTRIES if c != country]
    others = [s for s in others if float(s.sum()) > 0]
    return pd.concat(others, axis=1).mean(axis=1) if others else own


def _gas_bus(n: pypsa.Network, country: str, gas_info: dict) -> str | None:
    """The gas bus pipeline-gas candidates of a country burn from (the anchor's, else the last node)."""
    if gas_info.get("route") not in PIPELINE_ROUTES:
        return None
    buses = n.buses.index[(n.buses.carrier == "natural gas") & (n.buses.country == country)]
    if not len(buses):
        return None
    anchor = n.links.bus0.get("anchor plant") if len(n.links) else None
    return str(anchor) if anchor in buses else str(buses[-1])


def add_candidates(n: pypsa.Network, scenario: Scenario, data: InputData, gas_info: dict) -> pd.DataFrame:
    """Add the expansion candidates of the scenario's year to ``n`` (hourly snapshots).

    Returns
    -------
    pandas.DataFrame
        The candidates added: ``component, name, country, candidate, capacity_credit_pu,
        per_mw_of_p_nom`` (MW of electric output per MW of the component's ``p_nom``).
    """
    config = scenario.expansion
    table = candidates(scenario.year, data.root, config.discount_rate_pct)
    table = table[table.technology.isin(config.technologies)]
    snapshots = n.snapshots
    years = span_years(n)
    added: list[dict[str, object]] = []
    for row in table.itertuples():
        country, technology, fuel = str(row.country), str(row.technology), str(row.fuel)
        limit = config.limits_mw.get(country, {}).get(technology)  # type: ignore[call-overload]
        p_max = float(row.p_nom_max_mw if limit is None else limit)
        if p_max <= 0:
            continue
        label = candidate_label(technology, fuel)
        name = f"{country} new {label}"
        capital = float(row.capital_cost_usd_per_mw_year) * years
        common: dict[str, Any] = {
            "carrier": CANDIDATE_CARRIER[technology],
            "country": country,
            "technology": label,
            "candidate": label,
        }
        hub = data.hub(country)
        if technology in STORAGE:
            n.add(
                "StorageUnit",
                name,
                bus=hub,
                p_nom_extendable=True,
                p_nom_max=p_max,
                capital_cost=capital,
                max_hours=float(row.max_hours),
                efficiency_store=float(row.efficiency_pu),
                efficiency_dispatch=float(row.efficiency_pu),
                marginal_cost=float(row.vom_usd_per_mwh),
                cyclic_state_of_charge=True,
                **common,
            )
            added.append({"component": "StorageUnit", "name": name, "per_mw_of_p_nom": 1.0})
        elif technology in THERMAL:
            heat_rate = float(row.heat_rate_hhv_mmbtu_per_mwh)
            efficiency = 1.0 / (heat_rate * MWH_PER_MMBTU)
            co2_per_mwh_e = data.fuel_property("lng", "co2_kg_per_mmbtu") * heat_rate / 1000.0
            # a static availability: a time series would stop the weeks re-solving one model in place
            availability = data.parameter("gas", country, "availability_pu", default=1.0)
            if fuel == "lng":
                price = fuel_price_usd_per_mmbtu(data, scenario, "lng", country)
                n.add(
                    "Generator",
                    name,
                    bus=hub,
                    p_nom_extendable=True,
                    p_nom_max=p_max,
                    capital_cost=capital,
                    marginal_cost=price * heat_rate + float(row.vom_usd_per_mwh),
                    efficiency=efficiency,
                    p_max_pu=availability,
                    co2_t_per_mwh=co2_per_mwh_e,
                    **common,
                )
                added.append({"component": "Generator", "name": name, "per_mw_of_p_nom": 1.0})
            else:
                gas_bus = _gas_bus(n, country, gas_info)
                if gas_bus is None:
                    continue
                # a Link's p_nom is gas input (bus0): scale limits and costs by the efficiency
                n.add(
                    "Link",
                    name,
                    bus0=gas_bus,
                    bus1=hub,
                    p_nom_extendable=True,
                    p_nom_max=p_max / efficiency,
                    capital_cost=capital * efficiency,
                    efficiency=efficiency,
                    marginal_cost=float(row.vom_usd_per_mwh) * efficiency,
                    p_max_pu=availability,
                    co2_t_per_mwh=co2_per_mwh_e * efficiency,
                    **common,
                )
                added.append({"component": "Link", "name": name, "per_mw_of_p_nom": efficiency})
        else:
            n.add(
                "Generator",
                name,
                bus=hub,
                p_nom_extendable=True,
                p_nom_max=p_max,
                capital_cost=capital,
                marginal_cost=float(row.vom_usd_per_mwh),
                p_max_pu=_profile(data, scenario, technology, country).loc[snapshots],
                co2_t_per_mwh=0.0,
                **common,
            )
            added.append({"component": "Generator", "name": name, "per_mw_of_p_nom": 1.0})
        added[-1].update(country=country, candidate=label, capacity_credit_pu=float(row.capacity_credit_pu))
    return pd.DataFrame(
        added, columns=["component", "name", "per_mw_of_p_nom", "country", "candidate", "capacity_credit_pu"]
    )


def _existing_credit(data: InputData, params: pd.DataFrame, technology: str, country: str) -> float:
    """Capacity credit of an existing fleet technology: thermal at its availability, others from
    ``expansion/parameters.csv``; load shedding, Mexico and Colombia count nothing."""
    if technology in FLEET_THERMAL:
        return data.parameter(technology, country, "availability_pu", default=1.0)
    try:
        return parameter(params, "capacity_credit_pu", country, technology)
    except DataError:  # a technology without a credit row (e.g. load shedding) counts nothing
        return 0.0


def import_capacity_mw(lines: pd.DataFrame, limits: list[BorderLimit], country: str, hour: int) -> float:
    """Return the most a country can import (MW) at an hour within line ratings and border limits.

    A small LP over the flows of the lines that touch the country's buses: maximise the net
    flow into the country, each line within its rating, every border limit in force at that
    hour respected (the neighbours are taken as able to supply anything).
    """
    c0, c1 = lines.bus0_country, lines.bus1_country
    crossing = lines.index[(c0 != c1) & ((c0 == country) | (c1 == country))]
    if not len(crossing):
        return 0.0
    names = list(crossing)
    # +1 when a positive flow (bus0 -> bus1) goes into the country
    into = np.array([1.0 if c1[k] == country else -1.0 for k in names])
    bounds = [(-float(lines.s_nom[k]), float(lines.s_nom[k])) for k in names]
    rows, rhs = [], []
    for limit in limits:
        if not limit.applies(np.array([hour]))[0]:
            continue
        coefficients = [limit.lines.get(k, 0.0) for k in names]
        if any(coefficients):
            rows.append(coefficients)
            rhs.append(limit.limit_mw)
    result = linprog(
        -into,
        A_ub=np.array(rows) if rows else None,
        b_ub=np.array(rhs) if rows else None,
        bounds=bounds,
        method="highs",
    )
    return float(-result.fun) if result.status == 0 else 0.0


def _thermal_firm_by_month(n: pypsa.Network, names: pd.Index, months: pd.Index) -> pd.Series:
    """Firm MW of thermal generators through each month: capacity times the month's lowest ``p_max_pu``.

    A thermal plant's ``p_max_pu`` is its availability (its capacity credit) times the share
    of its capacity in service (:mod:`simulator.network.fleet`: plants commissioned or retired
    inside the year), and zero for the sugar-mill coal blocks in the harvest; the month's lowest
    value is what is there all month.
    """
    pu = n.get_switchable_as_dense("Generator", "p_max_pu")[names]
    return (pu.groupby(months).min() * n.generators.p_nom[names]).sum(axis=1)


def reserve_rows(
    n: pypsa.Network,
    scenario: Scenario,
    data: InputData,
    lines: pd.DataFrame,
    limits: list[BorderLimit],
    added: pd.DataFrame,
) -> list[ReserveRow]:
    """Build each country's reserve-margin rows, one per month of the span, from the hourly network.

    A month's row asks the capacity in service all month to cover that month's hourly peak:
    a plant commissioned in May (Guatemala's PEG-5 in 2030) does not cover March, and a yearly
    row on the annual peak would let the dry season go short.

    Raises
    ------
    ScenarioError
        When a country's margin cannot be met even with every candidate at its potential:
        naming the country, the month and the shortfall in MW.
    """
    config = scenario.expansion
    params = read_parameters(data.root)
    months = n.snapshots.to_period("M").astype(str)
    rows: list[ReserveRow] = []
    short: dict[str, list[tuple[float, ReserveRow, float]]] = {}
    for country in COUNTRIES:
        loads = n.loads.index[n.loads.country == country]
        load = n.loads_t.p_set[loads].sum(axis=1)
        margin = config.reserve_margin_pct
        margin = parameter(params, "reserve_margin_pct", country) if margin is None else margin
        share = config.import_credit_share
        share = parameter(params, "import_credit_share", country) if share is None else share
        gens = n.generators[(n.generators.country == country) & ~is_candidate(n.generators)]
        credit = pd.Series({k: _existing_credit(data, params, str(t), country) for k, t in gens.technology.items()})
        thermal = gens.index[gens.technology.isin(FLEET_THERMAL)]
        thermal_firm = _thermal_firm_by_month(n, thermal, months)
        storage = n.storage_units[(n.storage_units.country == country) & ~is_candidate(n.storage_units)]
        fixed_firm = sum(
            _existing_credit(data, params, str(t), country) * float(p)
            for t, p in zip(storage.technology, storage.p_nom, strict=True)
        )
        fixed_firm += float((credit.reindex(gens.index.difference(thermal)) * gens.p_nom).sum())
        credits: dict[str, dict[str, float]] = {}
        for row in added[added.country == country].itertuples():
            credits.setdefault(str(row.component), {})[str(row.name)] = float(
                row.capacity_credit_pu * row.per_mw_of_p_nom
            )
        if "anchor plant" in n.links.index and n.links.country["anchor plant"] == country:
            anchor = n.links.loc["anchor plant"]
            anchor_credit = data.parameter("gas", country, "availability_pu", default=1.0) * float(anchor.efficiency)
            if bool(anchor.p_nom_extendable):
                credits.setdefault("Link", {})["anchor plant"] = anchor_credit
            else:
                fixed_firm += anchor_credit * float(anchor.p_nom)
        for month in dict.fromkeys(months):
            hours = load[months == month]
            reserve = ReserveRow(
                country=country,
                period=str(month),
                peak_mw=float(hours.max()),
                margin_pct=float(margin),
                firm_mw=fixed_firm + float(thermal_firm[month]),
                import_capacity_mw=import_capacity_mw(lines, limits, country, int(hours.idxmax().hour)),
                import_credit_share=float(share),
                credits=credits,
            )
            possible = _possible_new_firm_mw(n, reserve)
            if reserve.new_firm_needed_mw > possible + 1e-6:
                short.setdefault(country, []).append((reserve.new_firm_needed_mw - possible, reserve, possible))
            rows.append(reserve)
    if short:
        parts = []
        for country, months in short.items():
            gap, row, possible = max(months, key=lambda m: m[0])
            parts.append(
                f"{country} short by {gap:,.0f} MW in {row.period} (needs {row.required_mw:,.0f} MW firm = peak "
                f"{row.peak_mw:,.0f} MW × {1 + row.margin_pct / 100:.2f}; existing fleet {row.firm_mw:,.0f} MW, "
                f"imports {row.import_credit_mw:,.0f} MW, candidates at most {possible:,.0f} MW; "
                f"{len(months)} month{'s' if len(months) > 1 else ''} short)"
            )
        msg = (
            f"{scenario.locate('expansion')}: key `expansion`: the reserve margin cannot be met within the "
            f"candidates' potentials: {'; '.join(parts)}. Raise expansion.limits_mw, offer more technologies, "
            "or lower expansion.reserve_margin_pct"
        )
        raise ScenarioError(msg)
    return rows


def _possible_new_firm_mw(n: pypsa.Network, row: ReserveRow) -> float:
    """Firm MW the candidates of a row add at their potentials (p_nom_max)."""
    total = 0.0
    for component, names in row.credits.items():
        static = n.components[component].static
        for name, credit in names.items():
            total += credit * float(static.p_nom_max[name])
    return total
