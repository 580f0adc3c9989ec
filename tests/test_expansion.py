"""Capacity expansion (issue 16): candidates, the planning reserve margin, the two strategies, results."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pypsa
import pytest
from typer.testing import CliRunner

from simulator.cli import app
from simulator.data import InputData
from simulator.errors import ScenarioError
from simulator.expansion_data import candidates
from simulator.network import build_network
from simulator.network.capital import span_years
from simulator.network.expansion import import_capacity_mw
from simulator.network.meta import BorderLimit, ReserveRow, network_meta, update_meta
from simulator.paths import scenarios_dir
from simulator.results.kpis import compute_kpis, new_capacity_mw
from simulator.run import run_scenario
from simulator.solve import solve_network, solve_weekly
from simulator.solve.assembly import build_model
from simulator.solve.highs import solve_model
from simulator.testing import short_scenario, tiny_network

runner = CliRunner()


def test_reserve_margin_row_builds_the_firm_capacity_energy_alone_would_not() -> None:
    # one bus, 100 MW load, 80 MW of existing firm plant at 50 USD/MWh, and two candidates:
    # a cheap-energy one with no capacity credit (PV-like, 10 USD/MW for the span, 0 USD/MWh)
    # and a firm one (OCGT-like, 1,000 USD/MW, 90 USD/MWh, credit 0.9).
    n = tiny_network({"a": "GT"}, [], [("old", "a", "gas", 80.0, 50.0)], {"a": 100.0}, hours=3)
    n.add("Generator", "shed", bus="a", p_nom=1000.0, marginal_cost=10_000.0, country="GT")
    n.add("Generator", "pv", bus="a", p_nom_extendable=True, p_nom_max=500, capital_cost=10.0, country="GT")
    n.add("Generator", "ocgt", bus="a", p_nom_extendable=True, p_nom_max=500, capital_cost=1000.0, marginal_cost=90.0)
    n.generators_t.p_max_pu["pv"] = pd.Series([0.0, 1.0, 1.0], index=n.snapshots)
    # without a margin: 20 MW of OCGT for the dark hour (cheaper than shedding), PV for the rest
    build_model(n)
    solve_model(n, {"output_flag": False})
    assert n.generators.p_nom_opt["ocgt"] == pytest.approx(20.0, abs=1e-6)
    # with a 15 % margin: firm 80 + 0.9 x ocgt >= 115, so ocgt = 35 / 0.9 (PV counts nothing)
    row = ReserveRow("GT", "2022-01", 100.0, 15.0, 80.0, 0.0, 0.0, {"Generator": {"ocgt": 0.9, "pv": 0.0}})
    update_meta(n, reserve=(row,))
    build_model(n)
    solve_model(n, {"output_flag": False})
    assert n.generators.p_nom_opt["ocgt"] == pytest.approx(35.0 / 0.9, abs=1e-6)
    # the row's dual is the capacity price: the OCGT's capital cost per firm MW
    dual = float(n.model.constraints["Reserve-margin-GT-2022-01"].dual)
    assert dual == pytest.approx(1000.0 / 0.9, rel=1e-6)
    # an import credit relaxes it: 40 MW of imports at share 0.5 count 20 MW
    update_meta(n, reserve=(ReserveRow("GT", "2022-01", 100.0, 15.0, 80.0, 40.0, 0.5, row.credits),))
    build_model(n)
    solve_model(n, {"output_flag": False})
    assert n.generators.p_nom_opt["ocgt"] == pytest.approx(20.0, abs=1e-6)


def test_import_capacity_is_limited_by_lines_and_the_border_limits_in_force() -> None:
    lines = pd.DataFrame(
        {"bus0": ["x", "y", "z"], "bus1": ["g", "g", "g"], "s_nom": [300.0, 300.0, 225.0]},
        index=["XG", "YG", "ZG"],
    ).assign(bus0_country=["SV", "HN", "MX"], bus1_country="GT")
    assert import_capacity_mw(lines, [], "GT", 19) == pytest.approx(825.0)
    limits = [
        BorderLimit("SV_HN_to_GT", {"XG": 1.0, "YG": 1.0}, 260.0, 0, 23),
        BorderLimit("MX_day", {"ZG": 1.0}, 210.0, 6, 21),
        BorderLimit("MX_night", {"ZG": 1.0}, 140.0, 22, 5),
    ]
    assert import_capacity_mw(lines, limits, "GT", 19) == pytest.approx(260.0 + 210.0)
    assert import_capacity_mw(lines, limits, "GT", 23) == pytest.approx(260.0 + 140.0)
    # seen from Mexico: the one line, against its direction
    assert import_capacity_mw(lines, limits, "MX", 19) == pytest.approx(225.0)


@pytest.fixture(scope="module")
def expansion_week(data: InputData) -> pypsa.Network:
    """expansion_2030, one March week (before PEG-5: Guatemala is short), weekly strategy."""
    n = build_network(short_scenario("expansion_2030.yaml", start="2030-03-04", days=7), data)
    solve_weekly(n, cores=1)
    return n


def test_candidates_are_within_their_potentials_and_every_reserve_row_holds(
    expansion_week: pypsa.Network, data: InputData
) -> None:
    n = expansion_week
    potentials = candidates(2030, data.root).set_index(["country", "technology", "fuel"]).p_nom_max_mw
    built = new_capacity_mw(n)
    assert len(built) > 0 and built.capacity_mw.sum() > 100
    for component in ("Generator", "StorageUnit"):
        static = n.components[component].static
        new = static[static.candidate.fillna("") != ""]
        assert (new.p_nom_opt <= new.p_nom_max + 1e-6).all()
        for name, row in new.iterrows():
            label = str(row.candidate)
            technology, fuel = label.rsplit("_", 1) if label.endswith("_lng") else (label, "none")
            assert row.p_nom_max == pytest.approx(potentials[(row.country, technology, fuel)]), name
    rows = network_meta(n).reserve
    assert {r.country for r in rows} == {"GT", "SV", "HN", "NI", "CR", "PA"}
    assert any(r.new_firm_needed_mw > 0 for r in rows)  # Guatemala before PEG-5
    for row in rows:
        firm_new = 0.0
        for component, credits in row.credits.items():
            static = n.components[component].static
            firm_new += sum(credit * float(static.p_nom_opt[name]) for name, credit in credits.items())
        # recomputed from the solved capacities, independently of the LP's row
        assert row.firm_mw + row.import_credit_mw + firm_new >= row.required_mw - 1e-3, row


def test_expansion_kpis_add_up(expansion_week: pypsa.Network) -> None:
    n = expansion_week
    kpis = compute_kpis(n, "x").set_index(["metric", "region", "carrier"]).value
    capital = sum(
        float((n.components[c].static.capital_cost * n.components[c].static.p_nom_opt).sum())
        for c in ("Generator", "StorageUnit")
    )
    assert kpis[("investment_cost", "ALL", "")] == pytest.approx(capital / span_years(n) / 1e6, rel=1e-9)
    countries = sum(kpis[("investment_cost", c, "")] for c in ("GT", "SV", "HN", "NI", "CR", "PA"))
    assert countries == pytest.approx(kpis[("investment_cost", "ALL", "")], rel=1e-9)
    total = kpis[("system_cost", "ALL", "")] + kpis[("investment_cost", "ALL", "")] * span_years(n)
    assert kpis[("total_cost", "ALL", "")] == pytest.approx(total, rel=1e-9)
    # operating cost recomputed from the dispatch: generators' and storage's marginal cost x output
    w = n.snapshot_weightings.objective
    operating = (n.generators_t.p.mul(w, axis=0) * n.generators.marginal_cost).to_numpy().sum()
    assert kpis[("system_cost", "ALL", "")] * 1e6 >= operating * 0.999  # plus the hurdle on SIEPAC flows
    assert float(n.generators_t.p.filter(like="load_shedding").to_numpy().sum()) < 1.0  # capacity closes the gap


def test_weekly_expansion_matches_the_hourly_expansion_lp(data: InputData) -> None:
    """The decomposition against the monolithic hourly LP on a span it can afford (14 days)."""
    results = {}
    for strategy in ("monolithic", "weekly"):
        n = build_network(short_scenario("expansion_2030.yaml", start="2030-03-01", days=14), data)
        solve_network(n) if strategy == "monolithic" else solve_weekly(n, cores=1)
        kpis = compute_kpis(n, strategy).set_index(["metric", "region", "carrier"]).value
        results[strategy] = (new_capacity_mw(n).set_index(["country", "candidate"]).capacity_mw, kpis)
    (mono, mono_kpis), (weekly, weekly_kpis) = results["monolithic"], results["weekly"]
    total = ("total_cost", "ALL", "")
    assert weekly_kpis[total] == pytest.approx(mono_kpis[total], rel=0.002)
    assert weekly_kpis[total] >= mono_kpis[total] * (1 - 1e-6)  # the hourly LP is the optimum
    difference = (weekly - mono.reindex(weekly.index, fill_value=0.0)).abs()
    assert difference.sum() <= 0.04 * mono.sum(), difference[difference > 1]


def test_infeasible_margin_exits_2_naming_the_country_and_the_shortfall(tmp_path: Path) -> None:
    path = tmp_path / "short.yaml"
    path.write_text(
        f"extends: {scenarios_dir() / 'expansion_2030.yaml'}\nname: short\n"
        "expansion:\n  technologies: [solar_pv]\n  reserve_margin_pct: 60\nsolve:\n  days: 3\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert (
        "reserve margin cannot be met" in result.output
        and "GT short by" in result.output
        and "in 2030-0" in result.output
    )
    assert "MW" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out" / "short").exists()


def test_expansion_in_an_observed_year_is_refused(tmp_path: Path, data: InputData) -> None:
    path = tmp_path / "old.yaml"
    path.write_text("extends: base_2022.yaml\nname: old\nexpansion:\n  enabled: true\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "expansion.enabled" in result.output and "2030, 2035" in result.output
    with pytest.raises(ScenarioError, match=r"expansion\.enabled"):
        build_network(short_scenario("base_2022.yaml", expansion={"enabled": True}), data)


def test_pipeline_gas_candidates_need_a_pipeline_route(data: InputData) -> None:
    plain = build_network(short_scenario("expansion_2030.yaml", days=1), data)
    routed = build_network(short_scenario("expansion_2030_anchor_tapachula.yaml", days=1), data)
    assert not any("pipeline_gas" in str(name) for name in plain.links.index)
    new = routed.links[routed.links.index.str.contains("new ccgt_pipeline_gas")]
    assert list(new.country) == ["GT"] and new.bus0.iloc[0] == routed.links.bus0["anchor plant"]
    # p_nom is gas input: the potential in electric MW is p_nom_max x efficiency
    assert float(new.p_nom_max.iloc[0] * new.efficiency.iloc[0]) == pytest.approx(960.0)


def test_compare_shows_the_capacity_deferred(tmp_path: Path) -> None:
    for name in ("expansion_2030.yaml", "expansion_2030_second_circuit.yaml"):
        run_scenario(short_scenario(name, start="2030-03-04", days=2), tmp_path)
    result = runner.invoke(
        app, ["compare", str(tmp_path / "expansion_2030"), str(tmp_path / "expansion_2030_second_circuit")]
    )
    assert result.exit_code == 0, result.output
    assert "capacity deferred" in result.output
    out = tmp_path / "cmp.csv"
    folders = [str(tmp_path / "expansion_2030"), str(tmp_path / "expansion_2030_second_circuit")]
    assert runner.invoke(app, ["compare", *folders, "--out", str(out)]).exit_code == 0
    table = pd.read_csv(out, keep_default_na=False)
    totals = table[(table.metric == "capacity_new") & (table.region == "ALL")]
    ref = pd.read_csv(tmp_path / "expansion_2030" / "kpis.csv", keep_default_na=False)
    assert float(totals.reference_value.iloc[0]) == pytest.approx(float(ref[ref.metric == "capacity_new"].value.sum()))
    assert {"investment_cost", "total_cost"} <= set(table.metric)
