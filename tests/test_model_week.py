"""Physics of the real network on one solved dry-season week of base_2022."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa
import pytest

from simulator import COUNTRIES
from simulator.data import InputData
from simulator.network import build_network
from simulator.results.kpis import compute_kpis, corridor_flows
from simulator.testing import short_scenario


def country_of(n: pypsa.Network, buses: pd.Series) -> pd.Series:
    return buses.map(n.buses.country)


def test_energy_balance_per_country_and_hour(solved_week: pypsa.Network) -> None:
    n = solved_week
    for country in COUNTRIES:
        gen = n.generators_t.p.loc[:, country_of(n, n.generators.bus) == country].sum(axis=1)
        storage = n.storage_units_t.p.loc[:, country_of(n, n.storage_units.bus) == country].sum(axis=1)
        load = n.loads_t.p.loc[:, country_of(n, n.loads.bus) == country].sum(axis=1)
        c0, c1 = country_of(n, n.lines.bus0), country_of(n, n.lines.bus1)
        exports = n.lines_t.p0.loc[:, (c0 == country) & (c1 != country)].sum(axis=1)
        imports = n.lines_t.p0.loc[:, (c1 == country) & (c0 != country)].sum(axis=1)
        residual = gen + storage - load - exports + imports
        assert residual.abs().max() < 1e-4, country


def test_lines_within_ratings(solved_week: pypsa.Network) -> None:
    n = solved_week
    assert (n.lines_t.p0.abs() <= n.lines.s_nom + 1e-4).all().all()


def test_border_limits_from_the_data_table(solved_week: pypsa.Network, data: InputData) -> None:
    """Recompute every border flow from grids/electric/border_limits.csv and the bus countries."""
    n = solved_week
    c0, c1 = country_of(n, n.lines.bus0), country_of(n, n.lines.bus1)
    hours = n.snapshots.hour
    for row in data.border_limits.itertuples():
        src, dst = set(row.from_countries.split(";")), set(row.to_countries.split(";"))
        flow = n.lines_t.p0.loc[:, c0.isin(src) & c1.isin(dst)].sum(axis=1) - n.lines_t.p0.loc[
            :, c0.isin(dst) & c1.isin(src)
        ].sum(axis=1)
        if row.hour_start <= row.hour_end:
            active = (hours >= row.hour_start) & (hours <= row.hour_end)
        else:
            active = (hours >= row.hour_start) | (hours <= row.hour_end)
        assert flow[active].max() <= row.limit_mw + 1e-4, row.limit_id


def test_mexico_day_and_night_limits(solved_week: pypsa.Network) -> None:
    flow = corridor_flows(solved_week)["MX-GT"]
    day = flow.index.hour.isin(range(6, 22))
    assert flow[day].max() <= 210 + 1e-4
    assert flow[~day].max() <= 140 + 1e-4
    assert flow.min() >= -70 - 1e-4
    # in a dry-season week with Guatemalan oil on the margin the link is used
    assert flow[day].max() == pytest.approx(210, abs=1e-3)


def test_reservoir_water_balance(solved_week: pypsa.Network) -> None:
    n = solved_week
    soc = n.storage_units_t.state_of_charge
    inflow = n.storage_units_t.inflow
    spill = n.storage_units_t.spill.reindex(columns=soc.columns, fill_value=0.0)
    dispatch = n.storage_units_t.p
    initial = n.storage_units.state_of_charge_initial
    previous = soc.shift(1)
    previous.iloc[0] = initial  # a week is not cyclic: it starts on the seasonal rule curve
    balance = previous + inflow - dispatch - spill - soc
    assert balance.abs().max().max() < 1e-3
    assert (soc >= -1e-6).all().all()
    assert (soc <= n.storage_units.p_nom * n.storage_units.max_hours + 1e-3).all().all()
    # the week ends on the rule curve, so it uses its inflow plus a bounded draw-down only:
    # hydro is never free unlimited energy
    final = n.storage_units_t.state_of_charge_set.iloc[-1]
    assert soc.iloc[-1].to_numpy() == pytest.approx(final.to_numpy())
    assert (dispatch.sum() <= inflow.sum() + initial - final + 1e-3).all()


def test_prices_are_duals_within_the_cost_range(solved_week: pypsa.Network) -> None:
    prices = solved_week.buses_t.marginal_price
    assert not prices.isna().any().any()
    assert prices.to_numpy().min() >= -1e-6
    voll = solved_week.generators.marginal_cost[solved_week.generators.carrier == "load_shedding"].max()
    assert prices.to_numpy().max() <= voll + 1e-6


def test_kpis_are_tidy_and_complete(solved_week: pypsa.Network) -> None:
    kpis = compute_kpis(solved_week, "week")
    assert list(kpis.columns) == ["scenario", "metric", "region", "carrier", "value", "unit"]
    assert not kpis.duplicated(["metric", "region", "carrier"]).any()
    required = {
        "generation",
        "demand",
        "price_load_weighted",
        "price_mean",
        "imports",
        "exports",
        "net_exports",
        "flow_forward",
        "flow_backward",
        "hours_at_limit",
        "unserved_energy",
        "co2",
        "system_cost",
    }
    assert required <= set(kpis.metric)
    corridors = set(kpis[kpis.metric == "flow_forward"].region)
    assert corridors == {"MX-GT", "GT-SV", "GT-HN", "SV-HN", "HN-NI", "NI-CR", "CR-PA"}
    demand = kpis[kpis.metric == "demand"].set_index("region").value
    assert demand.sum() == pytest.approx(solved_week.loads_t.p_set.to_numpy().sum() / 1e3)
    net = kpis[kpis.metric == "net_exports"].value.sum()
    assert net == pytest.approx(0.0, abs=1e-6)  # SIEPAC trade nets out


def test_second_circuit_doubles_siepac_ratings(data: InputData) -> None:
    one = build_network(short_scenario(days=1), data)
    two = build_network(short_scenario(days=1, grid={"second_circuit": True}), data)
    siepac = one.lines.index[one.lines.kind == "siepac"]
    np.testing.assert_allclose(two.lines.s_nom[siepac], 2 * one.lines.s_nom[siepac])
    np.testing.assert_allclose(two.lines.x[siepac], one.lines.x[siepac] / 2)
    national = one.lines.index[one.lines.kind != "siepac"]
    np.testing.assert_allclose(two.lines.s_nom[national], one.lines.s_nom[national])


def test_mexico_switched_off_removes_the_link(data: InputData) -> None:
    n = build_network(short_scenario(days=1, market={"mexico_trade": "none"}), data)
    assert "MX" not in set(n.buses.country)
    assert not any("MX" in b["limit_id"] for b in n.meta["border_limits"])


def test_larger_mexico_link_sets_its_limits_and_rating(data: InputData) -> None:
    n = build_network(
        short_scenario(days=1, grid={"mexico_link": {"mx_to_gt_day_mw": 400.0, "mx_to_gt_night_mw": 400.0}}), data
    )
    limits = {b["limit_id"]: b["limit_mw"] for b in n.meta["border_limits"]}
    assert limits["MX_to_GT_day"] == pytest.approx(400.0)
    assert limits["MX_to_GT_night"] == pytest.approx(400.0)
    assert limits["GT_to_MX"] == pytest.approx(70.0)
    assert limits["GT_to_SV_HN"] == pytest.approx(260.0)
    assert n.lines.s_nom["MX_TAPACHULA-GT_LOS_BRILLANTES"] == pytest.approx(400.0)
