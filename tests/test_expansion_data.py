"""Expansion candidates of grids/expansion/: provenance, currency conversion, annuity, potentials."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from simulator import COUNTRIES
from simulator.errors import DataError
from simulator.expansion_data import (
    CANDIDATE_FUELS,
    POTENTIALS_TABLE,
    TECHNOLOGIES_TABLE,
    candidates,
    parameter,
    read_parameters,
    read_potentials,
    read_technologies,
    usd_conversion_factor,
)
from simulator.paths import grids_dir
from simulator.tables import TAGS

EXTRACT = Path("/work/shared/data/technology_costs")


def _copy_grids(tmp_path: Path) -> Path:
    root = tmp_path / "grids"
    shutil.copytree(grids_dir() / "expansion", root / "expansion")
    shutil.copy(grids_dir() / "sources.csv", root / "sources.csv")
    return root


def test_every_candidate_has_known_sources_and_a_tag() -> None:
    keys = set(pd.read_csv(grids_dir() / "sources.csv").source_key)
    for table in (read_technologies(), read_potentials(), read_parameters()):
        assert set(table.tag) <= TAGS
        used = {k.strip() for cell in table.source for k in str(cell).split(";")}
        assert used <= keys, used - keys


def test_annuity_matches_a_hand_computed_case() -> None:
    # CCGT 2030: 25 years at 8 %: 0.08 * 1.08**25 / (1.08**25 - 1) = 0.093679
    row = candidates(2030).query("country == 'PA' and technology == 'ccgt' and fuel == 'lng'").iloc[0]
    assert row.annuity_factor == pytest.approx(0.0936788, rel=1e-5)
    capex = 1465.7  # USD2024/kW, technologies.csv
    assert row.capital_cost_usd_per_mw_year == pytest.approx((0.0936788 + 0.0197) * capex * 1000, rel=1e-5)


def test_discount_rate_argument_moves_the_annuity() -> None:
    zero = candidates(2030, discount_rate_pct=0.0).query("country == 'GT' and technology == 'solar_pv'").iloc[0]
    assert zero.annuity_factor == pytest.approx(1 / 40)


def test_capex_is_the_source_row_converted_by_the_stated_rate_and_deflator() -> None:
    # independent of the loader: the conversion written out with the published figures
    by_hand = {("USD", 2022): 313.689 / 292.655, ("EUR", 2015): 1.1095 * 313.689 / 237.017}
    params = read_parameters()
    for row in read_technologies().itertuples():
        key = (row.capex_source_currency, int(row.capex_source_year))
        assert usd_conversion_factor(params, *key) == pytest.approx(by_hand[key])
        assert row.capex_usd_per_kw == pytest.approx(row.capex_source_value * by_hand[key], abs=0.051)


@pytest.mark.skipif(not EXTRACT.is_dir(), reason="shared technology-data extract not present")
def test_source_values_are_rows_of_the_technology_data_extract() -> None:
    names = {
        "solar_pv": "Utility PV - Class 1",
        "onshore_wind": "Land-Based Wind - Class 5 - Technology 1",
        "battery_4h": "Utility-Scale Battery Storage - 4Hr",
        "ccgt": "CCGT",
        "ocgt": "OCGT",
    }
    for row in read_technologies().itertuples():
        extract = pd.read_csv(EXTRACT / f"technology_costs_{row.year}.csv")
        us = extract[extract.dataset.str.contains("US/") & (extract.technology == names[row.technology])]
        inv = us[us.parameter == "investment"].iloc[0]
        assert inv.value == pytest.approx(row.capex_source_value)
        assert int(inv.currency_year) == int(row.capex_source_year)
        assert inv.unit.startswith(row.capex_source_currency)
        fom = us[us.parameter == "FOM"].iloc[0]
        assert fom.value == pytest.approx(row.fom_pct_per_year)


def test_heat_rate_follows_efficiency() -> None:
    for row in read_technologies().query("technology in ['ccgt', 'ocgt']").itertuples():
        assert row.heat_rate_hhv_mmbtu_per_mwh == pytest.approx(3.412142 / row.efficiency_pu * 1.108, abs=0.006)


def test_potentials_non_negative_and_for_every_country() -> None:
    table = read_potentials()
    assert (table.p_nom_max_mw >= 0).all()
    for year in (2030, 2035):
        got = candidates(year)
        assert set(got.country) == set(COUNTRIES)
        assert len(got) == len(COUNTRIES) * sum(len(f) for f in CANDIDATE_FUELS.values())
        assert got.capital_cost_usd_per_mw_year.gt(0).all()
    # pipeline gas only where a route reaches (GT)
    pipe = table[(table.fuel == "pipeline_gas") & (table.p_nom_max_mw > 0)]
    assert set(pipe.country) == {"GT"}


def test_reserve_parameters_have_defaults() -> None:
    params = read_parameters()
    assert parameter(params, "reserve_margin_pct", "HN") == 10.0
    assert parameter(params, "reserve_margin_pct", "CR") == 10.0
    assert 0 <= parameter(params, "import_credit_share") <= 1
    assert parameter(params, "capacity_credit_pu", technology="solar") == 0.0


def test_unknown_year_names_the_study_years() -> None:
    with pytest.raises(DataError, match="study years are 2030, 2035"):
        candidates(2040)


def _edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_unknown_technology_names_file_line_and_column(tmp_path: Path) -> None:
    root = _copy_grids(tmp_path)
    _edit(root, TECHNOLOGIES_TABLE, "\nsolar_pv,none,2030,", "\nsolar_thermal,none,2030,")
    with pytest.raises(DataError, match=r"technologies\.csv:2: column `technology` must be one of .*'solar_thermal'"):
        candidates(2030, root)


def test_unknown_country_names_file_line_and_column(tmp_path: Path) -> None:
    root = _copy_grids(tmp_path)
    _edit(root, POTENTIALS_TABLE, "\nSV,solar_pv,", "\nXX,solar_pv,")
    with pytest.raises(DataError, match=r"potentials\.csv:9: column `country` must be one of .*'XX'"):
        read_potentials(root)


def test_missing_country_row_and_negative_potential_are_errors(tmp_path: Path) -> None:
    root = _copy_grids(tmp_path)
    _edit(root, POTENTIALS_TABLE, "GT,onshore_wind,none,2030,690.0", "GT,onshore_wind,none,2030,-5")
    with pytest.raises(DataError, match=r"potentials\.csv:3: column `p_nom_max_mw` must be in"):
        read_potentials(root)
    root = _copy_grids(tmp_path / "b")
    path = root / POTENTIALS_TABLE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("NI,battery_4h,none,2035")), encoding="utf-8")
    with pytest.raises(DataError, match="no row for NI battery_4h none 2035"):
        read_potentials(root)


def test_wrong_fuel_for_technology(tmp_path: Path) -> None:
    root = _copy_grids(tmp_path)
    _edit(root, TECHNOLOGIES_TABLE, "\nsolar_pv,none,2030,", "\nsolar_pv,lng,2030,")
    with pytest.raises(DataError, match=r"technologies\.csv:2: column `fuel` for solar_pv must be one of none"):
        read_technologies(root)
