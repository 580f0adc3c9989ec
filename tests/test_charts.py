"""``siepac chart``: every kind in PNG, SVG and PDF, image baselines, captions and numbers, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.testing.compare import compare_images
from typer.testing import CliRunner

from simulator.charts import CHART_KINDS, Chart, ChartOptions, make_charts, write_chart
from simulator.charts.style import fixed_limits, run_style
from simulator.charts.sweep import sweep_chart
from simulator.cli import app
from simulator.errors import DataError
from simulator.run import run_scenario
from simulator.testing import short_scenario

runner = CliRunner()
BASELINE = Path(__file__).parent / "baseline"
TOLERANCE = 3
"""RMS on 0-255: a re-render of the same chart differs by under 1.5; losing the map's lines costs about 6."""
MAGIC = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two-day runs of base_2022 and anchor_tapachula (with its reference) in one folder, and of
    expansion_2030 (for the capacity chart)."""
    out = tmp_path_factory.mktemp("runs")
    for name in ("base_2022.yaml", "anchor_tapachula.yaml"):
        run_scenario(short_scenario(name, days=2), out)
    run_scenario(short_scenario("expansion_2030.yaml", days=2), out)
    return out


@pytest.fixture(scope="module")
def batch(results: Path) -> Path:
    """A batch folder as `siepac batch` writes it: variants as run subfolders, one KPI table with swept keys."""
    folder = results / "batch-anchor"
    folder.mkdir()
    tables = []
    for name, capacity in (("base_2022", 0.0), ("anchor_tapachula", 500.0)):
        shutil.copytree(results / name, folder / name)
        kpis = pd.read_csv(results / name / "kpis.csv", keep_default_na=False, na_values=[""])
        tables.append(kpis.assign(**{"gas.anchor.capacity_mw": capacity, "gas.price_usd_per_mmbtu.henry_hub": 6.37}))
    pd.concat(tables).to_csv(folder / "kpis.csv", index=False)
    (folder / "manifest.json").write_text(json.dumps({"name": "anchor"}), encoding="utf-8")
    return folder


def appraisal_folder(root: Path) -> Path:
    """A small appraisal folder as `siepac appraise` writes it (benefits, summary, appraisal.json)."""
    folder = root / "appraisal-mini"
    folder.mkdir(exist_ok=True)
    rows = [
        (year, hydrology, region, component, value * (1.5 if hydrology == "dry" else 1.0), "MUSD/yr", "p", "r")
        for year in (2030, 2035)
        for hydrology in ("wet", "dry")
        for region, component, value in [
            ("GT", "consumer_surplus", 12.0),
            ("GT", "producer_surplus", -7.0),
            ("SV", "consumer_surplus", 3.0),
            ("HN", "congestion_rent", 1.5),
            ("MX", "congestion_rent", -0.5),
            ("GT", "co2", 0.8),
        ]
    ]
    columns = ["year", "hydrology", "region", "component", "value", "unit", "project_run", "reference_run"]
    pd.DataFrame(rows, columns=columns).to_csv(folder / "benefits.csv", index=False)
    summary = [("central", h, 8.0, 75.0, npv) for h, npv in (("wet", 40.0), ("dry", 90.0), ("weighted", 65.0))]
    pd.DataFrame(summary, columns=["case", "hydrology", "discount_rate_pct", "co2_usd_per_t", "npv_musd"]).to_csv(
        folder / "summary.csv", index=False
    )
    record = {
        "appraisal": "mini",
        "hydrology_weights": {"wet": 0.5, "dry": 0.5},
        "costs": {"capex_musd": 50.0, "fom_musd_per_year": 1.0, "lifetime_years": 30},
        "economics": {"discount_rate_pct": 8.0},
        "cases": [{"name": f"case{i}"} for i in range(8)],
    }
    (folder / "appraisal.json").write_text(json.dumps(record), encoding="utf-8")
    return folder


def paths_for(kind: str, results: Path, batch: Path) -> list[Path]:
    if kind == "routes":
        return []
    if kind == "appraisal":
        return [appraisal_folder(results)]
    if kind == "sweep":
        return [batch]
    if kind == "gas":
        return [results / "anchor_tapachula"]
    if kind == "capacity":
        return [results / "expansion_2030"]
    return [results / "base_2022", results / "anchor_tapachula"]


@pytest.fixture(scope="module")
def charts(results: Path, batch: Path) -> dict[str, list[Chart]]:
    options = ChartOptions(metric="price_load_weighted")
    return {kind: make_charts(kind, paths_for(kind, results, batch), options) for kind in CHART_KINDS}


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
@pytest.mark.parametrize("kind", CHART_KINDS)
def test_every_kind_renders_in_every_format(
    charts: dict[str, list[Chart]], kind: str, fmt: str, tmp_path: Path
) -> None:
    for chart in charts[kind]:
        image, caption, numbers = write_chart(chart, tmp_path, fmt)
        assert image.read_bytes().startswith(MAGIC[fmt]) and image.stat().st_size > 5_000
        assert len(caption.read_text(encoding="utf-8")) > 40
        assert len(pd.read_csv(numbers)) > 0
    assert not list(tmp_path.glob(".*tmp"))


@pytest.mark.parametrize("kind", CHART_KINDS)
def test_titled_with_units_and_source_line(charts: dict[str, list[Chart]], kind: str) -> None:
    for chart in charts[kind]:
        fig = chart.figure
        assert fig.get_suptitle()
        texts = [t.get_text() for t in fig.texts]
        source = next(t for t in texts if t.startswith("Source:"))
        if kind == "capacity":
            assert "data year 2030" in source and "expansion_2030" in source
        elif kind not in ("routes", "sweep", "appraisal"):
            assert "data year 2022" in source and ("base_2022" in source or "anchor_tapachula" in source)
        labels = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
        assert any("(" in label and ")" in label for label in labels), labels  # a unit on an axis
        assert "Source:" in chart.caption


def test_runs_differ_without_colour(charts: dict[str, list[Chart]]) -> None:
    first, second = run_style(0), run_style(1)
    assert first["linestyle"] != second["linestyle"] and first["marker"] != second["marker"]
    lines = [
        line
        for line in charts["prices"][0].figure.axes[0].get_lines()
        if line.get_label() in ("base_2022", "anchor_tapachula")
    ]
    assert len({(line.get_linestyle(), line.get_marker()) for line in lines}) == 2
    hatches = {p.get_hatch() for p in charts["dispatch"][0].figure.axes[0].collections if p.get_hatch()}
    assert len(hatches) >= 3  # carriers carry hatches, not colour only


def test_capacity_chart_numbers_are_the_kpis(charts: dict[str, list[Chart]], results: Path) -> None:
    (chart,) = charts["capacity"]
    kpis = pd.read_csv(results / "expansion_2030" / "kpis.csv", keep_default_na=False)
    built = kpis[kpis.metric == "capacity_new"].set_index(["region", "carrier"]).value.astype(float)
    table = chart.table.set_index(["country", "technology"]).capacity_mw
    assert table.to_dict() == pytest.approx(built.to_dict())
    heights = sum(p.get_height() for p in chart.figure.axes[0].patches)
    assert heights == pytest.approx(float(built.sum()), rel=1e-6)  # the bars draw every MW
    with pytest.raises(DataError, match="no new capacity"):
        make_charts("capacity", [results / "base_2022"], ChartOptions())


def test_fixed_axes_widen_only_in_steps() -> None:
    assert fixed_limits("price", [120.0, 180.0]) == (0.0, 250.0)
    assert fixed_limits("price", [130.0, 260.0]) == (0.0, 500.0)
    assert fixed_limits("price_change", [-3.0, 1.0]) == (-20.0, 20.0)
    assert fixed_limits("dispatch", [-120.0, 1720.0]) == (-500.0, 2000.0)


def test_spanish_labels(results: Path) -> None:
    (chart,) = make_charts("flows", [results / "base_2022"], ChartOptions(lang="es"))
    assert chart.figure.get_suptitle().startswith("Curvas de duración")
    assert any(t.get_text().startswith("Fuente:") for t in chart.figure.texts)


def test_price_change_numbers_are_the_kpis(charts: dict[str, list[Chart]], results: Path) -> None:
    table = charts["prices"][1].table.set_index("country")
    base = pd.read_csv(results / "base_2022" / "kpis.csv").query("metric == 'price_load_weighted'").set_index("region")
    anchor = pd.read_csv(results / "anchor_tapachula" / "kpis.csv").query("metric == 'price_load_weighted'")
    expected = anchor.set_index("region").value - base.value
    assert table.change_usd_per_mwh.to_dict() == pytest.approx(expected.to_dict())


def test_sweep_heatmap_cells_are_the_table_values() -> None:
    rows = [
        ("x", "price_change", "GT", "", v, "USD/MWh", size, hh)
        for size, hh, v in [(0, 3.5, 0.0), (500, 3.5, -6.0), (0, 6.4, 0.0), (500, 6.4, -2.5)]
    ]
    table = pd.DataFrame(
        rows, columns=["scenario", "metric", "region", "carrier", "value", "unit", "a.size_mw", "b.hh"]
    )
    chart = sweep_chart(table, ["a.size_mw", "b.hh"], "batch-x", "price_change", "GT")
    cells = chart.table.set_index(["b.hh", "a.size_mw"]).value
    assert cells[(3.5, 500)] == -6.0 and cells[(6.4, 500)] == -2.5
    assert "-6.0" in [t.get_text() for t in chart.figure.axes[0].texts]
    with pytest.raises(DataError, match="no `co2` KPI for region GT"):
        sweep_chart(table, ["a.size_mw", "b.hh"], "batch-x", "co2", "GT")
    with pytest.raises(DataError, match="needs two swept parameters"):
        sweep_chart(table, ["a.size_mw"], "batch-x", "price_change", "GT")


# Image baselines (pytest-mpl): regenerate with
#   .venv/bin/pytest tests/test_charts.py -k baseline --mpl-generate-path=tests/baseline
@pytest.mark.mpl_image_compare(baseline_dir="baseline", tolerance=TOLERANCE, style="default")
def test_baseline_routes(charts: dict[str, list[Chart]]) -> Figure:
    return charts["routes"][0].figure


@pytest.mark.mpl_image_compare(baseline_dir="baseline", tolerance=TOLERANCE, style="default")
def test_baseline_map(results: Path) -> Figure:
    return make_charts("map", [results / "base_2022"])[0].figure


@pytest.mark.mpl_image_compare(baseline_dir="baseline", tolerance=TOLERANCE, style="default")
def test_baseline_price_change(charts: dict[str, list[Chart]]) -> Figure:
    return charts["prices"][1].figure


def test_a_lost_layer_exceeds_the_tolerance(results: Path, tmp_path: Path) -> None:
    baseline = BASELINE / "test_baseline_map.png"
    if not baseline.is_file():
        pytest.skip("no baseline image")
    with plt.style.context("default"):  # as pytest-mpl renders the baselines
        chart = make_charts("map", [results / "base_2022"])[0]
        for line in list(chart.figure.axes[0].get_lines()):  # drop the transmission lines
            line.remove()
        damaged = tmp_path / "damaged.png"
        chart.figure.savefig(damaged)
    result = compare_images(str(baseline), str(damaged), tol=TOLERANCE, in_decorator=True)
    assert result is not None and result["rms"] > TOLERANCE


def test_cli_writes_chart_caption_and_numbers(results: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "chart",
            "prices",
            str(results / "base_2022"),
            str(results / "anchor_tapachula"),
            "--format",
            "svg",
            "--out",
            str(tmp_path),
            "--lang",
            "es",
        ],
    )
    assert result.exit_code == 0, result.output
    assert {p.name for p in tmp_path.iterdir()} == {
        f"{stem}.{ext}" for stem in ("prices", "price_change") for ext in ("svg", "txt", "csv")
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["prices", "{results}/nowhere"], "nowhere not found"),
        (["gas", "{results}/base_2022"], "has no gas pipeline"),
        (["sweep", "{batch}", "--metric", "pipeline_utilisation", "--region", "HN"], "no `pipeline_utilisation` KPI"),
        (["dispatch", "{results}/base_2022", "--start", "2030-01-01"], "outside the span"),
        (["pies", "{results}/base_2022"], "unknown chart kind"),
        (["prices", "{results}/base_2022", "--format", "gif"], "--format must be one of"),
        (["prices", "{results}/base_2022", "--lang", "fr"], "--lang must be one of"),
    ],
)
def test_cli_errors_are_exit_2(results: Path, batch: Path, tmp_path: Path, args: list[str], message: str) -> None:
    argv = ["chart", *[a.format(results=results, batch=batch) for a in args], "--out", str(tmp_path)]
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split()) and "Traceback" not in result.output


def test_chart_without_network_is_exit_2(results: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    shutil.copytree(results / "base_2022", bare)
    (bare / "network.nc").unlink()
    result = runner.invoke(app, ["chart", "flows", str(bare), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "network.nc not found" in " ".join(result.output.split())
