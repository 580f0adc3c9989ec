"""``siepac appraise`` end to end on a two-day span: outputs, the cost identity, reuse, a failed case, charts."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from simulator.appraise.run import BENEFIT_COLUMNS
from simulator.charts import ChartOptions, make_charts
from simulator.cli import app

runner = CliRunner()

QUICK = """\
appraisal:
  name: quick
  description: Full second circuit over two January days of 2030.
  reference: base_2030.yaml
  project:
    changes:
      grid.second_circuit: true
  overrides:
    solve.days: 2
  years: [2030]
  hydrology:
    wet: 0.5
    dry: 0.5
  costs:
    capex_musd: 10
    fom_musd_per_year: 0.1
    lifetime_years: 20
    commissioning_year: 2030
"""

HOURS = 48.0


def _manifest_times(folder: Path) -> dict[str, int]:
    return {p.parent.name: p.stat().st_mtime_ns for p in folder.glob("*/manifest.json")}


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, float, str]:
    root = tmp_path_factory.mktemp("appraise")
    file = root / "quick.yaml"
    file.write_text(QUICK, encoding="utf-8")
    out = root / "results"
    started = time.perf_counter()
    result = runner.invoke(app, ["appraise", str(file), "--out", str(out), "--workers", "2"])
    elapsed = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    return file, out / "appraisal-quick", elapsed, result.output


def test_benefits_have_the_exact_columns_and_name_run_folders_of_the_appraisal(first: tuple) -> None:
    _, folder, _, _ = first
    benefits = pd.read_csv(folder / "benefits.csv")
    assert tuple(benefits.columns) == BENEFIT_COLUMNS
    assert set(benefits.hydrology) == {"wet", "dry"} and set(benefits.year) == {2030}
    assert set(benefits.unit) == {"MUSD/yr"}
    for column in ("project_run", "reference_run"):
        for name in set(benefits[column]):
            assert (folder / name / "manifest.json").is_file() and (folder / name / "network.nc").is_file()
    assert set(benefits.project_run) == {"quick-2030-wet-project", "quick-2030-dry-project"}
    for name in ("summary.csv", "identity.csv", "appraisal.md", "appraisal.xlsx", "appraisal.json", "manifest.json"):
        assert (folder / name).is_file(), name
    assert not list(folder.glob(".*tmp*"))


def test_the_cost_identity_holds_in_every_case_and_against_the_kpis(first: tuple) -> None:
    _, folder, _, _ = first
    identity = pd.read_csv(folder / "identity.csv")
    assert len(identity) == 2 and identity.ok.all() and (identity.gap.abs() <= 1e-3).all()
    # independent of the benefit code: minus the change of the runs' system cost (KPI, MUSD over 48 h)
    benefits = pd.read_csv(folder / "benefits.csv")
    kpis = pd.read_csv(folder / "kpis.csv")
    cost = kpis[(kpis.metric == "system_cost") & (kpis.region == "ALL")].set_index("scenario").value
    for hydrology in ("wet", "dry"):
        mine = benefits[(benefits.hydrology == hydrology) & (benefits.component != "co2")]
        change = (cost[f"quick-2030-{hydrology}-project"] - cost[f"quick-2030-{hydrology}-reference"]) * 8760 / HOURS
        total = cost[f"quick-2030-{hydrology}-reference"] * 8760 / HOURS
        assert mine.value.sum() == pytest.approx(-change, abs=1e-3 * total)


def test_summary_has_npv_by_hydrology_weighted_and_variants(first: tuple) -> None:
    _, folder, _, output = first
    summary = pd.read_csv(folder / "summary.csv")
    central = summary[summary.case == "central"].set_index("hydrology")
    assert set(central.index) == {"wet", "dry", "weighted"}
    # weighted NPV is the weighted mean of the hydrologies' (same costs, benefits linear in the weights)
    assert central.npv_musd["weighted"] == pytest.approx(0.5 * central.npv_musd["wet"] + 0.5 * central.npv_musd["dry"])
    assert {"discount_low", "discount_high", "co2_low", "co2_high"} <= set(summary.case)
    # a lower discount rate makes the costs (spent first) weigh more or less, never both PVs unchanged
    low = summary[(summary.case == "discount_low") & (summary.hydrology == "weighted")].iloc[0]
    assert low.pv_costs_musd >= central.pv_costs_musd["weighted"]
    assert "economics (MUSD)" in output and "NPV" in output


def test_a_second_appraisal_reuses_every_run(first: tuple) -> None:
    file, folder, cold, _ = first
    before = _manifest_times(folder)
    started = time.perf_counter()
    result = runner.invoke(app, ["appraise", str(file), "--out", str(folder.parent), "--workers", "2"])
    warm = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["counts"]["reused"] == 4 and manifest["counts"]["solved"] == 0
    assert _manifest_times(folder) == before  # no run folder was written again
    assert warm < cold / 2, (warm, cold)
    assert "4 complete, 0 to solve" in " ".join(result.output.split())


def test_appraisal_charts_in_both_languages(first: tuple, tmp_path: Path) -> None:
    _, folder, _, _ = first
    for lang, word in (("en", "gains and losses"), ("es", "ganancias y pérdidas")):
        charts = make_charts("appraisal", [folder], ChartOptions(lang=lang))
        assert [c.name for c in charts] == [f"appraisal-quick-{k}" for k in ("waterfall", "countries", "npv")]
        assert word in charts[1].caption
    waterfall = charts[0].table
    total = waterfall[waterfall.component == "total"].value.iloc[0]
    assert total == pytest.approx(waterfall[waterfall.component != "total"].value.sum())
    result = runner.invoke(app, ["chart", "appraisal", str(folder), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "appraisal-quick-npv.png").is_file()
    bad = runner.invoke(app, ["chart", "appraisal", str(tmp_path)])
    assert bad.exit_code == 2 and "not an appraisal folder" in bad.output


def test_a_failed_case_is_named_and_leaves_the_other_runs_intact(first: tuple) -> None:
    file, folder, _, _ = first
    failing = file.with_name("failing.yaml")
    # the project's solves stop at once (not optimal); the reference cases are the same runs as before
    failing.write_text(
        QUICK.replace(
            "      grid.second_circuit: true\n",
            "      grid.second_circuit: true\n      solve.solver_options: {time_limit: 0.000001}\n",
        ),
        encoding="utf-8",
    )
    references = {k: v for k, v in _manifest_times(folder).items() if k.endswith("-reference")}
    result = runner.invoke(app, ["appraise", str(failing), "--out", str(folder.parent), "--workers", "2"])
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert "case quick-2030-wet-project failed" in text and "case quick-2030-dry-project failed" in text
    assert "Traceback" not in result.output
    after = _manifest_times(folder)
    assert {k: after[k] for k in references} == references
    assert pd.read_csv(folder / "benefits.csv").empty
    assert "quick-2030-wet-project" in (folder / "appraisal.md").read_text()
