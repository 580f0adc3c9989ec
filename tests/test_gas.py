"""The gas layer: route geometry and economics, the anchor plant in the network."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pypsa
import pytest
from shapely.geometry import LineString
from typer.testing import CliRunner

from simulator.cli import app
from simulator.data import InputData
from simulator.network import build_network
from simulator.network.carriers import CARRIER_COLORS
from simulator.results.kpis import compute_kpis
from simulator.routes import (
    GasData,
    break_even_utilisation,
    capital_recovery_factor,
    geodesic_length_km,
    load_gas_data,
    resize_segments,
    route_table,
    tariff_usd_per_mmbtu,
)
from simulator.solve import bus_balance_residual, solve_network
from simulator.testing import short_scenario
from simulator.units import MWH_PER_MMBTU, mmcfd_to_mw, mw_to_mmcfd


@pytest.fixture(scope="module")
def gas(data: InputData) -> GasData:
    return load_gas_data(data.root)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float, radius_km: float = 6371.0) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius_km * math.asin(math.sqrt(a))


def test_geodesic_length_against_a_hand_computed_distance() -> None:
    # Tapachula to Escuintla: the sphere's great circle agrees with the ellipsoid within 0.5 %.
    line = LineString([(-92.263, 14.905), (-90.785, 14.305)])
    assert geodesic_length_km(line) == pytest.approx(haversine_km(14.905, -92.263, 14.305, -90.785), rel=0.005)
    # one degree of latitude at the equator is 110.57 km on WGS84
    assert geodesic_length_km(LineString([(0.0, 0.0), (0.0, 1.0)])) == pytest.approx(110.57, abs=0.01)


def test_segments_start_and_end_on_their_nodes(gas: GasData) -> None:
    nodes = gas.nodes.set_index("node")
    for seg in gas.segments.itertuples():
        coords = list(gas.geometries[seg.segment].coords)
        assert coords[0] == pytest.approx((nodes.lon[seg.from_node], nodes.lat[seg.from_node]))
        assert coords[-1] == pytest.approx((nodes.lon[seg.to_node], nodes.lat[seg.to_node]))


def test_country_split_adds_up_to_the_length(gas: GasData) -> None:
    table = gas.segment_table
    assert (table.length_mx_km + table.length_gt_km).to_numpy() == pytest.approx(table.length_km.to_numpy(), rel=0.02)
    # segments up to the border are Mexican, the Guatemalan ones almost entirely Guatemalan
    assert table.loc["IXTEPEC-TAPACHULA", "length_gt_km"] == pytest.approx(0.0, abs=0.5)
    assert table.loc["HIDALGO-ESCUINTLA", "length_gt_km"] > 0.95 * table.loc["HIDALGO-ESCUINTLA", "length_km"]


def test_published_prosperidad_line_matches_its_waypoint_chain(gas: GasData) -> None:
    table = gas.segment_table
    assert table.loc["IXTEPEC-TAPACHULA", "chain_km"] == pytest.approx(355.0, rel=0.05)
    assert table.loc["IXTEPEC-TAPACHULA", "length_km"] == 355.0


def test_unit_capex_reproduces_the_published_figure(gas: GasData) -> None:
    unit = gas.parameter("unit_capex_musd_per_inch_km")
    assert unit * 24 * 355 == pytest.approx(261.0, rel=0.01)  # the 2020 plan it was calibrated on
    # the later revision (20 in, 359 km, USD 283 M) is within 25 % of the same unit cost
    assert unit * 20 * 359 == pytest.approx(283.0, rel=0.25)


def test_smaller_diameter_reproduces_the_revised_design(gas: GasData) -> None:
    """The 2020 design (24 in, 145 MMcfd) resized to 20 in carries about the 95 MMcfd the
    revision publishes for 20 in; capex falls in proportion to diameter."""
    original = gas.segment_table.loc[["IXTEPEC-TAPACHULA"]]
    resized = resize_segments(gas, original, diameter_in=20.0)
    assert resized.capacity_mmcfd.iloc[0] == pytest.approx(95.0, rel=0.05)
    assert resized.capex_musd.iloc[0] == pytest.approx(261.0 * 20 / 24)
    assert resize_segments(gas, original, capacity_mmcfd=60.0).capacity_mw.iloc[0] == pytest.approx(
        mmcfd_to_mw(60.0, 1.037)
    )


def test_conversions_by_hand() -> None:
    # 145 MMcfd x 1,000 Mcf/MMcf x 1.037 MMBtu/Mcf / 24 h x 0.293071 MWh/MMBtu = 1,836 MW
    assert mmcfd_to_mw(145.0, 1.037) == pytest.approx(145_000 * 1.037 / 24 * MWH_PER_MMBTU)
    assert mw_to_mmcfd(mmcfd_to_mw(95.0, 1.037), 1.037) == pytest.approx(95.0)
    assert capital_recovery_factor(8.0, 30) == pytest.approx(0.08883, rel=1e-3)
    assert capital_recovery_factor(0.0, 20) == pytest.approx(0.05)


def test_routes_differ_in_delivered_cost_for_a_stated_reason(gas: GasData) -> None:
    """Same design and commodity price: the longer, highland Chiapa de Corzo route needs more
    capex, so its tariff and its delivered gas cost are higher than Tapachula's."""
    table = route_table(gas, henry_hub_usd_per_mmbtu=3.0, lng_usd_per_mmbtu=10.0)
    tap, chiapa = table.loc["tapachula"], table.loc["chiapa_de_corzo"]
    assert chiapa.length_km > tap.length_km
    assert chiapa.capex_musd > tap.capex_musd
    assert chiapa.tariff_90pct_usd_per_mmbtu > tap.tariff_90pct_usd_per_mmbtu
    assert chiapa.delivered_usd_per_mmbtu - tap.delivered_usd_per_mmbtu == pytest.approx(
        chiapa.tariff_90pct_usd_per_mmbtu - tap.tariff_90pct_usd_per_mmbtu
    )
    # a fuller pipeline has a lower tariff; LNG is priced as delivered
    assert (table.tariff_50pct_usd_per_mmbtu > table.tariff_90pct_usd_per_mmbtu)[table.index != "lng"].all()
    assert table.loc["lng", "delivered_usd_per_mmbtu"] == 10.0


@pytest.mark.parametrize("output_format", ["table", "json", "geojson"])
def test_routes_command(tmp_path: Path, output_format: str) -> None:
    out = tmp_path / f"routes.{output_format}"
    result = CliRunner().invoke(app, ["routes", "--format", output_format, "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "chiapa_de_corzo" in text and "tapachula" in text
    if output_format == "geojson":
        import json

        features = json.loads(text)["features"]
        assert {f["properties"]["route"] for f in features} == {
            "tapachula",
            "chiapa_de_corzo",
            "chiapa_de_corzo_via_tapachula",
        }
        assert all(f["geometry"]["type"] == "LineString" for f in features)


def test_anchor_plant_prices_by_hand() -> None:
    """Gas at 20 USD/MWh_th, a 50 %-efficient anchor with VOM 5: its marginal cost is
    20 / 0.5 + 5 = 45 USD/MWh. With 300 MW of anchor and 200 MW of load the anchor sets the
    price at 45; with 500 MW of load oil (120) sets it and the anchor runs flat out."""
    for load, price, anchor_mw in ((200.0, 45.0, 200.0), (500.0, 120.0, 300.0)):
        n = pypsa.Network()
        n.set_snapshots(pd.date_range("2022-01-01", periods=2, freq="h"))
        n.add("Carrier", [*CARRIER_COLORS, "natural gas"])
        n.add("Bus", "E", carrier="AC", country="GT", national_hub=True)
        n.add("Bus", "G", carrier="natural gas", country="GT", national_hub=False)
        n.add(
            "Generator",
            "gas supply",
            bus="G",
            carrier="natural gas",
            p_nom=10_000,
            marginal_cost=20.0,
            country="GT",
            co2_t_per_mwh=0.0,
        )
        n.add(
            "Generator",
            "oil",
            bus="E",
            carrier="oil",
            p_nom=1_000,
            marginal_cost=120.0,
            country="GT",
            co2_t_per_mwh=0.0,
        )
        n.add(
            "Link",
            "anchor plant",
            bus0="G",
            bus1="E",
            carrier="gas",
            efficiency=0.5,
            p_nom=600.0,
            marginal_cost=5.0 * 0.5,
        )
        n.add("Load", "GT load", bus="E", p_set=load, country="GT")
        n.meta = {}
        solve_network(n)
        assert n.buses_t.marginal_price["E"].to_numpy() == pytest.approx(price)
        assert (-n.links_t.p1["anchor plant"]).to_numpy() == pytest.approx(anchor_mw)
        assert n.buses_t.marginal_price["G"].to_numpy() == pytest.approx(20.0)


@pytest.fixture(scope="module")
def anchor_run(data: InputData) -> pypsa.Network:
    scenario = short_scenario("anchor_tapachula.yaml", days=3, reference=None)
    n = build_network(scenario, data)
    solve_network(n)
    return n


def test_gas_balance_and_pipeline_limits(anchor_run: pypsa.Network) -> None:
    n = anchor_run
    residual = bus_balance_residual(n)
    gas_buses = n.buses.index[n.buses.carrier == "natural gas"]
    assert len(gas_buses) == 4
    assert residual[gas_buses].abs().max().max() < 1e-4
    pipes = n.links.index[n.links.carrier == "gas pipeline"]
    assert (n.links_t.p0[pipes] <= n.links.p_nom[pipes] + 1e-4).all().all()
    assert (n.links_t.p0[pipes] >= -1e-6).all().all()
    # compression electricity is drawn from the segment's country
    assert (n.links_t.p2[pipes] > 0).to_numpy().any()


def test_anchor_kpis(anchor_run: pypsa.Network) -> None:
    kpis = compute_kpis(anchor_run, "anchor")
    metric = kpis.set_index(["metric", "region", "carrier"]).value
    generation = metric[("anchor_generation", "GT", "gas")]
    assert generation > 0
    assert metric[("generation", "GT", "gas")] >= generation - 1e-6
    assert 0 < metric[("anchor_capacity_factor", "GT", "gas")] <= 100 + 1e-6
    # the pipeline carries what the anchor burns (plus nothing else on this route)
    burned_mmcfd = metric[("pipeline_throughput", "HIDALGO-ESCUINTLA", "mean")]
    assert metric[("gas_use", "GT", "gas")] > 0 and burned_mmcfd > 0
    assert 0 < metric[("pipeline_break_even_utilisation", "tapachula", "")] < 100


def test_break_even_is_where_the_tariff_equals_the_margin_to_lng() -> None:
    # 100 MUSD a year over 100 MMcfd at 1.037 MMBtu/Mcf: 2.642 USD/MMBtu at full use;
    # with a 5 USD/MMBtu margin to LNG the pipeline breaks even at 52.8 % utilisation.
    u = break_even_utilisation(100.0, 100.0, 5.0, 1.037)
    assert u == pytest.approx(100e6 / (100_000 * 1.037 * 365) / 5.0)
    assert tariff_usd_per_mmbtu(100.0, 100.0, u, 1.037) == pytest.approx(5.0)
    assert break_even_utilisation(100.0, 100.0, -1.0, 1.037) == float("inf")


def test_missing_gas_file_is_a_data_error(tmp_path: Path) -> None:
    import shutil

    from simulator.errors import DataError
    from simulator.paths import grids_dir

    root = tmp_path / "grids"
    shutil.copytree(grids_dir(), root)
    (root / "gas" / "segments.geojson").unlink()
    with pytest.raises(DataError, match=r"gas input missing: .*segments.geojson"):
        load_gas_data(root)


def test_reference_runs_once_with_the_same_span_and_is_reused(tmp_path: Path, data: InputData) -> None:
    from simulator.run import run_scenario

    scenario = short_scenario("anchor_lng.yaml", days=1)
    first = run_scenario(scenario, tmp_path, data)
    reference = tmp_path / "base_2022--for-anchor_lng"
    assert (reference / "manifest.json").is_file()  # the reference took the scenario's one-day span
    stamp = (reference / "manifest.json").stat().st_mtime_ns
    changes = first.kpis[first.kpis.metric == "price_change"].set_index("region").value
    assert set(changes.index) == {"GT", "SV", "HN", "NI", "CR", "PA"}
    assert changes["GT"] < 0  # cheap anchor power lowers Guatemala's price in a dry-season day
    displaced = first.kpis[first.kpis.metric == "fuel_displaced"]
    assert set(displaced.carrier) == {"oil", "coal"}
    run_scenario(scenario, tmp_path, data)
    assert (reference / "manifest.json").stat().st_mtime_ns == stamp  # reused, not solved again
