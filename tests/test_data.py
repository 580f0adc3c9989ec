"""Integrity of the shipped input data: sources, tags, units, totals and geography."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from pyproj import Geod

from simulator import COUNTRIES
from simulator.appraise.config import APPRAISAL_TABLES
from simulator.data import InputData, load_data
from simulator.errors import DataError
from simulator.expansion_data import EXPANSION_TABLES
from simulator.outlook import OUTLOOK_TABLES
from simulator.paths import grids_dir
from simulator.routes import load_gas_data
from simulator.tables import TABLES


def all_csv_files() -> list[Path]:
    root = grids_dir()
    return sorted(p for p in root.rglob("*.csv") if p.parent.name != "profiles" or p.name == "sources.csv")


GAS_TABLES = ("gas/nodes.csv", "gas/segments.csv", "gas/routes.csv", "gas/parameters.csv")
HISTORY_TABLES = ("history/generation.csv", "history/trade.csv", "history/regional.csv", "history/prices.csv")
OTHER_TABLES = ("fleet/commissioning.csv", "fuels/technology_fuels.csv")  # read by their own functions


def test_every_data_table_is_known_to_the_loader() -> None:
    known = {
        grids_dir() / rel
        for rel in (
            *TABLES,
            *GAS_TABLES,
            *HISTORY_TABLES,
            *OUTLOOK_TABLES,
            *OTHER_TABLES,
            *EXPANSION_TABLES,
            *APPRAISAL_TABLES,
        )
    } | {grids_dir() / "sources.csv"}
    unknown = [p for p in all_csv_files() if p not in known]
    assert not unknown, f"tables the loader does not read or check: {unknown}"


def test_every_row_has_a_source_and_a_tag(data: InputData) -> None:
    for path in all_csv_files():
        if path.name == "sources.csv" and path.parent == grids_dir():
            continue
        table = pd.read_csv(path)
        assert table["source"].notna().all() and (table["source"].astype(str).str.strip() != "").all(), path
        assert set(table["tag"]) <= {"found", "derived", "estimate"}, path


def test_gas_tables_cite_known_sources(data: InputData) -> None:
    known = set(data.sources.source_key.astype(str).str.strip())
    for relative in (*GAS_TABLES, *HISTORY_TABLES):
        table = pd.read_csv(grids_dir() / relative)
        keys = {k.strip() for cell in table.source.astype(str) for k in cell.split(";")}
        assert keys <= known, (relative, keys - known)


def test_every_profile_file_is_documented(data: InputData) -> None:
    listed = set(data.profile_sources.file)
    shipped = {p.name for p in (grids_dir() / "profiles").glob("*.csv")} - {"sources.csv"}
    assert shipped == listed


def test_a_row_without_source_is_rejected(tmp_path: Path) -> None:
    root = tmp_path / "grids"
    shutil.copytree(grids_dir(), root)
    path = root / "fuels" / "prices.csv"
    table = pd.read_csv(path)
    table.loc[0, "source"] = None
    table.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"fuels/prices.csv:2: column `source` is empty"):
        load_data(root)


def test_an_unknown_source_key_is_rejected(tmp_path: Path) -> None:
    root = tmp_path / "grids"
    shutil.copytree(grids_dir(), root)
    path = root / "demand" / "annual.csv"
    table = pd.read_csv(path)
    table.loc[3, "source"] = "S999"
    table.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"demand/annual.csv:5: source key 'S999' is not in"):
        load_data(root)


def test_tidy_tables_carry_units(data: InputData) -> None:
    for table in (data.mexico, data.parameters, data.fuel_prices, data.fuel_properties, data.demand, data.resources):
        assert table["unit"].notna().all()
    assert set(data.demand.unit) == {"GWh", "MW"}
    assert set(data.resources.unit) == {"GWh"}


def test_siepac_substations_by_country(data: InputData) -> None:
    siepac = data.buses[data.buses.kind == "siepac"]
    counts = siepac.country.value_counts().to_dict()
    assert counts == {"GT": 3, "SV": 3, "HN": 2, "NI": 2, "CR": 4, "PA": 1}
    for country in (*COUNTRIES, "MX"):
        data.hub(country)  # exactly one national hub each


def test_coordinates_lie_in_central_america(data: InputData) -> None:
    assert data.buses.lat.between(7.0, 18.0).all()
    assert data.buses.lon.between(-95.0, -77.0).all()


def test_line_lengths_are_at_least_the_geodesic_distance(data: InputData) -> None:
    geod = Geod(ellps="WGS84")
    buses = data.buses.set_index("bus")
    for line in data.lines.itertuples():
        a, b = buses.loc[line.bus0], buses.loc[line.bus1]
        _, _, metres = geod.inv(a.lon, a.lat, b.lon, b.lat)
        straight_km = metres / 1000.0
        assert straight_km * 0.95 <= line.length_km <= straight_km * 2.0, (line.line, straight_km, line.length_km)


def test_siepac_length_matches_published_total(data: InputData) -> None:
    total = data.lines[data.lines.kind == "siepac"].length_km.sum()
    assert 1700 <= total <= 1900  # published 1,788-1,796 km (FACTS §1.1)


def test_capacity_sums_to_olade_national_totals(data: InputData) -> None:
    totals = data.national_totals[
        (data.national_totals.scope == "all") & data.national_totals.source.str.contains("OLADE-CAP")
    ]
    assert len(totals) == 12
    for row in totals.itertuples():
        modelled = data.capacity[
            (data.capacity.country == row.country) & (data.capacity.year == row.year)
        ].capacity_mw.sum()
        assert modelled == pytest.approx(row.capacity_mw, rel=0.001), (row.country, row.year)


def test_capacity_close_to_independent_national_figures(data: InputData) -> None:
    # SIGET (SV, 2022) is independent of OLADE; the shipped table must agree within 1 %.
    siget = data.national_totals[(data.national_totals.source == "S-SV2") & (data.national_totals.year == 2022)]
    sv_2022 = data.capacity[(data.capacity.country == "SV") & (data.capacity.year == 2022)].capacity_mw.sum()
    assert sv_2022 == pytest.approx(siget.capacity_mw.max(), rel=0.01)


def test_hydro_energy_fits_in_installed_capacity(data: InputData) -> None:
    for country in COUNTRIES:
        for year in (2022, 2023):
            capacity = data.capacity_mw(country, "hydro_reservoir", year) + data.capacity_mw(country, "hydro_ror", year)
            energy = data.resource_energy_gwh(country, year, "hydro")
            assert 0 < energy * 1e3 / (capacity * 8760) < 0.8, (country, year)


def test_only_weather_driven_inputs_for_2023(data: InputData) -> None:
    assert set(data.resources.carrier) <= {"hydro", "geothermal", "wind", "solar", "biomass"}
    assert not (data.mexico.quantity.str.contains("flow|energy_gwh|trade", regex=True)).any()


def test_fuel_prices_both_years(data: InputData) -> None:
    for fuel in ("hfo", "diesel", "coal", "lng"):
        for year in (2022, 2023):
            price = data.fuel_price_usd_per_mmbtu(fuel, year)
            assert 2.0 < price < 40.0, (fuel, year, price)
    # 2023 prices are lower than 2022 for every fuel (the 2022 energy-price spike)
    assert all(
        data.fuel_price_usd_per_mmbtu(f, 2023) < data.fuel_price_usd_per_mmbtu(f, 2022)
        for f in ("hfo", "diesel", "coal", "lng")
    )


def _edit_cell(path: Path, row: int, column: str, text: str) -> int:
    """Write ``text`` into one cell of a CSV (row 0 = first data row); return its CSV line."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.loc[row, column] = text
    table.to_csv(path, index=False)
    return row + 2


@pytest.mark.parametrize(
    ("relative", "row", "column", "text", "expected"),
    [
        ("fleet/capacity.csv", 3, "capacity_mw", "", "column `capacity_mw` is empty; expected a number"),
        ("demand/annual.csv", 0, "value", "abc", "column `value` must be a number, found 'abc'"),
        ("fuels/prices.csv", 1, "value", "n/a", "column `value` must be a number, found 'n/a'"),
        ("electric/lines.csv", 2, "length_km", "inf", "column `length_km` must be a finite number, found 'inf'"),
        ("gas/segments.csv", 0, "capacity_mmcfd", "NA", "column `capacity_mmcfd` must be a number, found 'NA'"),
        (
            "profiles/CR_2019_hourly_profile_by_month_daytype.csv",
            5,
            "13",
            "n/a",
            "column `13` must be a number, found 'n/a'",
        ),
        (
            "profiles/GT_AMM_PV_wind_monthly_CF_2018_2022_2024.csv",
            6,
            "Eólico",
            "",
            "column `Eólico` is empty; expected a number",
        ),
    ],
)
def test_numeric_cells_are_checked_with_file_line_and_column(
    tmp_path: Path, relative: str, row: int, column: str, text: str, expected: str
) -> None:
    root = tmp_path / "grids"
    shutil.copytree(grids_dir(), root)
    line = _edit_cell(root / relative, row, column, text)
    with pytest.raises(DataError) as caught:
        load_data(root) if not relative.startswith("gas/") else load_gas_data(root)
    assert str(caught.value) == f"{root / relative}:{line}: {expected}"


def test_a_blank_published_length_is_allowed_but_not_a_blank_capacity(tmp_path: Path) -> None:
    root = tmp_path / "grids"
    shutil.copytree(grids_dir(), root)
    _edit_cell(root / "gas/segments.csv", 0, "published_length_km", "")
    assert pd.isna(load_gas_data(root).segments.published_length_km.iloc[0])


@pytest.mark.parametrize(
    ("relative", "content", "expected"),
    [
        ("fleet/capacity.csv", "", "empty file; expected a header row"),
        ("fleet/capacity.csv", "country,technology,year,capacity_mw,source,tag,note\n", "no rows"),
        (
            "demand/annual.csv",
            "country,year,value,unit,source,tag\nGT,2022,1,GWh,S1,found\n",
            "missing column(s) quantity",
        ),
        ("profiles/PA_2016_2018_monthly_energy_shares.csv", None, "input table missing"),
        ("sources.csv", None, "input table missing"),
    ],
)
def test_missing_empty_and_malformed_tables(tmp_path: Path, relative: str, content: str | None, expected: str) -> None:
    root = tmp_path / "grids"
    shutil.copytree(grids_dir(), root)
    if content is None:
        (root / relative).unlink()
    else:
        (root / relative).write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=re.escape(expected)) as caught:
        load_data(root)
    assert str(root / relative) in str(caught.value)
