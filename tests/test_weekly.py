"""The weekly solve strategy: week cutting, in-place re-solves, boundaries, accuracy, failures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pypsa
import pytest
from recompute import largest_price_gap, objective_usd

from simulator import COUNTRIES
from simulator.data import InputData
from simulator.errors import SolveError
from simulator.network import build_network
from simulator.results.kpis import compute_kpis
from simulator.solve import SolveReport, solve_network, solve_weekly
from simulator.solve.coarse import coarse_border_limits, coarse_stage
from simulator.solve.week_model import WeekModel
from simulator.solve.weekly import COARSE_HIGHS_OPTIONS, WEEK_HIGHS_OPTIONS
from simulator.solve.weeks import week_blocks, week_tasks
from simulator.testing import HOURLY_RULE, short_scenario, tiny_network

SPAN_DAYS = 17  # two whole weeks and three days: the last week overlaps the second


@pytest.fixture(scope="module")
def weekly(data: InputData) -> tuple[pypsa.Network, SolveReport]:
    """base_2022 from the dry season, 17 days, solved week by week in two processes, under the
    hourly market rule (so that its two passes are exercised)."""
    n = build_network(short_scenario(start="2022-02-14", days=SPAN_DAYS, market=HOURLY_RULE), data)
    return n, solve_weekly(n, cores=2)


@pytest.fixture(scope="module")
def monolithic(data: InputData) -> tuple[pypsa.Network, SolveReport]:
    """The same 17 days as ``weekly``, as one LP."""
    n = build_network(short_scenario(start="2022-02-14", days=SPAN_DAYS, market=HOURLY_RULE), data)
    return n, solve_network(n)


CASES: dict[str, dict[str, Any]] = {
    "all_siepac": {"market": {"mexico_trade": "all_siepac"}},
    "base": {},  # the shipped default: Mexican imports in merit order with the must-take contract
    "guatemala_only": {"market": HOURLY_RULE},  # the weekly and monolithic fixtures
    "guatemala_only_3h": {"market": HOURLY_RULE, "solve": {"resolution_hours": 3}},
    "extendable_anchor": {"path": "anchor_tapachula.yaml", "gas": {"anchor": {"extendable": True}}},
}
"""Weekly against one LP on the same 17 days of the dry season: with the market as one LP,
the shipped base (merit-order Mexican imports, must-take contract), the two-pass
``guatemala_only`` hourly rule hourly and 3-hourly, and with a gas anchor plant whose
capacity the optimiser chooses (the coarse stage chooses it for the weeks)."""

Pair = tuple[pypsa.Network, SolveReport, pypsa.Network, SolveReport]


@pytest.fixture(scope="module", params=list(CASES))
def strategies(request: pytest.FixtureRequest, data: InputData) -> Pair:
    """(weekly network, report, monolithic network, report) of one of :data:`CASES`."""
    if request.param == "guatemala_only":
        return (*request.getfixturevalue("weekly"), *request.getfixturevalue("monolithic"))
    scenario = short_scenario(start="2022-02-14", days=SPAN_DAYS, **CASES[request.param])
    weekly, monolithic = build_network(scenario, data), build_network(scenario, data)
    return weekly, solve_weekly(weekly, cores=1), monolithic, solve_network(monolithic)


def kpis_side_by_side(pair: Pair) -> pd.DataFrame:
    """Both strategies' KPIs on one row per metric, region and carrier."""
    n, _, monolithic, _ = pair
    a, b = compute_kpis(n, "weekly"), compute_kpis(monolithic, "monolithic")
    return a.merge(b, on=["metric", "region", "carrier"], suffixes=("_weekly", "_monolithic"))


def pick(both: pd.DataFrame, metric: str, carrier: str = "") -> pd.DataFrame:
    return both[(both.metric == metric) & (both.carrier == carrier)].set_index("region")


def test_weeks_cover_every_snapshot_once() -> None:
    year = pd.date_range("2022-01-01", periods=8760, freq="h")
    weeks = week_blocks(year)
    assert len(weeks) == 53
    assert {len(w.snapshots) for w in weeks} == {168}  # one model shape serves them all
    kept = pd.DatetimeIndex(np.concatenate([w.keep for w in weeks]))
    assert kept.equals(year)
    assert len(weeks[-1].keep) == 24 and weeks[-1].snapshots[0] == pd.Timestamp("2022-12-25")
    assert len(week_blocks(year[: 5 * 24])) == 1
    three_hourly = pd.date_range("2022-01-01", periods=10 * 8, freq="3h")
    assert [len(w.keep) for w in week_blocks(three_hourly)] == [56, 24]


def test_daily_border_limit_is_the_mean_of_the_hourly_windows() -> None:
    from simulator.network.meta import BorderLimit

    day = BorderLimit("MX_to_GT_day", {"L1": 1.0}, 210.0, 8, 21)  # 14 hours
    night = BorderLimit("MX_to_GT_night", {"L1": 1.0}, 140.0, 22, 7)  # 10 hours
    partial = BorderLimit("peak_only", {"L2": 1.0}, 50.0, 18, 21)
    limits = coarse_border_limits([day, night, partial], 24)
    assert len(limits) == 1  # a limit that leaves hours free gives no daily limit
    assert limits[0].limit_mw == pytest.approx((14 * 210 + 10 * 140) / 24)


def test_week_model_reused_in_place_equals_a_fresh_build(data: InputData) -> None:
    """Re-solving the first week's model for the second week gives the LP built for that week."""
    scenario = short_scenario(start="2022-02-14", days=14, market={"mexico_trade": "all_siepac"})
    n = build_network(scenario, data)
    weeks = week_blocks(n.snapshots)
    # a dearer Mexico in the second week, so the in-place cost update is put to the test
    costs = n.generators_t.marginal_cost.copy()
    costs.loc[weeks[1].snapshots] *= 1.3
    n.generators_t.marginal_cost = costs
    boundaries = coarse_stage(n, {**COARSE_HIGHS_OPTIONS, "threads": 1})
    tasks = week_tasks(weeks, boundaries.daily_mwh, boundaries.initial_mwh)
    model = WeekModel(n, weeks[0].snapshots, WEEK_HIGHS_OPTIONS)
    model.solve(0, 2, weeks[0], tasks[0].start_mwh, tasks[0].levels_mwh)  # leaves a basis behind
    second = model.solve(1, 2, weeks[1], tasks[1].start_mwh, tasks[1].levels_mwh)

    fresh = n.copy(snapshots=weeks[1].snapshots)
    fresh.meta = n.meta
    fresh.storage_units.state_of_charge_initial = tasks[1].start_mwh
    level = pd.DataFrame(np.nan, index=weeks[1].snapshots, columns=fresh.storage_units.index)
    level.iloc[-1] = tasks[1].levels_mwh.iloc[-1]
    fresh.storage_units_t.state_of_charge_set = level
    fresh.storage_units.cyclic_state_of_charge = False
    solve_network(fresh)

    assert second.objective_usd == pytest.approx(float(fresh.objective), rel=1e-7)
    # prices at the national hubs (the reported ones); with petcoke-priced Guatemalan coal a few
    # hours have degenerate duals at intermediate SIEPAC substations, where either LP may pick
    # another, equally valid, price
    hubs = fresh.buses.index[fresh.buses.national_hub.astype(bool)]
    prices = second.series[("Bus", "marginal_price")][hubs]
    assert np.abs(prices.to_numpy() - fresh.buses_t.marginal_price[hubs].to_numpy()).max() < 1e-3


def test_week_boundaries_hold_the_coarse_levels(weekly: tuple[pypsa.Network, SolveReport], data: InputData) -> None:
    n, _ = weekly
    again = build_network(short_scenario(start="2022-02-14", days=SPAN_DAYS, market=HOURLY_RULE), data)
    boundaries = coarse_stage(again, {**COARSE_HIGHS_OPTIONS, "threads": 1})
    soc = n.storage_units_t.state_of_charge
    for week in week_blocks(n.snapshots):
        last = week.keep[-1]
        expected = boundaries.daily_mwh.loc[last.normalize()]
        assert soc.loc[last].to_numpy() == pytest.approx(expected[soc.columns].to_numpy(), abs=1e-3)
    # and the span ends where the seasonal rule curve says
    final = n.storage_units_t.state_of_charge_set.iloc[-1]
    assert soc.iloc[-1].to_numpy() == pytest.approx(final[soc.columns].to_numpy(), abs=1e-3)


def test_water_balance_is_continuous_across_weeks(weekly: tuple[pypsa.Network, SolveReport]) -> None:
    n, _ = weekly
    soc = n.storage_units_t.state_of_charge
    previous = soc.shift(1)
    previous.iloc[0] = n.storage_units.state_of_charge_initial[soc.columns]
    balance = previous + n.storage_units_t.inflow[soc.columns] - n.storage_units_t.p[soc.columns]
    balance -= n.storage_units_t.spill[soc.columns] + soc
    assert balance.abs().to_numpy().max() < 1e-3


def test_reported_cost_and_prices_follow_from_the_stitched_hours(weekly: tuple[pypsa.Network, SolveReport]) -> None:
    """Recomputed from the written results, not from the post-solve checks (which already
    hold balance, ratings and limits): every hour is there once, the reported objective is the
    cost of those hours (the overlapping last week's repeated days counted once), and each
    hour's price is the marginal cost of a unit running between its bounds at that bus."""
    n, report = weekly
    assert report.strategy == "weekly" and report.details["weeks"] == 3
    for frame in (n.generators_t.p, n.lines_t.p0, n.storage_units_t.p, n.buses_t.marginal_price):
        assert frame.index.equals(n.snapshots)
    assert objective_usd(n) == pytest.approx(report.objective_usd, rel=1e-7)
    gap, cases = largest_price_gap(n)
    assert cases > 17 * 24  # about one partly loaded unit per hour at least: not a vacuous check
    assert gap < 1e-3


def test_cost_and_prices_follow_from_the_results_for_both_strategies(strategies: Pair) -> None:
    """The same recomputation for each case, one LP included (extendable capacity: its capital cost)."""
    n, report, monolithic, reference = strategies
    for net, solved in ((n, report), (monolithic, reference)):
        assert objective_usd(net) == pytest.approx(solved.objective_usd, rel=1e-7)
        gap, cases = largest_price_gap(net)
        assert cases > 0 and gap < 1e-3


def test_weekly_cost_and_hydro_are_close_to_monolithic(strategies: Pair) -> None:
    """The issue's accuracy targets, on a reduced case: cost 0.5 %, hydro 1 %."""
    both = kpis_side_by_side(strategies)
    cost = pick(both, "system_cost")
    assert cost.value_weekly.iloc[0] == pytest.approx(cost.value_monolithic.iloc[0], rel=0.005)
    hydro = pick(both, "generation", "hydro").loc[list(COUNTRIES)]
    assert np.allclose(hydro.value_weekly, hydro.value_monolithic, rtol=0.01)


GUATEMALA_PRICE_RTOL = {"guatemala_only": 0.12, "guatemala_only_3h": 0.12, "extendable_anchor": 0.15}
"""Cases in which Guatemala's price is held only loosely, and why (see the test below)."""


def test_weekly_prices_are_close_to_monolithic(strategies: Pair, request: pytest.FixtureRequest) -> None:
    """Load-weighted prices within 2 % in every country, with two measured exceptions for
    Guatemala, whose price since the 2022 calibration (petcoke, full export borders) is set
    by whichever of few units is marginal, so small differences in the solution move it far:

    - under the two-pass ``guatemala_only`` rule, each strategy gives each conflict hour to
      imports or to exports by a heuristic on its own relaxation (see the corridor test
      below); an hour given to exports is priced by Guatemala's units, one given to Mexico
      by Mexico's offer: 107.9 against 119.4 USD/MWh hourly (-9.6 %), +2.0 % at 3 h, at a
      system cost within 0.5 %;
    - with an extendable anchor both are short-run prices of the system as built (the
      monolithic solve re-dispatches at its optimum), but the coarse stage sizes the anchor
      on 6-hour steps, 3.5 % above the hourly LP: GT 79.9 against 92.5 USD/MWh (-13.5 %),
      the other countries within 0.3 %. Sizing questions are for ``--strategy monolithic``
      until the expansion issue moves investment to a stage that sees the hourly peak.
    """
    case = request.node.callspec.params["strategies"]
    prices = pick(kpis_side_by_side(strategies), "price_load_weighted").loc[list(COUNTRIES)]
    others = prices.drop(index="GT") if case in GUATEMALA_PRICE_RTOL else prices
    assert np.allclose(others.value_weekly, others.value_monolithic, rtol=0.02), others[
        ["value_weekly", "value_monolithic"]
    ]
    if case in GUATEMALA_PRICE_RTOL:
        gt = prices.loc["GT"]
        assert gt.value_weekly == pytest.approx(gt.value_monolithic, rel=GUATEMALA_PRICE_RTOL[case])


def test_weekly_corridors_are_close_to_monolithic(strategies: Pair) -> None:
    """Every corridor's traded energy (both directions) within 3 %, however little it trades.

    Where the two-pass ``guatemala_only`` rule (``mexico_rule: hourly_exclusive``) binds,
    Guatemala's three corridors (MX-GT, GT-SV, GT-HN) are held to a share of Guatemala's
    total trade instead of their own, and the others to 3 % or 1 % of it. The rule is met by
    a heuristic (:func:`simulator.solve.market_rule.market_rule_cut`): each hour in which the
    relaxation imports from Mexico and exports at once is given to the larger flow and the
    other is stopped. One LP and the weeks (each with its water fixed at both ends) relax to
    different conflict hours (367 against 445 at hourly resolution, 124 against 149 at
    3-hourly before the 2022 calibration), so energy moves between Mexican imports and
    Guatemala's two export corridors. Before the calibration the moves were under 1 % of
    Guatemala's trade; with EDP out until May and Guatemala's coal on petcoke they reach
    18 % at 3 h (MX-GT 43.2 against 49.7 GWh) at a system cost within 0.5 %: near-equal
    alternatives of a non-convex rule, not an error of the decomposition. The shipped base
    dispatches Mexico in merit order (``base`` case), where every corridor is within 3 %.
    """
    _, report, _, reference = strategies
    both = kpis_side_by_side(strategies)
    flows = both[both.metric.isin(["flow_forward", "flow_backward"])]
    total = flows.groupby("region")[["value_weekly", "value_monolithic"]].sum()
    assert len(total) == 7  # MX-GT and the six SIEPAC borders, none skipped
    rule_binds = report.market_rule.get("conflict_hours", 0) > 0 and reference.market_rule["conflict_hours"] > 0
    guatemala = total.index.to_series().str.split("-").map(lambda ends: "GT" in ends)
    held = total[~guatemala] if rule_binds else total
    gt = total[guatemala]
    # the rule's hours reach beyond Guatemala (SV-HN 1.16 against 0.91 GWh): 1 % of its trade
    slack = 0.01 * gt.value_monolithic.sum() if rule_binds else 0.0
    assert np.allclose(held.value_weekly, held.value_monolithic, rtol=0.03, atol=slack), held
    if rule_binds:
        # measured after the 2022 calibration: 3 % of Guatemala's trade hourly, 18 % at 3 h
        # (MX-GT 43.2 against 49.7 GWh), each at a system cost within 0.5 % (asserted above)
        assert np.allclose(gt.value_weekly, gt.value_monolithic, rtol=0, atol=0.2 * gt.value_monolithic.sum()), gt


@pytest.mark.parametrize("strategies", ["extendable_anchor"], indirect=True)
def test_weekly_extendable_anchor_is_sized_and_run_as_one_lp_would(strategies: Pair) -> None:
    """The coarse stage sizes the anchor for the weeks (6-hourly: within 5 % of the hourly LP's
    choice, +3.5 % measured) and the weeks run what they get as one LP does (its output
    within 5 %, +3.5 % measured: it runs at the same load factor)."""
    n, _, monolithic, report = strategies
    assert report.details["capital_cost_usd"] > 0  # the LP chose the capacity, then fixed it to re-dispatch
    assert not monolithic.links.p_nom_extendable["anchor plant"]
    capacity = monolithic.links.p_nom_opt["anchor plant"]
    assert 0 < capacity < monolithic.links.p_nom_max["anchor plant"]  # chosen, not at a bound
    assert n.links.p_nom_opt["anchor plant"] == pytest.approx(capacity, rel=0.05)
    energy = [float(net.links_t.p1["anchor plant"].sum()) for net in (n, monolithic)]
    assert energy[0] == pytest.approx(energy[1], rel=0.05)
    load_factors = [e / net.links.p_nom_opt["anchor plant"] for e, net in zip(energy, (n, monolithic), strict=True)]
    assert load_factors[0] == pytest.approx(load_factors[1], rel=0.01)


def test_weekly_market_rule_lies_between_the_bound_and_the_monolithic_heuristic(
    weekly: tuple[pypsa.Network, SolveReport], monolithic: tuple[pypsa.Network, SolveReport]
) -> None:
    _, report = weekly
    _, reference = monolithic
    rule = report.market_rule
    assert rule["relaxation_objective_usd"] <= rule["objective_usd"] + 1e-6
    assert rule["objective_usd"] == pytest.approx(report.objective_usd)
    # weekly's coarse stage only re-times water, so its relaxation is within 0.5 % of one LP's
    assert rule["relaxation_objective_usd"] == pytest.approx(
        reference.market_rule["relaxation_objective_usd"], rel=0.005
    )
    assert report.objective_usd <= reference.objective_usd * 1.005


def test_one_and_two_processes_give_the_same_answer(weekly: tuple[pypsa.Network, SolveReport], data: InputData) -> None:
    _, report = weekly
    single = build_network(short_scenario(start="2022-02-14", days=SPAN_DAYS, market=HOURLY_RULE), data)
    again = solve_weekly(single, cores=1)
    assert again.details["processes"] == 1
    assert again.objective_usd == pytest.approx(report.objective_usd, rel=1e-9)


def spike(n: pypsa.Network, when: str) -> pypsa.Network:
    """Make one hour unservable: Guatemala's load far beyond all supply, shedding included."""
    loads = n.loads_t.p_set.copy()
    loads.loc[pd.Timestamp(when), "GT load"] = 20_000.0
    n.loads_t.p_set = loads
    return n


def test_a_failing_week_is_named_with_its_reason(data: InputData) -> None:
    n = spike(build_network(short_scenario(start="2022-02-14", days=SPAN_DAYS), data), "2022-02-23 19:00")
    with pytest.raises(SolveError, match=r"week 2 of 3 \(2022-02-21 to 2022-02-27\).*infeasible"):
        solve_weekly(n, cores=2)


def test_a_failing_week_writes_no_results_and_exits_non_zero(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    import simulator.run
    from simulator.cli import app

    real_build = simulator.run.build_network
    monkeypatch.setattr(simulator.run, "build_network", lambda s, d: spike(real_build(s, d), "2022-02-23 19:00"))
    scenario = tmp_path / "failing.yaml"
    scenario.write_text(
        f"name: failing\nyear: 2022\nhydrology: 2022\nsolve:\n  start_date: 2022-02-14\n  days: {SPAN_DAYS}\n",
        encoding="utf-8",
    )
    out = tmp_path / "results"
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(out)])
    assert result.exit_code == 2
    assert "week 2 of 3 (2022-02-21 to 2022-02-27)" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


def test_a_time_varying_input_it_cannot_update_gets_a_fresh_model_per_week(data: InputData) -> None:
    """A derated line in some hours is not among the inputs updated in place: every week is then
    built afresh from its own data, and the derating holds."""
    scenario = short_scenario(start="2022-02-14", days=SPAN_DAYS, market={"mexico_trade": "all_siepac"})
    weekly, monolithic = build_network(scenario, data), build_network(scenario, data)
    line = weekly.lines.index[weekly.lines.s_nom > 0][0]
    derate = pd.DataFrame({line: np.where(weekly.snapshots.day % 2 == 0, 0.3, 1.0)}, index=weekly.snapshots)
    weekly.lines_t.s_max_pu = derate
    monolithic.lines_t.s_max_pu = derate
    report = solve_weekly(weekly, cores=1)
    solve_network(monolithic)
    assert report.details["model_reused_between_weeks"] is False
    rating = weekly.lines.s_nom[line] * derate[line]
    assert (weekly.lines_t.p0[line].abs() <= rating + 1e-4).all()
    assert report.objective_usd == pytest.approx(float(monolithic.objective), rel=0.005)


def test_weekly_write_back_uses_the_hourly_link_efficiency() -> None:
    """A link whose efficiency changes by the hour: the weeks' link outputs (``p1``) are the
    hourly efficiency times the input, as PyPSA writes them, and every bus balances.

    Energy reaches B's load only through the link; its efficiency alternates between 0.5 and
    0.8, so the link's input must be load / efficiency in each hour.
    """
    hours = 10 * 24
    n = tiny_network(
        {"A": "GT", "B": "SV"},
        [],
        [("B shed", "B", "load_shedding", 1e4, 5000.0)],
        {"B": 100.0},
        hours=hours,
    )
    n.add("Generator", "A gas supply", bus="A", carrier="gas", p_nom=1e4, marginal_cost=10.0, country="GT")
    efficiency = pd.Series(np.where(np.arange(hours) % 2 == 0, 0.5, 0.8), index=n.snapshots)
    n.add("Link", "A to B", bus0="A", bus1="B", p_nom=1e3, efficiency=efficiency, carrier="gas")
    monolithic = n.copy()
    solve_weekly(n, cores=1)
    solve_network(monolithic)
    expected_input = 100.0 / efficiency
    assert np.allclose(n.links_t.p0["A to B"], expected_input, atol=1e-6)
    assert np.allclose(n.links_t.p1["A to B"], -100.0, atol=1e-6)
    assert np.allclose(n.links_t.p1["A to B"], monolithic.links_t.p1["A to B"], atol=1e-6)
