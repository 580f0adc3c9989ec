"""Tiny hand-computable networks for tests, shaped like the real one (hubs, countries, meta)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pypsa

from simulator.network.carriers import CARRIER_COLORS
from simulator.network.meta import BorderLimit, NetworkMeta, store_meta
from simulator.paths import scenarios_dir
from simulator.scenario import Scenario, load_scenario
from simulator.scenario.load import merge


def tiny_network(
    buses: dict[str, str],
    lines: list[tuple[str, str, str, float, float]],
    generators: list[tuple[str, str, str, float, float]],
    loads: dict[str, float | pd.Series],
    hours: int = 4,
    limits: list[BorderLimit] | None = None,
) -> pypsa.Network:
    """Return an unsolved network with the attributes the solve checks and KPIs use.

    Parameters
    ----------
    buses
        Bus name -> country; the first bus of each country is its national hub.
    lines
        (name, bus0, bus1, reactance ohm, rating MVA) at 230 kV.
    generators
        (name, bus, carrier, capacity MW, marginal cost USD/MWh).
    loads
        Bus name -> load (MW, constant or hourly series).
    hours
        Number of hourly snapshots from 2022-01-01 00:00.
    limits
        Border limits, as :func:`simulator.network.electric.border_limits` returns them.
    """
    n = pypsa.Network(name="tiny")
    n.set_snapshots(pd.date_range("2022-01-01", periods=hours, freq="h", name="snapshot"))
    n.add("Carrier", list(CARRIER_COLORS), color=list(CARRIER_COLORS.values()))
    seen: set[str] = set()
    hubs = []
    for country in buses.values():
        hubs.append(country not in seen)
        seen.add(country)
    n.add("Bus", list(buses), v_nom=230.0, carrier="AC", country=list(buses.values()), national_hub=hubs)
    for name, bus0, bus1, x, s_nom in lines:
        n.add("Line", name, bus0=bus0, bus1=bus1, x=x, r=0.0, s_nom=s_nom, carrier="AC")
    for name, bus, carrier, p_nom, cost in generators:
        n.add(
            "Generator",
            name,
            bus=bus,
            carrier=carrier,
            p_nom=p_nom,
            marginal_cost=cost,
            country=buses[bus],
            co2_t_per_mwh=0.0,
        )
    for bus, p in loads.items():
        n.add("Load", f"{buses[bus]} load {bus}", bus=bus, p_set=p, country=buses[bus])
    store_meta(n, NetworkMeta(border_limits=tuple(limits or [])))
    return n


HOURLY_RULE: dict[str, str] = {"mexico_rule": "hourly_exclusive", "mexico_contract": "price_taking"}
"""``market`` settings of the earlier Mexico formulation (no hour with both a Mexican import and
Guatemalan net exports), for tests of the two-pass market rule: ``short_scenario(market=HOURLY_RULE)``."""


def short_scenario(
    path: str = "base_2022.yaml", start: str = "2022-03-07", days: int = 7, **changes: dict[str, Any] | list[Any]
) -> Scenario:
    """Return a shipped scenario cut to a few days (dry season by default: prices and limits bind).

    ``changes`` are scenario sections merged over the file's, as ``extends`` would, e.g.
    ``short_scenario(days=1, grid={"second_circuit": True})``.
    """
    scenario = load_scenario(scenarios_dir() / path)
    start_date = dt.date.fromisoformat(start).replace(year=scenario.year)
    data = merge(merge(scenario.model_dump(), {"solve": {"start_date": start_date, "days": days}}), changes)
    return Scenario.model_validate(data)
