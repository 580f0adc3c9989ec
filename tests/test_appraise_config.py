"""Appraisal files: the schema, the cost defaults of grids/appraisal/, the cases they define, bad files."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from simulator.appraise.cases import build_cases, case_name
from simulator.appraise.config import APPRAISAL_TABLES, load_appraisal, read_parameters, read_projects
from simulator.cli import app
from simulator.data import load_data
from simulator.errors import ScenarioError
from simulator.paths import grids_dir, scenarios_dir
from simulator.routes import load_gas_data, route_table
from simulator.scenario import load_scenario

runner = CliRunner()
SHIPPED = sorted(p.name for p in scenarios_dir().glob("appraisal_*.yaml"))

GOOD = """\
appraisal:
  name: mine
  description: Second circuit over a week.
  reference: base_2030.yaml
  project:
    changes:
      grid.second_circuit: true
  overrides:
    solve.days: 7
  years: [2030, 2035]
  hydrology:
    wet: 0.4
    dry: 0.6
  costs:
    projects: [second_circuit]
    capex_musd: 300
"""


def write(folder: Path, text: str, name: str = "appraisal.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_appraisal_files_are_complete_and_distinct() -> None:
    expected = {
        "appraisal_second_circuit.yaml",
        "appraisal_second_circuit_hn_ni_cr.yaml",
        "appraisal_pipeline_tapachula.yaml",
        "appraisal_pipeline_chiapa_de_corzo.yaml",
        "appraisal_anchor_lng.yaml",
        "appraisal_common_procurement.yaml",
    }
    assert expected <= set(SHIPPED)
    names = {load_appraisal(scenarios_dir() / f).name for f in SHIPPED}
    assert len(names) == len(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_appraisal_file_checks_and_its_cases_validate(name: str) -> None:
    appraisal = load_appraisal(scenarios_dir() / name)
    assert appraisal.config.description
    assert appraisal.config.years == [2030, 2035]
    assert set(appraisal.weights) == {"wet", "dry"}
    cases = build_cases(appraisal)
    assert len(cases) == 2 * 2 * 2
    for case in cases:  # the case's year and weather are the appraisal's, whatever the file says
        assert case.scenario.year == case.year and case.scenario.reference is None
        assert case.scenario.weather_year == {"wet": 2022, "dry": 2023}[case.hydrology]
    result = runner.invoke(app, ["appraise", str(scenarios_dir() / name), "--check"])
    assert result.exit_code == 0, result.output
    if appraisal.config.costs.projects:
        assert appraisal.costs.capex_musd > 0
    else:  # a market rule without investment
        assert appraisal.costs.capex_musd == 0


def test_project_changes_apply_on_top_of_the_reference_case(tmp_path: Path) -> None:
    appraisal = load_appraisal(write(tmp_path, GOOD))
    cases = {c.name: c for c in build_cases(appraisal)}
    assert sorted(cases) == sorted(
        case_name("mine", y, h, r) for y in (2030, 2035) for h in ("wet", "dry") for r in ("project", "reference")
    )
    project, reference = cases["mine-2035-dry-project"].scenario, cases["mine-2035-dry-reference"].scenario
    assert project.grid.second_circuit and not reference.grid.second_circuit
    assert project.solve.days == reference.solve.days == 7
    assert project.year == 2035 and project.weather_year == 2023
    # explicit figures win over the row, the rest comes from grids/appraisal/projects.csv
    row = read_projects().set_index("project").loc["second_circuit"]
    assert appraisal.costs.capex_musd == 300
    assert appraisal.costs.fom_musd_per_year == pytest.approx(float(row.fom_musd_per_year))
    assert appraisal.costs.lifetime_years == int(row.lifetime_years)
    assert appraisal.economics.discount_rate_pct == read_parameters()["discount_rate_pct"]


def test_several_cost_rows_add_up(tmp_path: Path) -> None:
    text = GOOD.replace(
        "projects: [second_circuit]\n    capex_musd: 300", "projects: [pipeline_tapachula, anchor_ccgt_500mw]"
    )
    costs = load_appraisal(write(tmp_path, text)).costs
    rows = read_projects().set_index("project").loc[["pipeline_tapachula", "anchor_ccgt_500mw"]]
    assert costs.capex_musd == pytest.approx(rows.capex_musd.sum())
    assert costs.fom_musd_per_year == pytest.approx(rows.fom_musd_per_year.sum())
    assert costs.lifetime_years == rows.lifetime_years.min()
    assert costs.commissioning_year == rows.commissioning_year.max()


def test_pipeline_costs_match_what_siepac_routes_computes() -> None:
    """grids/appraisal/projects.csv copies the routes' capex: it must follow grids/gas/ when that changes."""
    gas = load_gas_data()
    table = route_table(gas, 3.5, 10.0)
    routes = table.set_index("route") if "route" in table.columns else table
    projects = read_projects().set_index("project")
    opex = gas.parameter("opex_pct_of_capex_per_year") / 100.0
    for route in ("tapachula", "chiapa_de_corzo"):
        row = projects.loc[f"pipeline_{route}"]
        assert row.capex_musd == pytest.approx(routes.loc[route, "capex_musd"], abs=0.01)
        assert row.fom_musd_per_year == pytest.approx(row.capex_musd * opex, rel=1e-4)
        assert row.lifetime_years == gas.parameter("lifetime_years")
    anchor = projects.loc["anchor_ccgt_500mw"]
    assert anchor.capex_musd == pytest.approx(500 * gas.parameter("anchor_ccgt_capex_usd_per_kw") / 1000)
    assert anchor.fom_musd_per_year == pytest.approx(anchor.capex_musd * gas.parameter("anchor_fom_pct_per_year") / 100)
    tranche = projects.loc["second_circuit_hn_ni_cr"]
    assert tranche.capex_musd == 46.4  # S24: BCIE 37.2 + EPR 9.2


def test_appraisal_tables_cite_known_sources_and_carry_tags() -> None:
    known = set(load_data().sources.source_key.astype(str).str.strip())
    for relative in APPRAISAL_TABLES:
        table = pd.read_csv(grids_dir() / relative)
        keys = {k.strip() for cell in table.source.astype(str) for k in cell.split(";")}
        assert keys <= known, (relative, keys - known)
        assert set(table.tag) <= {"found", "derived", "estimate"}
    parameters = read_parameters()
    assert parameters["discount_rate_low_pct"] < parameters["discount_rate_pct"] < parameters["discount_rate_high_pct"]
    assert parameters["co2_low_usd_per_t"] < parameters["co2_usd_per_t"] < parameters["co2_high_usd_per_t"]


def test_the_scenario_loader_points_an_appraisal_file_to_siepac_appraise() -> None:
    path = scenarios_dir() / "appraisal_second_circuit.yaml"
    with pytest.raises(
        ScenarioError, match=r"appraisal_second_circuit.yaml:\d+: this is an appraisal file.*siepac appraise"
    ):
        load_scenario(path)
    result = runner.invoke(app, ["run", str(path)])
    assert result.exit_code == 2 and "siepac appraise" in result.output and "Traceback" not in result.output


BAD = [
    pytest.param(
        GOOD.replace("  years: [2030, 2035]", "  yeras: [2030, 2035]"),
        r":10: unknown key `yeras` under appraisal; did you mean `years`\?",
        id="unknown-key",
    ),
    pytest.param(
        GOOD.replace("    dry: 0.6", "    dry: 0.5"),
        r":12: key `appraisal.hydrology`: weights must sum to 1, found 0.4 \+ 0.5 = 0.9",
        id="weights-not-summing-to-1",
    ),
    pytest.param(
        GOOD.replace("[2030, 2035]", "[2030, 2031]"),
        r":10: key `appraisal.years`: no input data for study year 2031; available years: .*2030, 2035",
        id="unknown-year",
    ),
    pytest.param(
        GOOD.replace("  reference: base_2030.yaml\n", ""),
        r"appraisal.yaml:2: key `appraisal.reference`: Field required",
        id="missing-reference",
    ),
    pytest.param(
        GOOD.replace("reference: base_2030.yaml", "reference: base_2040.yaml"),
        r":4: scenario file 'base_2040.yaml' not found",
        id="reference-file-not-found",
    ),
    pytest.param(
        GOOD.replace("    wet: 0.4", "    damp: 0.4"),
        r":12: key `appraisal.hydrology`: unknown hydrology 'damp'",
        id="unknown-hydrology",
    ),
    pytest.param(
        GOOD.replace("grid.second_circuit: true", "grid.second_circuitt: true"),
        r":7: key `appraisal.project.changes`: `grid.second_circuitt`: `second_circuitt` is not a key under grid; "
        r"did you mean `second_circuit`\?",
        id="unknown-scenario-key-in-changes",
    ),
    pytest.param(
        GOOD.replace("solve.days: 7", "solve.days: 0"),
        r"case mine-2030-wet-project: .*appraisal.yaml:9: key `solve.days`: Input should be greater than or equal to 1",
        id="bad-override-value-points-at-the-appraisal-file",
    ),
    pytest.param(
        GOOD.replace("projects: [second_circuit]", "projects: [second_circuit_full]"),
        r":15: key `appraisal.costs.projects`: no project 'second_circuit_full' in grids/appraisal/projects.csv",
        id="unknown-cost-row",
    ),
    pytest.param(
        GOOD.replace("capex_musd: 300", "capex_musd: -5"),
        r":16: key `appraisal.costs.capex_musd`: Input should be greater than or equal to 0; found -5",
        id="negative-capex",
    ),
    pytest.param(GOOD + "name: extra\n", r":17: unknown top-level key `name`", id="key-outside-appraisal"),
    pytest.param(
        GOOD.replace("  overrides:\n    solve.days: 7", "  overrides:\n    year: 2022"),
        r":9: key `appraisal.overrides`: `year` is set by the appraisal",
        id="override-of-the-year",
    ),
    pytest.param("name: base\nyear: 2030\n", r"appraisal.yaml:1: not an appraisal file", id="a-scenario-file"),
    pytest.param(
        GOOD.replace("    dry: 0.6", "    dry: 0.6\n    dry: 0.6"),
        r":14:\d+: duplicate key `dry` \(first at line 13\)",
        id="dup-key",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_appraisal_files_exit_2_naming_file_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError, match=message):
        build_cases(load_appraisal(path))
    out = tmp_path / "out"
    result = runner.invoke(app, ["appraise", str(path), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and str(path) in " ".join(result.output.split()).replace("\n", "")
    assert re.search(message.replace(" ", r"\s+"), result.output) or re.search(message, " ".join(result.output.split()))
    assert not out.exists()  # nothing written


def test_a_case_the_input_data_refuses_is_bad_input_before_anything_runs(tmp_path: Path) -> None:
    text = GOOD.replace("grid.second_circuit: true", "grid.border_limits_mw: {HN_to_XX: 100}")
    path = write(tmp_path, text)
    out = tmp_path / "out"
    result = runner.invoke(app, ["appraise", str(path), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "case mine-2030-wet-project" in result.output and "HN_to_XX" in result.output
    assert not (out / "appraisal-mine").exists() or not any((out / "appraisal-mine").iterdir())


def test_sampled_draws_are_cases_of_their_own_and_bad_distributions_name_the_line(tmp_path: Path) -> None:
    sample = (
        "  sample:\n    n: 3\n    seed: 7\n    parameters:\n"
        "      fuels.prices.lng.usd_per_mmbtu: {distribution: triangular, low: 9, mode: 11, high: 14}\n"
    )
    appraisal = load_appraisal(write(tmp_path, GOOD + sample))
    from simulator.appraise.run import draws_of

    draws = draws_of(appraisal)
    cases = build_cases(appraisal, draws)
    assert len(cases) == 8 * (1 + 3)
    drawn = [c for c in cases if c.sample == 1]
    assert {c.name for c in drawn} >= {"mine-2030-wet-s001-project", "mine-2030-wet-s001-reference"}
    lng = {c.scenario.fuels.prices["lng"].usd_per_mmbtu for c in drawn}
    assert lng == {draws[1]["fuels.prices.lng.usd_per_mmbtu"]} and 9 <= lng.pop() <= 14
    bad = write(tmp_path, GOOD + sample.replace("mode: 11", "mode: 15"), "bad.yaml")
    result = runner.invoke(app, ["appraise", str(bad), "--check"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    text = " ".join(result.output.split())
    assert "bad.yaml:21: key `appraisal.sample.parameters.fuels.prices.lng.usd_per_mmbtu.mode`: must lie in" in text
