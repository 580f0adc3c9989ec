"""Future study years (grids/outlook/): the fleet arithmetic, completeness, sources and bad input."""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator import COUNTRIES
from simulator.data import TECHNOLOGY_CARRIER, load_data
from simulator.errors import DataError
from simulator.outlook import (
    OUTLOOK_TABLES,
    StudyYear,
    available_study_years,
    load_study_year,
    scaled_resources,
    weather_scale,
)
from simulator.paths import grids_dir

FUTURE = (2030, 2035)


@pytest.fixture(scope="module")
def studies() -> dict[int, StudyYear]:
    return {year: load_study_year(year) for year in FUTURE}


def rows(relative: str, root: Path | None = None) -> list[dict[str, str]]:
    with ((root or grids_dir()) / relative).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def copy_grids(tmp_path: Path) -> Path:
    root = tmp_path / "grids"
    shutil.copytree(grids_dir(), root)
    return root


def edit(root: Path, relative: str, line: int, column: str, value: str) -> None:
    """Set one cell (``line`` is the CSV line number, the header being line 1)."""
    path = root / relative
    with path.open(newline="", encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    table[line - 2][column] = value
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(table[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)


def test_study_years_are_the_historical_and_outlook_years() -> None:
    assert available_study_years() == (2022, 2023, 2030, 2035)


def test_a_year_without_data_is_refused_naming_the_years_that_have() -> None:
    with pytest.raises(DataError, match=r"no input data for study year 2040; years with data: 2022, 2023, 2030, 2035"):
        load_study_year(2040)


def test_historical_years_are_the_shipped_tables_unchanged() -> None:
    study = load_study_year(2022)
    shipped = load_data()
    assert not study.outlook and study.colombia is None
    pd.testing.assert_frame_equal(study.data.capacity, shipped.capacity)
    pd.testing.assert_frame_equal(study.data.lines, shipped.lines)


@pytest.mark.parametrize("year", FUTURE)
def test_fleet_is_the_2023_fleet_plus_additions_minus_retirements(studies: dict[int, StudyYear], year: int) -> None:
    # Independent of the loader: plain csv module, date strings compared as ISO text.
    expected: dict[tuple[str, str], float] = defaultdict(float)
    for row in rows("fleet/capacity.csv"):
        if row["year"] == "2023":
            expected[(row["country"], row["technology"])] += float(row["capacity_mw"])
    end = f"{year}-12-31"
    for row in rows("outlook/commissioning.csv"):
        key, mw = (row["country"], row["technology"]), float(row["capacity_mw"])
        start, stop = row["commissioning_date"], row["retirement_date"]
        in_fleet = (start == "") or (start <= end)
        if start and start <= end:
            expected[key] += mw
        if stop and stop <= end and in_fleet:
            expected[key] -= mw
    data = studies[year].data
    for country in COUNTRIES:
        for technology in TECHNOLOGY_CARRIER:
            got = data.capacity_mw(country, technology, year)
            assert got == pytest.approx(expected[(country, technology)], abs=1e-6), (country, technology)


def test_known_fleet_changes_by_hand(studies: dict[int, StudyYear]) -> None:
    data = studies[2030].data
    # Panama gas: AES Colón 381 (2023) + Gatún 670 (Oct 2024)
    assert data.capacity_mw("PA", "gas", 2030) == pytest.approx(381.0 + 670.0)
    # Honduras HFO: 1,140.31 − Brassavola 150 − 243.36 (2027) − 507.12 (2030)
    assert data.capacity_mw("HN", "oil_hfo", 2030) == pytest.approx(1140.31 - 150 - 243.36 - 507.12)
    # rentals that come and go before 2030 leave no trace
    assert data.capacity_mw("HN", "oil_diesel", 2030) == pytest.approx(data.capacity_mw("HN", "oil_diesel", 2023))
    # the 2022/2023 rows are still there, unchanged
    assert data.capacity_mw("PA", "gas", 2023) == pytest.approx(381.0)


def test_changes_inside_the_year_are_listed_for_the_hourly_mask(studies: dict[int, StudyYear]) -> None:
    changes = studies[2030].fleet_changes
    assert "PEG-5 gas block" in set(changes.plant)
    assert all(
        (not pd.isna(d) and d.year == 2030) or (not pd.isna(r) and r.year == 2030)
        for d, r in zip(changes.commissioning_date, changes.retirement_date, strict=True)
    )
    assert studies[2035].fleet_changes.empty


@pytest.mark.parametrize("year", FUTURE)
def test_demand_rows_reach_the_builder_lookups(studies: dict[int, StudyYear], year: int) -> None:
    data = studies[year].data
    for row in rows("outlook/demand.csv"):
        if int(row["year"]) == year:
            assert data.demand_value(row["country"], year, row["quantity"]) == float(row["value"])
    for country in COUNTRIES:
        energy, peak = data.demand_value(country, year, "energy_gwh"), data.demand_value(country, year, "peak_mw")
        assert energy > data.demand_value(country, 2023, "energy_gwh")
        assert 0.6 < energy * 1e3 / (peak * 8760) < 0.9, country  # a load factor, not a typo


def test_demand_grows_between_the_study_years(studies: dict[int, StudyYear]) -> None:
    for country in COUNTRIES:
        for quantity in ("energy_gwh", "peak_mw"):
            assert studies[2035].data.demand_value(country, 2035, quantity) > studies[2030].data.demand_value(
                country, 2030, quantity
            )


@pytest.mark.parametrize("year", FUTURE)
def test_derived_prices_follow_their_stated_formulas(studies: dict[int, StudyYear], year: int) -> None:
    data = studies[year].data
    hh = data.fuel_price_usd_per_mmbtu("henry_hub", year)
    brent = float(data.fuel_prices[(data.fuel_prices.fuel == "brent") & (data.fuel_prices.year == year)].value.iloc[0])
    lng = data.fuel_price_usd_per_mmbtu("lng", year)
    assert lng == pytest.approx(1.15 * hh + (6.50 + 7.95) / 2, abs=0.01)
    hfo_bbl = data.fuel_price_usd_per_mmbtu("hfo", year) * data.fuel_property("hfo", "heat_content")
    assert hfo_bbl == pytest.approx(0.887 * brent, abs=0.06)
    # Mexico's gas-price rule, fitted on 2022 and applied with the year's Henry Hub
    assert data.mexico_value(year, "henry_hub_usd_per_mmbtu") == hh
    intercept = 100.0 - 7.5 * 6.37
    assert data.mexico_value(year, "spot_price_usd_per_mwh") == pytest.approx(intercept + 7.5 * hh, abs=0.06)
    colombia = studies[year].colombia
    assert colombia is not None
    assert colombia.price_usd_per_mwh == pytest.approx(0.8 * (7.26 * lng + 7.47), abs=0.06)


@pytest.mark.parametrize("year", FUTURE)
def test_committed_tranche_is_strung_and_its_borders_raised(studies: dict[int, StudyYear], year: int) -> None:
    study = studies[year]
    lines = study.data.lines.set_index("line")
    tranche = {"HN_AGUA_CALIENTE-NI_SANDINO", "NI_SANDINO-NI_TICUANTEPE_II", "NI_TICUANTEPE_II-CR_CANAS"}
    assert set(study.committed_segments) == tranche
    siepac = lines[lines.kind == "siepac"]
    assert (siepac.circuits_strung[siepac.index.isin(tranche)] == 2).all()
    assert (siepac.circuits_strung[~siepac.index.isin(tranche)] == 1).all()
    shipped = load_data().border_limits.set_index("limit_id").limit_mw
    now = study.data.border_limits.set_index("limit_id").limit_mw
    for limit_id in ("HN_to_NI", "NI_to_HN", "NI_to_CR", "CR_to_NI"):
        assert now[limit_id] == shipped[limit_id] + 300
    for limit_id in ("GT_to_SV_HN", "CR_to_PA", "MX_to_GT_day", "GT_to_MX"):
        assert now[limit_id] == shipped[limit_id]
    # all tranches: every SIEPAC border 300 MW above today's, the Mexico link unchanged
    full = study.option_border_limits["all_tranches"]
    assert all(full[k] == shipped[k] + 300 for k in shipped.index if "MX" not in k)
    every_option = {s for segments in study.option_segments.values() for s in segments}
    assert every_option | tranche == set(siepac.index)


def test_market_rule_and_colombia_off_in_base(studies: dict[int, StudyYear]) -> None:
    for year, study in studies.items():
        assert study.market == {"market.mexico_trade": "guatemala_only", "market.guatemala_in_mer": "true"}, year
        assert study.colombia is not None and not study.colombia.in_base
        assert study.colombia.capacity_mw == 400
        assert study.colombia.panama_bus == study.data.hub("PA")


def test_colombia_price_keeps_its_mean_and_rises_in_a_dry_year(studies: dict[int, StudyYear]) -> None:
    colombia = studies[2030].colombia
    assert colombia is not None
    index = pd.date_range("2030-01-01", "2030-12-31 23:00", freq="h")
    wet, dry = colombia.hourly_price(index, 2022), colombia.hourly_price(index, 2023)
    assert wet.mean() == pytest.approx(colombia.price_usd_per_mwh)
    assert dry.mean() == pytest.approx(colombia.price_usd_per_mwh * colombia.dry_weather_factor)
    evening = wet[(wet.index.hour == 19) & (wet.index.month == 6)].mean()
    noon = wet[(wet.index.hour == 12) & (wet.index.month == 6)].mean()
    assert evening == pytest.approx(noon * (1 + colombia.evening_premium_pct / 100))


def test_weather_scaling_keeps_the_weather_years_capacity_factor(studies: dict[int, StudyYear]) -> None:
    study = studies[2030]
    data = study.data
    scale = weather_scale(study, 2022)
    table = scaled_resources(study, 2022)
    for country in COUNTRIES:
        observed_cf = data.resource_energy_gwh(country, 2022, "solar") / data.capacity_mw(country, "solar", 2022)
        scaled = table[(table.country == country) & (table.year == 2022) & (table.carrier == "solar")].value.sum()
        assert scaled / data.capacity_mw(country, "solar", 2030) == pytest.approx(observed_cf)
        hydro_2022 = data.capacity_mw(country, "hydro_ror", 2022) + data.capacity_mw(country, "hydro_reservoir", 2022)
        hydro_2030 = data.capacity_mw(country, "hydro_ror", 2030) + data.capacity_mw(country, "hydro_reservoir", 2030)
        assert scale[(country, "hydro")] == pytest.approx(hydro_2030 / hydro_2022)
    assert scale[("HN", "hydro")] > 1.0  # El Tornillito
    # the other weather year is untouched
    pd.testing.assert_series_equal(
        table[table.year == 2023].value, data.resources[data.resources.year == 2023].value, check_dtype=False
    )


def test_every_outlook_row_has_a_known_source_and_a_valid_tag() -> None:
    known = {r["source_key"] for r in rows("sources.csv")}
    for relative in OUTLOOK_TABLES:
        table = rows(relative)
        assert table, relative
        for i, row in enumerate(table, start=2):
            assert row["tag"] in {"found", "derived", "estimate"}, (relative, i)
            keys = [k.strip() for k in row["source"].split(";") if k.strip()]
            assert keys and set(keys) <= known, (relative, i, keys)
            assert row["note"].strip(), (relative, i)
    assert sorted(p.name for p in (grids_dir() / "outlook").glob("*.csv")) == sorted(
        Path(r).name for r in OUTLOOK_TABLES
    )


def test_estimates_are_listed_for_show(studies: dict[int, StudyYear]) -> None:
    lines = studies[2030].estimates
    assert any("outlook/demand.csv" in s and "GT peak_mw" in s for s in lines)
    assert any("PEG-5 gas block" in s for s in lines)
    assert not any("Gatún" in s for s in lines)  # found, not an estimate


def test_a_2030_network_builds_with_the_existing_builder(studies: dict[int, StudyYear]) -> None:
    from simulator.network import build_network
    from simulator.testing import short_scenario

    scenario = short_scenario("base_2030.yaml", start="2030-03-07", days=2)
    n = build_network(scenario, load_data())  # the builder takes the shipped tables and reads the year itself
    assert n.snapshots[0] == pd.Timestamp("2030-03-07")
    assert n.generators.p_nom["PA gas"] == pytest.approx(1051.0)
    assert n.generators.p_nom["GT gas"] == pytest.approx(702.6)
    doubled = n.lines.circuits["NI_TICUANTEPE_II-CR_CANAS"]
    assert doubled == 2 and n.lines.circuits["CR_CANAS-CR_PARRITA"] == 1
    limits = {b["limit_id"]: b["limit_mw"] for b in n.meta["border_limits"]}
    assert limits["HN_to_NI"] == 460


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "line", "column", "value", "message"),
    [
        (
            "outlook/commissioning.csv",
            2,
            "commissioning_date",
            "2024-13-01",
            r"commissioning.csv:2: column `commissioning_date` must be a date YYYY-MM-DD, found '2024-13-01'",
        ),
        (
            "outlook/commissioning.csv",
            2,
            "commissioning_date",
            "2023-06-01",
            r"commissioning.csv:2: column `commissioning_date` 2023-06-01 is not after the observed fleet",
        ),
        (
            "outlook/commissioning.csv",
            3,
            "technology",
            "nuclear",
            r"commissioning.csv:3: column `technology` must be one of .*found 'nuclear'",
        ),
        (
            "outlook/commissioning.csv",
            2,
            "capacity_mw",
            "n/a",
            r"commissioning.csv:2: column `capacity_mw` must be a number, found 'n/a'",
        ),
        ("outlook/demand.csv", 4, "value", "12 GWh", r"demand.csv:4: column `value` must be a number, found '12 GWh'"),
        (
            "outlook/commissioning.csv",
            2,
            "retirement_date",
            "2024-01-01",
            r"commissioning.csv:2: column `retirement_date` \(2024-01-01\) must be after `commissioning_date` \(2024-10-01\)",
        ),
        (
            "outlook/demand.csv",
            2,
            "value",
            "",
            r"demand.csv:2: column `value` is empty; expected a number",
        ),
        ("outlook/demand.csv", 3, "country", "BZ", r"demand.csv:3: column `country` must be one of .*found 'BZ'"),
        (
            "outlook/transmission.csv",
            2,
            "segment",
            "HN_AGUA_CALIENTE-NI_SANDINOS",
            r"transmission.csv:2: column `segment` must be one of .*found 'HN_AGUA_CALIENTE-NI_SANDINOS'",
        ),
        (
            "outlook/market.csv",
            4,
            "value",
            "maybe",
            r"market.csv:4: column `value` of market.guatemala_in_mer must be one of true, false, found 'maybe'",
        ),
        ("outlook/fuel_prices.csv", 2, "tag", "guess", r"fuel_prices.csv:2: column `tag` must be one of"),
        ("outlook/colombia.csv", 2, "source", "F999", r"colombia.csv:2: source key 'F999' is not in"),
        (
            "outlook/border_limits.csv",
            2,
            "limit_mw",
            "-5",
            r"border_limits.csv:2: column `limit_mw` must not be negative",
        ),
    ],
)
def test_bad_cells_are_refused_naming_file_line_and_column(
    tmp_path: Path, relative: str, line: int, column: str, value: str, message: str
) -> None:
    root = copy_grids(tmp_path)
    edit(root, relative, line, column, value)
    with pytest.raises(DataError, match=message):
        load_study_year(2030, root)


def test_a_missing_row_is_refused_naming_what_is_missing(tmp_path: Path) -> None:
    root = copy_grids(tmp_path)
    path = root / "outlook" / "demand.csv"
    text = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("NI,2035,peak_mw")]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"demand.csv: NI 2035 has no row for quantity peak_mw"):
        load_study_year(2030, root)


def test_retirements_below_zero_are_refused(tmp_path: Path) -> None:
    root = copy_grids(tmp_path)
    with (root / "outlook" / "commissioning.csv").open("a", encoding="utf-8") as f:
        f.write("Phantom retirement,SV,coal,50,,2029-01-01,MODEL,estimate,test row\n")
    with pytest.raises(DataError, match=r"retirements take SV coal to -50 MW at the end of 2030"):
        load_study_year(2030, root)


def test_a_missing_outlook_folder_is_refused(tmp_path: Path) -> None:
    root = copy_grids(tmp_path)
    shutil.rmtree(root / "outlook")
    with pytest.raises(DataError, match=r"future-year inputs missing: folder .*outlook not found"):
        available_study_years(root)


def test_row_counts_match_a_complete_year() -> None:
    demand = rows("outlook/demand.csv")
    assert len(demand) == len(FUTURE) * len(COUNTRIES) * 2
    limits = rows("outlook/border_limits.csv")
    assert len(limits) == len(FUTURE) * 2 * len(rows("electric/border_limits.csv"))
    assert np.isfinite([float(r["value"]) for r in rows("outlook/fuel_prices.csv")]).all()
