"""Every scenario switch changes the model, and the change is the one documented."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa
import pytest

from simulator.data import InputData
from simulator.network import build_network
from simulator.network.electric import fuel_price_usd_per_mmbtu
from simulator.network.meta import signed_flow
from simulator.solve import solve_network
from simulator.testing import HOURLY_RULE, short_scenario


def build(data: InputData, **changes: object) -> pypsa.Network:
    return build_network(short_scenario(days=1, **changes), data)


def test_demand_growth_scales_one_country(data: InputData) -> None:
    base, grown = build(data), build(data, demand={"growth": {"GT": 1.1}})
    assert grown.loads_t.p_set["GT load"].sum() == pytest.approx(1.1 * base.loads_t.p_set["GT load"].sum())
    assert grown.loads_t.p_set["SV load"].sum() == pytest.approx(base.loads_t.p_set["SV load"].sum())


def test_fuel_price_override_regional_and_per_country(data: InputData) -> None:
    scenario = short_scenario(
        days=1, fuels={"prices": {"hfo": {"usd_per_bbl": 62.87, "by_country": {"HN": {"usd_per_mmbtu": 20.0}}}}}
    )
    n = build_network(scenario, data)
    heat_content = data.fuel_property("hfo", "heat_content")
    assert fuel_price_usd_per_mmbtu(data, scenario, "hfo", "GT") == pytest.approx(62.87 / heat_content)
    assert fuel_price_usd_per_mmbtu(data, scenario, "hfo", "HN") == pytest.approx(20.0)
    for country, price in (("GT", 62.87 / heat_content), ("HN", 20.0)):
        heat_rate = data.parameter("oil_hfo", country, "heat_rate_hhv")
        vom = data.parameter("oil_hfo", country, "vom_usd_per_mwh")
        assert n.generators.marginal_cost[f"{country} oil_hfo"] == pytest.approx(price * heat_rate + vom)


def test_second_circuit_on_listed_segments_only(data: InputData) -> None:
    base = build(data)
    segment = "NI_SANDINO-NI_TICUANTEPE_II"
    n = build(data, grid={"second_circuit_segments": [segment]})
    assert n.lines.s_nom[segment] == pytest.approx(2 * base.lines.s_nom[segment])
    others = n.lines.index.drop(segment)
    np.testing.assert_allclose(n.lines.s_nom[others], base.lines.s_nom[others])


def test_border_limit_override(data: InputData) -> None:
    n = build(data, grid={"border_limits_mw": {"HN_to_NI": 510.0}})
    limits = {b["limit_id"]: b["limit_mw"] for b in n.meta["border_limits"]}
    assert limits["HN_to_NI"] == 510.0 and limits["NI_to_HN"] == 160.0


def test_border_limits_off(data: InputData) -> None:
    # only the must-take contract's floor on the Mexico link stays: it is a contract, not a limit
    off = build(data, grid={"border_limits": False}).meta["border_limits"]
    assert [b["limit_id"] for b in off] == ["MX_contract_must_take"]
    price_taking = build(data, grid={"border_limits": False}, market={"mexico_contract": "price_taking"})
    assert price_taking.meta["border_limits"] == []


def test_new_interconnection_closes_a_loop(data: InputData) -> None:
    line = {
        "name": "GT_PANALUYA-SV_15_SEPTIEMBRE",
        "bus0": "GT_PANALUYA",
        "bus1": "SV_15_SEPTIEMBRE",
        "length_km": 150.0,
    }
    n = build(data, grid={"new_interconnections": [line]})
    assert n.lines.x["GT_PANALUYA-SV_15_SEPTIEMBRE"] == pytest.approx(0.45 * 150.0)
    # the new line crosses the GT -> SV;HN border, so the limit now includes it
    limits = {b["limit_id"]: b["lines"] for b in n.meta["border_limits"]}
    assert limits["GT_to_SV_HN"]["GT_PANALUYA-SV_15_SEPTIEMBRE"] == 1.0


def test_fleet_add_remove_scale(data: InputData) -> None:
    base = build(data)
    changes = [
        {"country": "GT", "technology": "gas", "action": "add", "capacity_mw": 250.0},
        {"country": "GT", "technology": "coal", "action": "remove"},
        {"country": "PA", "technology": "solar", "action": "scale", "factor": 2.0},
    ]
    n = build(data, fleet=changes)
    assert n.generators.p_nom["GT gas"] == pytest.approx(base.generators.p_nom["GT gas"] + 250.0)
    assert "GT coal" not in n.generators.index
    assert n.generators.p_nom["PA solar"] == pytest.approx(2 * base.generators.p_nom["PA solar"])
    pd.testing.assert_series_equal(n.generators_t.p_max_pu["PA solar"], base.generators_t.p_max_pu["PA solar"])


def conflict_hours(n: pypsa.Network) -> int:
    market = n.meta["market"]
    imports = signed_flow(n.lines_t.p0, market["mexico_import_lines"])
    exports = signed_flow(n.lines_t.p0, market["guatemala_export_lines"])
    return int(((imports > 1e-3) & (exports > 1e-3)).sum())


@pytest.fixture(scope="module")
def hourly_rule_week(data: InputData) -> pypsa.Network:
    """The conftest week under the earlier hourly rule (guatemala_only, hourly_exclusive)."""
    n = build_network(short_scenario(market=HOURLY_RULE), data)
    solve_network(n)
    return n


def test_guatemala_only_keeps_mexican_energy_in_guatemala(hourly_rule_week: pypsa.Network) -> None:
    """Under the hourly rule, in no hour does Guatemala import from Mexico and net-export to
    SV/HN: its exports never exceed its own surplus (own generation minus load)."""
    n = hourly_rule_week
    assert n.meta["market"]["mexico_trade"] == "guatemala_only"
    assert conflict_hours(n) == 0
    gt = n.generators.index[n.generators.country == "GT"].drop(["GT load_shedding"], errors="ignore")
    own = n.generators_t.p[gt].sum(axis=1) + n.storage_units_t.p[
        n.storage_units.index[n.storage_units.country == "GT"]
    ].sum(axis=1)
    surplus = (own - n.loads_t.p["GT load"]).clip(lower=0)
    exports = signed_flow(n.lines_t.p0, n.meta["market"]["guatemala_export_lines"])
    assert (exports <= surplus + 1e-3).all()


def test_all_siepac_lets_mexican_energy_flow_on(data: InputData, hourly_rule_week: pypsa.Network) -> None:
    n = build_network(short_scenario(market={"mexico_trade": "all_siepac", "mexico_contract": "price_taking"}), data)
    solve_network(n)
    assert conflict_hours(n) > 0  # the same week has hours where Mexico's energy transits
    assert n.objective <= hourly_rule_week.objective + 1e-6  # fewer restrictions cannot cost more


def test_merit_order_imports_while_guatemala_exports(solved_week: pypsa.Network) -> None:
    """The base formulation (merit_order, must_take): no hourly rule, so some hours have both a
    Mexican import and Guatemalan net exports, and the must-take contract crosses in every hour."""
    n = solved_week
    assert n.meta["market"]["mexico_trade"] == "guatemala_only_merit_order"
    assert conflict_hours(n) > 0
    imports = signed_flow(n.lines_t.p0, n.meta["market"]["mexico_import_lines"])
    assert imports.min() >= 120 * 0.904 - 1e-3  # Energía del Caribe: 120 MW at a 0.904 load factor
    assert n.generators_t.p["MX contract must-take"].min() >= 120 * 0.904 - 1e-3


def test_must_take_and_hourly_rule_do_not_mix() -> None:
    with pytest.raises(ValueError, match=r"hourly_exclusive needs market\.mexico_contract price_taking"):
        short_scenario(market={"mexico_rule": "hourly_exclusive"})


def test_price_taking_contracts_have_no_floor(data: InputData) -> None:
    n = build_network(short_scenario(days=1, market={"mexico_contract": "price_taking"}), data)
    assert "MX contract must-take" not in n.generators.index
    assert n.generators.p_nom["MX contracts"] == pytest.approx(240.0)
    assert not [b for b in n.meta["border_limits"] if b["limit_id"] == "MX_contract_must_take"]
    must = build_network(short_scenario(days=1), data)
    assert must.generators.p_nom["MX contracts"] == pytest.approx(120.0)
    (floor,) = [b for b in must.meta["border_limits"] if b["limit_id"] == "MX_contract_must_take"]
    assert floor["limit_mw"] == pytest.approx(-120 * 0.904)
    assert set(floor["lines"].values()) == {-1.0}  # the flow Mexico -> Guatemala is the line's positive one


def test_guatemala_outside_the_market_has_no_net_trade_with_sv_and_hn(data: InputData) -> None:
    n = build_network(short_scenario(days=2, market={"guatemala_in_mer": False}), data)
    solve_network(n)
    exports = signed_flow(n.lines_t.p0, n.meta["market"]["guatemala_export_lines"])
    assert exports.abs().max() < 1e-3
    assert signed_flow(n.lines_t.p0, n.meta["market"]["mexico_import_lines"]).max() > 0  # the Mexico link stays


def test_coarser_resolution_keeps_energy_and_cost(data: InputData, solved_week: pypsa.Network) -> None:
    n = build_network(short_scenario(solve={"resolution_hours": 3}), data)
    assert len(n.snapshots) == len(solved_week.snapshots) // 3
    assert (n.snapshot_weightings.generators == 3).all()
    weighted_load = n.loads_t.p_set.mul(n.snapshot_weightings.generators, axis=0).to_numpy().sum()
    assert weighted_load == pytest.approx(solved_week.loads_t.p_set.to_numpy().sum())
    solve_network(n)
    assert n.objective == pytest.approx(solved_week.objective, rel=0.01)


def test_mexico_never_buys_its_own_supply_back(data: InputData) -> None:
    """The spot buyer (Guatemalan exports to Mexico) bids below every Mexican offer in every hour,
    also in the evening when the shaped spot price minus the discount exceeds the contract price."""
    n = build_network(short_scenario(days=2), data)
    costs = n.get_switchable_as_dense("Generator", "marginal_cost")
    offers = costs[["MX contracts", "MX spot supply", "MX contract must-take"]].min(axis=1)
    assert (costs["MX spot demand"] < offers).all()
    evening = costs.index.hour == 19
    assert (
        costs.loc[evening, "MX spot supply"] - 5.0 > costs.loc[evening, "MX contracts"]
    ).any()  # the case that mattered
