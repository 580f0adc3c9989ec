"""Study years 2030 and 2035: the builder on the outlook's inputs, weather of another year, the
Colombia option, dated plants, the shortfall report and the reservoir end level of short spans."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from simulator.cli import app
from simulator.data import InputData
from simulator.errors import ScenarioError
from simulator.network import build_network
from simulator.network.colombia import COLOMBIA_BUS, LINK_NAME
from simulator.network.hydro import reachable_end_mwh, rule_curve_pu
from simulator.outlook import load_study_year, year_inputs
from simulator.paths import scenarios_dir
from simulator.profiles import solar_pu, year_index
from simulator.results.kpis import compute_kpis
from simulator.run import quiet_libraries
from simulator.scenario import load_scenario
from simulator.solve import solve_network
from simulator.solve.checks import TOLERANCES
from simulator.solve.weekly import solve_weekly
from simulator.summary import print_shortfall, shortfall_by_country
from simulator.testing import short_scenario

runner = CliRunner()


def _balanced(checks: dict[str, float]) -> None:
    assert checks["balance_mw"] <= TOLERANCES["balance_mw"]
    assert checks["generator_above_capacity_mw"] <= TOLERANCES["generator_above_capacity_mw"]


def test_a_2030_week_builds_and_solves_weekly_with_every_hour_balanced(data: InputData) -> None:
    quiet_libraries()
    n = build_network(short_scenario("base_2030.yaml", start="2030-03-07", days=3), data)
    assert n.snapshots[0] == pd.Timestamp("2030-03-07") and len(n.snapshots) == 72
    # the year's fleet and grid: Gatún in Panama, the HN-NI-CR tranche strung, its border raised
    assert n.generators.p_nom["PA gas"] == pytest.approx(381.0 + 670.0)
    assert n.lines.circuits["NI_TICUANTEPE_II-CR_CANAS"] == 2 and n.lines.circuits["CR_CANAS-CR_PARRITA"] == 1
    limits = {b["limit_id"]: b["limit_mw"] for b in n.meta["border_limits"]}
    assert limits["HN_to_NI"] == 460
    report = solve_weekly(n, cores=1)
    _balanced(report.checks)
    load = n.loads_t.p_set.sum().sum()
    assert load == pytest.approx(n.loads_t.p.sum().sum())


def test_a_2035_dry_week_sheds_load_and_the_summary_says_where(data: InputData) -> None:
    quiet_libraries()
    scenario = short_scenario("base_2035.yaml", start="2035-05-07", days=3, hydrology="dry")  # type: ignore[arg-type]
    n = build_network(scenario, data)
    report = solve_weekly(n, cores=1)
    _balanced(report.checks)  # balanced with the unserved energy as the balancing supply
    short = shortfall_by_country(n)
    assert not short.empty, "2035 committed capacity is about 2,200 MW below the sum of peaks"
    shed = n.generators_t.p[n.generators.index[n.generators.technology == "load_shedding"]]
    assert short.unserved_gwh.sum() == pytest.approx(shed.sum().sum() / 1e3)
    assert short.peak_mw.max() == pytest.approx(shed.max().max())
    out = io.StringIO()
    print_shortfall(n, Console(file=out, width=300))
    assert "Capacity short" in out.getvalue() and str(short.index[0]) in out.getvalue()


def test_plants_dated_inside_the_year_are_unavailable_before_their_date(data: InputData) -> None:
    gt_gas = data.capacity_mw("GT", "gas", 2023)
    hn_hfo_2030 = load_study_year(2030).data.capacity_mw("HN", "oil_hfo", 2030)
    availability = {(t, c): data.parameter(t, c, "availability_pu") for t, c in (("gas", "GT"), ("oil_hfo", "HN"))}

    def available_mw(start: str, name: str) -> float:
        n = build_network(short_scenario("base_2030.yaml", start=start, days=1), data)
        return float((n.generators_t.p_max_pu[name] * n.generators.p_nom[name]).iloc[0])

    # PEG-5's 700 MW of gas from 1 May 2030 (grids/outlook/commissioning.csv)
    assert available_mw("2030-04-30", "GT gas") == pytest.approx(gt_gas * availability[("gas", "GT")])
    assert available_mw("2030-05-01", "GT gas") == pytest.approx((gt_gas + 700.0) * availability[("gas", "GT")])
    # 507.12 MW of Honduran HFO retire on 1 July 2030: in service before, not after
    before = available_mw("2030-06-30", "HN oil_hfo")
    after = available_mw("2030-07-01", "HN oil_hfo")
    assert before == pytest.approx((hn_hfo_2030 + 507.12) * availability[("oil_hfo", "HN")])
    assert after == pytest.approx(hn_hfo_2030 * availability[("oil_hfo", "HN")])


def test_weather_year_changes_hydro_energy_not_installed_capacity(data: InputData) -> None:
    wet = build_network(short_scenario("base_2030.yaml", start="2030-09-01", days=2, hydrology="wet"), data)  # type: ignore[arg-type]
    dry = build_network(short_scenario("base_2030.yaml", start="2030-09-01", days=2, hydrology="dry"), data)  # type: ignore[arg-type]
    plants = wet.generators.index[wet.generators.technology != "load_shedding"]  # shedding is sized on the load
    pd.testing.assert_series_equal(wet.generators.p_nom[plants], dry.generators.p_nom.reindex(plants))
    pd.testing.assert_series_equal(wet.storage_units.p_nom, dry.storage_units.p_nom)
    wet_hydro = year_inputs(data, 2030, 2022).data.resources
    dry_hydro = year_inputs(data, 2030, 2023).data.resources
    total = {
        y: t[(t.year == y) & (t.carrier == "hydro")].value.sum() for y, t in ((2022, wet_hydro), (2023, dry_hydro))
    }
    assert total[2023] < 0.95 * total[2022]  # 2023 was the El Niño drought
    assert dry.storage_units_t.inflow.sum().sum() < wet.storage_units_t.inflow.sum().sum()
    # the weather year sets the capacity factor, the study year the capacity
    solar = solar_pu(year_inputs(data, 2030, 2022).data, "GT", 2022, 2030).mean()
    observed = data.resource_energy_gwh("GT", 2022, "solar") * 1e3 / (data.capacity_mw("GT", "solar", 2022) * 8760)
    assert solar == pytest.approx(observed, rel=1e-3)
    assert load_study_year(2030).data.capacity_mw("GT", "solar", 2030) > 2 * data.capacity_mw("GT", "solar", 2022)


def test_colombia_link_off_in_base_and_within_its_limit_when_on(data: InputData) -> None:
    quiet_libraries()
    base = build_network(short_scenario("base_2030.yaml", start="2030-03-07", days=1), data)
    assert "CO" not in set(base.buses.country) and LINK_NAME not in base.lines.index
    scenario = short_scenario("panama_colombia_2030.yaml", start="2030-03-07", days=2)
    n = build_network(scenario, data)
    assert n.lines.s_nom[LINK_NAME] == 400 and n.lines.bus1[LINK_NAME] == COLOMBIA_BUS
    link = load_study_year(2030).colombia
    assert link is not None
    price = link.hourly_price(year_index(2030), 2022).loc[n.snapshots]  # the year's mean kept, then cut
    assert link.hourly_price(year_index(2030), 2022).mean() == pytest.approx(link.price_usd_per_mwh)
    offer = n.generators_t.marginal_cost["CO supply"]
    np.testing.assert_allclose(offer, price / (1 - link.loss_pct / 100))  # losses priced into the offer
    report = solve_network(n)
    _balanced(report.checks)
    flow = n.lines_t.p0[LINK_NAME]
    assert flow.abs().max() <= 400 + 1e-3
    kpis = compute_kpis(n, scenario.name)
    corridor = kpis[(kpis.region == "PA-CO") & kpis.metric.isin(["flow_forward", "flow_backward"])]
    assert len(corridor) == 2
    assert corridor.value.sum() == pytest.approx(flow.abs().sum() / 1e3, rel=1e-6)
    assert len(kpis[(kpis.metric == "price_mean") & (kpis.region == "CO")]) == 1
    # net exports count SIEPAC trade only: Colombia is not in Panama's net position
    net = kpis[kpis.metric == "net_exports"].value.sum()
    assert net == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    ("year", "mw", "message"),
    [
        (2022, 400, r"key `grid.colombia_link_mw`: the Panama–Colombia link is an option of the outlook years only"),
        (2030, 500, r"key `grid.colombia_link_mw`: at most the link's 400 MW"),
    ],
)
def test_colombia_link_is_validated(tmp_path: Path, year: int, mw: int, message: str) -> None:
    path = tmp_path / "co.yaml"
    path.write_text(f"name: co\nyear: {year}\nhydrology: 2022\ngrid:\n  colombia_link_mw: {mw}\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "co.yaml:5: key `grid.colombia_link_mw`" in result.output
    assert re.search(message, result.output)


def test_an_unknown_year_and_an_outlook_year_without_weather_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "y.yaml"
    path.write_text("name: y\nyear: 2031\nhydrology: 2022\n", encoding="utf-8")
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "no input data for year 2031; available years: 2022, 2023, 2030, 2035" in result.output
    assert not (tmp_path / "out").exists()
    path.write_text("name: y\nyear: 2030\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"study year 2030 has no observed weather: set hydrology"):
        load_scenario(path)


def test_base_scenarios_carry_the_years_market_rule() -> None:
    for name, year in (("base_2030", 2030), ("base_2035", 2035)):
        scenario = load_scenario(scenarios_dir() / f"{name}.yaml")
        market = load_study_year(year).market
        assert scenario.market.mexico_trade == market["market.mexico_trade"]
        assert str(scenario.market.guatemala_in_mer).lower() == market["market.guatemala_in_mer"]
        assert scenario.grid.colombia_link_mw == 0


def test_show_lists_the_estimates_of_an_outlook_year() -> None:
    result = runner.invoke(app, ["show", str(scenarios_dir() / "base_2030.yaml")])
    assert result.exit_code == 0, result.output
    assert "Inputs of study year 2030 that are estimates" in result.output
    assert "outlook/demand.csv" in result.output and "GT peak_mw" in result.output
    assert "PEG-5 gas block" in result.output and "Gatún" not in result.output  # Gatún is found
    assert yaml.safe_load(result.output)["year"] == 2030  # still a YAML document
    historic = runner.invoke(app, ["show", str(scenarios_dir() / "base_2022.yaml")])
    assert "estimates" not in historic.output


# -- the reservoir end level of a short span -------------------------------------------------


@pytest.mark.parametrize(
    ("start", "target", "inflow", "dispatch", "energy", "expected"),
    [
        (100.0, 150.0, 80.0, 500.0, 1000.0, 150.0),  # reachable: the rule curve
        (100.0, 300.0, 80.0, 500.0, 1000.0, 180.0),  # rises faster than the inflow: start + inflow
        (900.0, 1000.0, 500.0, 500.0, 1000.0, 1000.0),  # never above full
        (600.0, 50.0, 10.0, 200.0, 1000.0, 400.0),  # falls faster than the turbines can empty it
        (100.0, 0.0, 10.0, 500.0, 1000.0, 0.0),  # never below empty
    ],
)
def test_reachable_end_level_by_hand(
    start: float, target: float, inflow: float, dispatch: float, energy: float, expected: float
) -> None:
    assert reachable_end_mwh(start, target, inflow, dispatch, energy) == pytest.approx(expected)


def test_a_week_from_5_october_solves_and_meets_its_end_level(data: InputData) -> None:
    quiet_libraries()
    n = build_network(short_scenario(start="2022-10-05", days=7, solve={"strategy": "monolithic"}), data)
    final = n.storage_units_t.state_of_charge_set.iloc[-1]
    energy = n.storage_units.p_nom * n.storage_units.max_hours
    rule = pd.Series(
        {
            name: rule_curve_pu(data, str(su.country), n.snapshots[-1] + pd.Timedelta(hours=1)) * energy[name]
            for name, su in n.storage_units.iterrows()
        }
    )
    clipped = final < rule - 1.0
    assert clipped.any(), "the rule curve rises faster than some river in this week: the case of the bug"
    start = n.storage_units.state_of_charge_initial
    inflow = n.storage_units_t.inflow.sum()
    np.testing.assert_allclose(final[clipped], (start + inflow)[clipped])  # every drop of the inflow kept
    solve_network(n)
    level = n.storage_units_t.state_of_charge.iloc[-1]
    np.testing.assert_allclose(level, final, atol=1e-3)
