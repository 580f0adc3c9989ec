"""Prices, flows and limits on networks small enough to compute by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from simulator.errors import SolveError
from simulator.network.meta import BorderLimit
from simulator.results.kpis import compute_kpis
from simulator.solve import solve_network
from simulator.testing import tiny_network


def value(kpis: pd.DataFrame, metric: str, region: str, carrier: str = "") -> float:
    row = kpis[(kpis.metric == metric) & (kpis.region == region) & (kpis.carrier == carrier)]
    assert len(row) == 1, (metric, region, carrier)
    return float(row.value.iloc[0])


def two_countries(limit_mw: float | None) -> tuple:
    limits = [BorderLimit("GT_to_SV", {"L": 1.0}, limit_mw, 0, 23)] if limit_mw is not None else []
    n = tiny_network(
        buses={"G": "GT", "S": "SV"},
        lines=[("L", "G", "S", 10.0, 500.0)],
        generators=[("G cheap", "G", "hydro", 1000.0, 10.0), ("S dear", "S", "oil", 1000.0, 50.0)],
        loads={"G": 100.0, "S": 300.0},
        limits=limits,
    )
    return n, solve_network(n)


def test_border_limit_sets_flow_and_price_difference() -> None:
    n, report = two_countries(limit_mw=100.0)
    # GT exports exactly the limit; each side is priced by its own marginal unit.
    assert n.lines_t.p0["L"].tolist() == pytest.approx([100.0] * 4)
    assert n.buses_t.marginal_price["G"].tolist() == pytest.approx([10.0] * 4)
    assert n.buses_t.marginal_price["S"].tolist() == pytest.approx([50.0] * 4)
    # the border constraint's dual is the price spread (USD/MWh)
    assert abs(float(n.model.constraints["Border-GT_to_SV"].dual.mean())) == pytest.approx(40.0)
    assert report.objective_usd == pytest.approx(4 * (10.0 * 200 + 50.0 * 200))
    kpis = compute_kpis(n, "tiny")
    assert value(kpis, "net_exports", "GT") == pytest.approx(0.4)  # 100 MW x 4 h = 0.4 GWh
    assert value(kpis, "net_exports", "SV") == pytest.approx(-0.4)
    assert value(kpis, "flow_forward", "GT-SV") == pytest.approx(0.4)
    assert value(kpis, "hours_at_limit", "GT-SV") == 4
    assert value(kpis, "regional_traded_energy", "ALL") == pytest.approx(0.4)
    assert value(kpis, "price_load_weighted", "SV") == pytest.approx(50.0)
    assert value(kpis, "generation", "GT", "hydro") == pytest.approx(0.8)
    assert value(kpis, "system_cost", "ALL") == pytest.approx(report.objective_usd / 1e6)


def test_without_limit_the_cheap_country_supplies_both() -> None:
    n, _ = two_countries(limit_mw=None)
    assert n.lines_t.p0["L"].tolist() == pytest.approx([300.0] * 4)
    assert n.buses_t.marginal_price.to_numpy() == pytest.approx(10.0)


def test_kirchhoff_splits_flow_by_reactance_on_a_loop() -> None:
    # A to C directly (x=10) and through B (x=10+10): two thirds take the direct path.
    n = tiny_network(
        buses={"A": "GT", "B": "SV", "C": "HN"},
        lines=[("AB", "A", "B", 10.0, 1000.0), ("BC", "B", "C", 10.0, 1000.0), ("AC", "A", "C", 10.0, 1000.0)],
        generators=[("A gen", "A", "hydro", 1000.0, 10.0), ("C gen", "C", "oil", 1000.0, 80.0)],
        loads={"C": 300.0},
        hours=2,
    )
    solve_network(n)
    assert n.lines_t.p0["AC"].tolist() == pytest.approx([200.0, 200.0])
    assert n.lines_t.p0["AB"].tolist() == pytest.approx([100.0, 100.0])


def test_loop_flow_limit_prices_the_middle_bus_by_hand() -> None:
    # Same loop, AC rated 150 MW: A can only deliver 225 MW (150 direct + 75 around);
    # C's own oil covers the rest, C's price is 80, and B's price is the average of A and C
    # (a 1 MW injection at B relieves AC by as much as it loads it: (10 + 80) / 2 = 45).
    n = tiny_network(
        buses={"A": "GT", "B": "SV", "C": "HN"},
        lines=[("AB", "A", "B", 10.0, 1000.0), ("BC", "B", "C", 10.0, 1000.0), ("AC", "A", "C", 10.0, 150.0)],
        generators=[
            ("A gen", "A", "hydro", 1000.0, 10.0),
            ("C gen", "C", "oil", 1000.0, 80.0),
            ("B gen", "B", "oil", 1000.0, 100.0),
        ],
        loads={"C": 300.0},
        hours=1,
    )
    solve_network(n)
    assert n.lines_t.p0["AC"].iloc[0] == pytest.approx(150.0)
    assert n.generators_t.p["A gen"].iloc[0] == pytest.approx(225.0)
    prices = n.buses_t.marginal_price.iloc[0]
    assert prices["A"] == pytest.approx(10.0)
    assert prices["C"] == pytest.approx(80.0)
    assert prices["B"] == pytest.approx(45.0)


def test_time_of_day_limit_on_the_mexico_link() -> None:
    limits = [
        BorderLimit("MX_to_GT_day", {"T": 1.0}, 210.0, 6, 21),
        BorderLimit("MX_to_GT_night", {"T": 1.0}, 140.0, 22, 5),
    ]
    n = tiny_network(
        buses={"M": "MX", "G": "GT"},
        lines=[("T", "M", "G", 10.0, 225.0)],
        generators=[("MX spot", "M", "mexico", 400.0, 40.0), ("GT oil", "G", "oil", 1000.0, 120.0)],
        loads={"G": 500.0},
        hours=24,
        limits=limits,
    )
    solve_network(n)
    flow = n.lines_t.p0["T"]
    day = flow.index.hour.isin(range(6, 22))
    assert flow[day].tolist() == pytest.approx([210.0] * day.sum())
    assert flow[~day].tolist() == pytest.approx([140.0] * (~day).sum())


def test_infeasible_problem_is_reported_not_returned() -> None:
    n = tiny_network(
        buses={"G": "GT"},
        lines=[],
        generators=[("G gen", "G", "oil", 100.0, 50.0)],
        loads={"G": 300.0},
        hours=2,
    )
    with pytest.raises(SolveError, match="infeasible"):
        solve_network(n)


def test_hurdle_cost_separates_prices_by_its_value() -> None:
    # Without a binding limit GT supplies SV, and SV's price is GT's plus the 5 USD/MWh hurdle.
    n = tiny_network(
        buses={"G": "GT", "S": "SV"},
        lines=[("L", "G", "S", 10.0, 500.0)],
        generators=[("G cheap", "G", "hydro", 1000.0, 10.0), ("S dear", "S", "oil", 1000.0, 50.0)],
        loads={"G": 100.0, "S": 300.0},
    )
    n.meta["hurdle"] = {"usd_per_mwh": 5.0, "lines": ["L"]}
    report = solve_network(n)
    assert n.lines_t.p0["L"].tolist() == pytest.approx([300.0] * 4)
    assert n.buses_t.marginal_price["S"].to_numpy() == pytest.approx(15.0)
    assert report.objective_usd == pytest.approx(4 * (10.0 * 400 + 5.0 * 300))
    # a hurdle above the price gap stops trade altogether
    n.meta["hurdle"]["usd_per_mwh"] = 45.0
    solve_network(n)
    assert n.lines_t.p0["L"].abs().max() == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("strategy", ["monolithic", "weekly"])
@pytest.mark.parametrize(
    ("options", "named"),
    [({"primal_feasibility_tolerence": 1e-7}, "primal_feasibility_tolerence"), ({"time_limit": "soon"}, "time_limit")],
)
def test_a_solver_option_highs_refuses_fails_the_solve_naming_it(
    strategy: str, options: dict[str, object], named: str
) -> None:
    """HiGHS warns about an unknown option or a value of the wrong type and solves without it;
    the solve must refuse instead, so that no result claims an option it did not use."""
    from simulator.solve import solve_weekly

    n = tiny_network({"G": "GT"}, [], [("G gas", "G", "gas", 100.0, 10.0)], {"G": 50.0})
    with pytest.raises(SolveError, match=named):
        solve_network(n, options) if strategy == "monolithic" else solve_weekly(n, options, cores=1)


def test_the_report_records_the_options_as_highs_held_them() -> None:
    n = tiny_network({"G": "GT"}, [], [("G gas", "G", "gas", 100.0, 10.0)], {"G": 50.0})
    report = solve_network(n, {"threads": 1, "primal_feasibility_tolerance": 1e-8, "solver": "simplex"})
    assert report.solver_options["threads"] == 1
    assert report.solver_options["primal_feasibility_tolerance"] == pytest.approx(1e-8)
    assert report.solver_options["solver"] == "simplex"
