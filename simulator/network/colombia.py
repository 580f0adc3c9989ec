"""The Panama–Colombia HVDC link as an option: Colombia a price-taking neighbour at Panama's hub.

As Mexico is at Guatemala: a ``CO`` bus joined to Panama's national hub, with a supply
offered at the Colombian price and a buyer bidding the Colombian price minus the import
discount (both from ``grids/outlook/colombia.csv`` through
:class:`simulator.outlook.ColombiaLink`), the link limited to ``grid.colombia_link_mw`` in
both directions.

The link is an HVDC line, i.e. its flow is set by its converters, not by impedances: joined
to a single bus it is radial, so a PyPSA Line carries it (no loop flow can pass through it)
and the corridor ``PA-CO`` is reported like ``MX-GT``. Its losses (``link_loss_pct``) are
priced into the Colombian offers, not into the flow: a MWh received in Panama costs
price ÷ (1 − loss) in Colombia, and a MWh sent from Panama earns (price − discount) ×
(1 − loss). Flows are therefore measured at Panama's end.
"""

from __future__ import annotations

import pandas as pd
import pypsa

from simulator.outlook import ColombiaLink
from simulator.profiles import year_index
from simulator.scenario import Scenario

COLOMBIA = "CO"
COLOMBIA_BUS = "CO_CERROMATOSO"
"""Colombian end of the link: Cerromatoso substation near Montelíbano, Córdoba (OUTLOOK §3.3, F44)."""
COLOMBIA_BUS_LAT_LON = (7.99, -75.58)
"""Approximate position of Cerromatoso (for maps only; no flow depends on it)."""
LINK_NAME = "PA-CO HVDC"
LINK_LENGTH_KM = 500.0
"""≈500 km end to end (220 km on land in Panama, 130 km subsea, 150 km in Colombia; F44)."""
LINK_X_OHM = 1.0
"""Any positive reactance: the line is radial, so it carries what its converters schedule."""
LINK_V_KV = 500.0


def add_colombia(n: pypsa.Network, link: ColombiaLink, scenario: Scenario, snapshots: pd.DatetimeIndex) -> None:
    """Add the ``CO`` bus, the link from Panama's hub and Colombia's supply and buyer.

    Parameters
    ----------
    n
        Network being built (Panama's hub bus already in it).
    link
        The year's link and Colombian price (:attr:`simulator.outlook.StudyYear.colombia`).
    scenario
        The scenario: ``grid.colombia_link_mw`` (> 0) and the weather year, which sets the
        Colombian price level (dry weather: ``dry_weather_factor``).
    snapshots
        Hours of the run.
    """
    capacity = float(scenario.grid.colombia_link_mw)
    lat, lon = COLOMBIA_BUS_LAT_LON
    n.add(
        "Bus",
        COLOMBIA_BUS,
        v_nom=LINK_V_KV,
        x=lon,
        y=lat,
        carrier="AC",
        country=COLOMBIA,
        kind="neighbour",
        national_hub=True,
    )
    n.add(
        "Line",
        LINK_NAME,
        bus0=link.panama_bus,
        bus1=COLOMBIA_BUS,
        x=LINK_X_OHM,
        r=0.0,
        s_nom=capacity,
        length=LINK_LENGTH_KM,
        carrier="AC",
        kind="neighbour",
        circuits=1.0,
    )
    price = link.hourly_price(year_index(scenario.year), scenario.weather_year).loc[snapshots]
    kept = 1.0 - link.loss_pct / 100.0
    offer = price / kept
    bid = (price - link.import_bid_discount_usd_per_mwh) * kept
    n.add(
        "Generator",
        ["CO supply", "CO demand"],
        bus=COLOMBIA_BUS,
        carrier="colombia",
        p_nom=[capacity, capacity],
        p_max_pu=pd.DataFrame({"CO supply": 1.0, "CO demand": 0.0}, index=snapshots),
        p_min_pu=pd.DataFrame({"CO supply": 0.0, "CO demand": -1.0}, index=snapshots),
        marginal_cost=pd.DataFrame({"CO supply": offer, "CO demand": bid}, index=snapshots),
        country=COLOMBIA,
        technology=["co_supply", "co_demand"],
    )
