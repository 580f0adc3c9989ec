"""``siepac compare``: numbers on two tiny runs against hand calculation, inputs diff, files, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from simulator.cli import app
from simulator.compare import compare_runs, inputs_diff, write_comparison
from simulator.errors import DataError
from simulator.network.meta import BorderLimit
from simulator.results.kpis import compute_kpis
from simulator.results.runs import expand_run_folders, find_reference, load_runs
from simulator.results.store import write_run
from simulator.solve import solve_network
from simulator.testing import tiny_network

runner = CliRunner()
HOURS = 4


def tiny_run(out: Path, name: str, limit_mw: float | None) -> Path:
    """GT (hydro at 10 USD/MWh, load 100 MW) and SV (oil at 50, load 300 MW) joined by a 500 MW line."""
    limits = [BorderLimit("GT_to_SV", {"L": 1.0}, limit_mw, 0, 23)] if limit_mw is not None else []
    n = tiny_network(
        buses={"G": "GT", "S": "SV"},
        lines=[("L", "G", "S", 10.0, 500.0)],
        generators=[("G cheap", "G", "hydro", 1000.0, 10.0), ("S dear", "S", "oil", 1000.0, 50.0)],
        loads={"G": 100.0, "S": 300.0},
        hours=HOURS,
        limits=limits,
    )
    solve_network(n)
    scenario = {"name": name, "year": 2022, "hydrology": 2022, "grid": {"border_limits": limit_mw is not None}}
    return write_run(out, name, n, compute_kpis(n, name), {"scenario": scenario})


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("tiny")
    return tiny_run(out, "limited", 100.0), tiny_run(out, "open", None)


def value(table: pd.DataFrame, metric: str, region: str, column: str = "change", carrier: str = "") -> float:
    row = table[(table.metric == metric) & (table.region == region) & (table.carrier == carrier)]
    assert len(row) == 1, (metric, region, carrier)
    return float(row[column].iloc[0])


def test_changes_match_hand_calculation(runs: tuple[Path, Path]) -> None:
    loaded = load_runs(list(runs))
    table = compare_runs(loaded, find_reference(loaded, "limited"))
    assert set(table.scenario) == {"open"} and set(table.reference) == {"limited"}
    # limited: GT exports 100 MW, SV's oil sets 50 USD/MWh there; open: GT's hydro supplies both at 10.
    assert value(table, "price_load_weighted", "SV", "reference_value") == pytest.approx(50.0)
    assert value(table, "price_load_weighted", "SV") == pytest.approx(-40.0)
    assert value(table, "price_load_weighted", "SV", "change_pct") == pytest.approx(-80.0)
    assert value(table, "price_load_weighted", "GT") == pytest.approx(0.0)
    # consumer cost = price x load x hours: SV 50 x 300 x 4 = 60,000 USD -> 10 x 300 x 4 = 12,000 USD
    assert value(table, "consumer_cost", "SV", "reference_value") == pytest.approx(0.060)
    assert value(table, "consumer_cost", "SV") == pytest.approx(-0.048)
    # generation: GT hydro 200 -> 400 MW, SV oil 200 -> 0 MW, over 4 h
    assert value(table, "generation", "GT", carrier="hydro") == pytest.approx(0.8)
    assert value(table, "generation", "SV", carrier="oil") == pytest.approx(-0.8)
    assert value(table, "imports", "SV") == pytest.approx(0.8)  # 0.4 -> 1.2 GWh
    assert value(table, "exports", "GT") == pytest.approx(0.8)
    # the border limit binds every hour in the limited run, never in the open one
    assert value(table, "hours_at_limit", "GT-SV", "reference_value") == HOURS
    assert value(table, "hours_at_limit", "GT-SV") == -HOURS
    # congestion rent = flow x price difference: 100 MW x 40 USD/MWh x 4 h = 16,000 USD -> 0
    assert value(table, "congestion_rent", "GT-SV", "reference_value") == pytest.approx(0.016)
    assert value(table, "congestion_rent", "GT-SV") == pytest.approx(-0.016)
    # system cost: 4 x (10 x 200 + 50 x 200) = 48,000 USD -> 4 x 10 x 400 = 16,000 USD
    assert value(table, "system_cost", "ALL", "reference_value") == pytest.approx(0.048)
    assert value(table, "system_cost", "ALL") == pytest.approx(-0.032)
    assert value(table, "system_cost", "ALL", "change_pct") == pytest.approx(-200 / 3)
    assert value(table, "unserved_energy", "SV") == 0.0


def test_inputs_diff_names_the_changed_key(runs: tuple[Path, Path]) -> None:
    loaded = load_runs(list(runs))
    diff = inputs_diff(loaded, loaded[0])
    assert diff[["key", "reference_value", "value"]].values.tolist() == [["grid.border_limits", "True", "False"]]


@pytest.mark.parametrize("suffix", [".csv", ".md", ".xlsx"])
def test_table_is_written_in_every_format(runs: tuple[Path, Path], tmp_path: Path, suffix: str) -> None:
    loaded = load_runs(list(runs))
    table, diff = compare_runs(loaded, loaded[0]), inputs_diff(loaded, loaded[0])
    path = tmp_path / f"cmp{suffix}"
    written = write_comparison(table, diff, path)
    assert path in written and path.stat().st_size > 0
    assert not list(tmp_path.glob(".*tmp"))
    if suffix == ".csv":
        back = pd.read_csv(path, keep_default_na=False, na_values=[""]).fillna({"carrier": ""})
        assert value(back, "price_load_weighted", "SV") == pytest.approx(-40.0)
        assert pd.read_csv(tmp_path / "cmp.inputs.csv").key.tolist() == ["grid.border_limits"]
    elif suffix == ".xlsx":
        sheets = pd.read_excel(path, sheet_name=None)
        assert set(sheets) == {"changes", "inputs"} and len(sheets["changes"]) == len(table)
    else:
        text = path.read_text(encoding="utf-8")
        assert "## Inputs that differ" in text and "| grid.border_limits | True | False |" in text


def test_cli_prints_changes_and_writes(runs: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "cmp.csv"
    result = runner.invoke(app, ["compare", *map(str, runs), "--reference", "limited", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Change in load-weighted price against limited" in result.output
    assert "-40.0" in result.output and "grid.border_limits: True -> False" in result.output
    assert out.is_file()


def test_reference_is_found_beside_the_runs(runs: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["compare", str(runs[1]), "--reference", "limited"])
    assert result.exit_code == 0, result.output
    assert "against limited" in result.output


def fake_batch(runs: tuple[Path, Path], root: Path) -> Path:
    batch = root / "batch-tiny"
    batch.mkdir()
    tables = []
    for run, limit in zip(runs, (100.0, 9999.0), strict=True):
        shutil.copytree(run, batch / run.name)
        tables.append(pd.read_csv(run / "kpis.csv").assign(**{"grid.border_limits_mw.GT_to_SV": limit}))
    pd.concat(tables).to_csv(batch / "kpis.csv", index=False)
    (batch / "manifest.json").write_text(json.dumps({"batch": "tiny"}), encoding="utf-8")
    return batch


def test_batch_folder_stands_for_its_runs(runs: tuple[Path, Path], tmp_path: Path) -> None:
    batch = fake_batch(runs, tmp_path)
    assert [p.name for p in expand_run_folders([batch])] == ["limited", "open"]
    # with a `siepac batch` manifest: variants only, in its order; references and failures left out
    records = [
        {"scenario": "open", "role": "variant", "status": "complete"},
        {"scenario": "limited", "role": "reference", "status": "complete"},
    ]
    (batch / "manifest.json").write_text(json.dumps({"batch": "tiny", "runs": records}), encoding="utf-8")
    assert [p.name for p in expand_run_folders([batch])] == ["open"]
    result = runner.invoke(app, ["compare", str(batch), "--reference", "limited"])
    assert result.exit_code == 0, result.output
    assert "open" in result.output


def test_missing_run_folder_is_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["compare", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "nowhere not found" in result.output and "Traceback" not in result.output


def test_folder_without_kpis_is_exit_2_and_lists_runs_inside(runs: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["compare", str(runs[0].parent)])
    assert result.exit_code == 2
    assert "is not a run folder" in result.output and "limited" in result.output


def test_absent_kpi_is_exit_2_naming_file_and_metric(runs: tuple[Path, Path], tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(runs[1], broken)
    kpis = pd.read_csv(broken / "kpis.csv")
    kpis[kpis.metric != "co2"].to_csv(broken / "kpis.csv", index=False)
    result = runner.invoke(app, ["compare", str(runs[0]), str(broken)])
    assert result.exit_code == 2
    assert "kpis.csv has no `co2` rows" in " ".join(result.output.split())


def test_unknown_reference_and_bad_suffix(runs: tuple[Path, Path], tmp_path: Path) -> None:
    loaded = load_runs(list(runs))
    with pytest.raises(DataError, match="reference 'nope' is not among the runs"):
        find_reference(loaded, "nope")
    result = runner.invoke(app, ["compare", *map(str, runs), "--out", str(tmp_path / "x.txt")])
    assert result.exit_code == 2 and ".csv, .md or .xlsx" in result.output
