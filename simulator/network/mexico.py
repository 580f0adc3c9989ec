"""Mexico's southern system as seen from Guatemala: link limits, contracts, spot market, market rule.

Mexico is a price-taking neighbour at its own bus (``MX``), joined to Guatemala by the
lines of ``grids/electric/lines.csv``: a contract block, spot supply and a spot buyer for
Guatemalan exports (:func:`add_mexico`), the must-take contract as a floor on the flow
(:func:`mexico_must_take_rows`) and the lines the hourly market rule watches
(:func:`market_lines`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pypsa

from simulator.data import InputData
from simulator.network.meta import MarketRule, in_window
from simulator.profiles import year_index
from simulator.scenario import Scenario

MEXICO = "MX"


def mexico_link_override(scenario: Scenario, src: set[str], dst: set[str], row: Any) -> float | None:
    """Return the scenario's limit (MW) for a Mexico-link row of border_limits.csv, if set."""
    link = scenario.grid.mexico_link
    if src == {MEXICO}:
        covers_noon = bool(in_window(np.array([12]), int(row.hour_start), int(row.hour_end))[0])
        return link.mx_to_gt_day_mw if covers_noon else link.mx_to_gt_night_mw
    if dst == {MEXICO}:
        return link.gt_to_mx_mw
    return None


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


def mexico_price(data: InputData, year: int, index: pd.DatetimeIndex) -> pd.Series:
    """Hourly Mexican spot price at Tapachula (USD/MWh): the annual mean with an evening
    premium (18-21 h) and a dry-season premium (March-May), normalised to keep the mean."""
    mean = data.mexico_value(year, "spot_price_usd_per_mwh")
    evening = data.mexico_value(year, "price_evening_premium_pct") / 100.0
    dry = data.mexico_value(year, "price_dry_season_premium_pct") / 100.0
    shape = (1.0 + evening * np.isin(index.hour, [18, 19, 20, 21])) * (1.0 + dry * np.isin(index.month, [3, 4, 5]))
    return pd.Series(mean * shape / shape.mean(), index=index)


BID_MARGIN_USD_PER_MWH = 0.01
"""How far the Mexican spot buyer's bid stays below the cheapest Mexican offer (USD/MWh)."""


def add_mexico(n: pypsa.Network, data: InputData, scenario: Scenario, snapshots: pd.DatetimeIndex) -> None:
    """Mexico's southern system as seen from Guatemala: contract block, spot supply and a
    spot buyer for Guatemalan exports, all at the Mexican system bus."""
    year = scenario.year
    bus = data.hub(MEXICO)
    spot = mexico_price(data, year, year_index(year)).loc[snapshots]
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
