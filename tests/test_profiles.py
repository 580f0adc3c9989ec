"""Hourly profiles: energy and peak targets, documented features, reproducibility, and an
independent clear-sky reference for the solar shape."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulator import COUNTRIES
from simulator.data import InputData
from simulator.profiles import (
    hydro_inflow_shape,
    load_profile_mw,
    solar_clear_sky_pu,
    solar_pu,
    stretch_to_peak,
    wind_pu,
    year_index,
)


@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("year", [2022, 2023])
def test_load_matches_annual_energy_and_peak(data: InputData, country: str, year: int) -> None:
    load = load_profile_mw(data, country, year)
    assert len(load) == 8760
    assert load.sum() / 1e3 == pytest.approx(data.demand_value(country, year, "energy_gwh"), rel=1e-9)
    assert load.max() == pytest.approx(data.demand_value(country, year, "peak_mw"), rel=1e-6)
    assert (load > 0).all()


@pytest.mark.parametrize(
    "country, hours", [("GT", {19, 20}), ("SV", {19, 20}), ("NI", {19, 20}), ("PA", {11, 12, 13, 14})]
)
def test_weekday_peak_hour_is_the_documented_one(data: InputData, country: str, hours: set[int]) -> None:
    load = load_profile_mw(data, country, 2022)
    weekdays = load[load.index.day_of_week < 5]
    typical_peak_hour = weekdays.groupby(weekdays.index.hour).mean().idxmax()
    assert typical_peak_hour in hours


def test_load_is_seeded_and_reproducible(data: InputData) -> None:
    pd.testing.assert_series_equal(load_profile_mw(data, "HN", 2022), load_profile_mw(data, "HN", 2022))
    assert not np.allclose(load_profile_mw(data, "HN", 2022).to_numpy(), load_profile_mw(data, "HN", 2023).to_numpy())


def test_stretch_keeps_energy_and_hits_peak() -> None:
    shape = np.array([0.5, 1.0, 1.5, 1.0])
    out = stretch_to_peak(shape, mean_mw=100.0, peak_mw=130.0)
    assert out.mean() == pytest.approx(100.0)
    assert out.max() == pytest.approx(130.0)


@pytest.mark.parametrize("country", COUNTRIES)
def test_solar_capacity_factor_and_night(data: InputData, country: str) -> None:
    cf = solar_pu(data, country, 2022, 2022)
    expected = (
        data.resource_energy_gwh(country, 2022, "solar") * 1e3 / (data.capacity_mw(country, "solar", 2022) * 8760)
    )
    assert cf.mean() == pytest.approx(expected, rel=1e-4)
    assert cf.between(0, 1).all()
    assert (cf[cf.index.hour.isin([0, 1, 2, 3, 22, 23])] == 0).all()


SITES = {
    "GT": "GT_Escuintla",
    "SV": "SV_Usulutan",
    "HN": "HN_Choluteca",
    "NI": "NI_Leon",
    "CR": "CR_Guanacaste",
    "PA": "PA_Chiriqui",
}


TABLE_HOURS_AHEAD_OF_MODEL_CLOCK = {"PA": 1}
"""The tables are in local time (PROFILES_AND_SITES.md §3.2): Panama's is UTC-5, an hour
ahead of the model's UTC-6 clock, as its load table is (``hour_shift=1`` in profiles.py)."""


@pytest.mark.parametrize("country", list(SITES))
def test_clear_sky_shape_agrees_with_independent_tables(data: InputData, country: str) -> None:
    """Our sun-position clear sky against the reference notes' pvlib tables (2019, another
    author's settings): the month x hour shapes must correlate above 0.97."""
    index = year_index(2019)
    ours = pd.Series(solar_clear_sky_pu(country, index), index=index)
    ours_table = ours.groupby([ours.index.month, ours.index.hour]).mean().unstack()
    reference = pd.read_csv(data.root / "profiles" / f"PV_clearsky_hourly_by_month_{SITES[country]}.csv", index_col=0)
    reference.columns = reference.columns.astype(int)
    # model hour h is local hour h + shift: move the table onto the model clock
    reference = pd.DataFrame(
        np.roll(reference.to_numpy(), -TABLE_HOURS_AHEAD_OF_MODEL_CLOCK.get(country, 0), axis=1),
        index=reference.index,
        columns=reference.columns,
    )
    correlation = np.corrcoef(ours_table.to_numpy().ravel(), reference.to_numpy().ravel())[0, 1]
    assert correlation > 0.97


@pytest.mark.parametrize("country", COUNTRIES)
def test_wind_capacity_factor_and_dry_season_maximum(data: InputData, country: str) -> None:
    cf = wind_pu(data, country, 2022, 2022)
    expected = data.resource_energy_gwh(country, 2022, "wind") * 1e3 / (data.capacity_mw(country, "wind", 2022) * 8760)
    assert cf.mean() == pytest.approx(expected, rel=1e-4)
    monthly = cf.groupby(cf.index.month).mean()
    assert monthly[[12, 1, 2]].mean() > monthly[[5, 6, 9]].mean()


@pytest.mark.parametrize("country", COUNTRIES)
def test_inflow_follows_wet_and_dry_seasons(data: InputData, country: str) -> None:
    shape = hydro_inflow_shape(data, country, 2022, 2022)
    assert shape.mean() == pytest.approx(1.0)
    monthly = shape.groupby(shape.index.month).mean()
    assert monthly[[6, 7, 8, 9, 10]].mean() > 1.5 * monthly[[2, 3, 4]].mean()
