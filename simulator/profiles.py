"""Hourly profiles built by seeded, documented code from measured shapes and published features.

The model clock is local time of Guatemala to Costa Rica (UTC-6, no daylight saving),
hour-beginning, 8,760 hours (8,784 in leap years). Every profile is built for the whole
calendar year and then cut to the simulated span, so that scaling to annual energy does
not depend on the span.

Sources of each shape are listed in ``grids/profiles/sources.csv``; numbers that are
modelling choices are named constants below with their reasoning.
"""

from __future__ import annotations

import zlib
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.data import InputData
from simulator.tables import read_profile

MODEL_TZ = "Etc/GMT+6"
"""Model clock: UTC-6 (POSIX sign convention: GMT+6 is six hours behind UTC)."""

DAYTYPES = ("weekday", "saturday", "sunday")

SOLAR_SITES: dict[str, tuple[float, float]] = {
    "GT": (14.10, -90.80),  # Escuintla
    "SV": (13.45, -88.45),  # Usulután
    "HN": (13.30, -87.20),  # Choluteca
    "NI": (12.43, -86.88),  # León
    "CR": (10.60, -85.45),  # Guanacaste
    "PA": (8.40, -82.40),  # Chiriquí
}
"""Representative PV sites (lat, lon): the sites of the clear-sky tables in
PROFILES_AND_SITES.md §3.2, on the Pacific slope where most PV is built."""

SV_WEEKEND_RATIOS = {"saturday": 0.863, "sunday": 0.761}
"""SV Saturday and Sunday energy relative to a weekday (UT data, March 2020; PROFILES §1.5)."""

LOAD_NOISE_SD = 0.03
"""Day-to-day weather variation of load (share of the mean), AR(1) with ``LOAD_NOISE_RHO``."""
LOAD_NOISE_RHO = 0.7
WIND_NOISE_SD = 0.6
"""Standard deviation of the log-normal hourly wind variation; hourly AR(1) with ``WIND_NOISE_RHO``
(about a 20-hour decorrelation time, typical of trade-wind weather systems)."""
WIND_NOISE_RHO = 0.95
CLOUD_NOISE_SD = 0.15
"""Day-to-day variation of solar clearness around the month's mean."""
INFLOW_NOISE_SD = 0.10
"""Day-to-day variation of river inflow around the smooth seasonal curve, AR(1) with rho 0.9."""


def seed_for(*parts: object) -> int:
    """Return a stable seed from names (CRC32), so every profile is reproducible."""
    return zlib.crc32("|".join(map(str, parts)).encode())


def year_index(year: int) -> pd.DatetimeIndex:
    """Return the hourly snapshots of a calendar year on the model clock (naive, UTC-6)."""
    return pd.date_range(f"{year}-01-01", f"{year}-12-31 23:00", freq="h", name="snapshot")


def _daytype(index: pd.DatetimeIndex) -> np.ndarray:
    dow = index.day_of_week
    return np.where(dow == 5, "saturday", np.where(dow == 6, "sunday", "weekday"))


def _ar1(n: int, rho: float, sd: float, rng: np.random.Generator) -> np.ndarray:
    """Return a stationary AR(1) series of length ``n`` with standard deviation ``sd``."""
    eps = rng.normal(0.0, sd * np.sqrt(1 - rho**2), n)
    out = np.empty(n)
    out[0] = rng.normal(0.0, sd)
    for i in range(1, n):
        out[i] = rho * out[i - 1] + eps[i]
    return out


# -- measured shapes -----------------------------------------------------------------


@cache
def _read_csv(path: Path) -> pd.DataFrame:
    """Read a profile table through the checked reader (cached: every country reads the same few)."""
    return read_profile(path.name, path.parent.parent)


def _read_month_daytype(path: Path, hour_shift: int = 0) -> dict[tuple[str, int], np.ndarray]:
    table = _read_csv(path)
    hours = [str(h) for h in range(24)]
    return {
        (str(r["daytype"]), int(r["month"])): np.roll(r[hours].to_numpy(float), -hour_shift)
        for _, r in table.iterrows()
    }


def _read_daytype(path: Path) -> dict[str, np.ndarray]:
    table = _read_csv(path)
    hours = [str(h) for h in range(24)]
    return {str(r["dt"]): r[hours].to_numpy(float) for _, r in table.iterrows()}


def _monthly_shares(path: Path) -> np.ndarray:
    """Return 12 monthly energy shares: the mean row of a shares table, renormalised."""
    table = _read_csv(path)
    months = [str(m) for m in range(1, 13)]
    values = table[months].to_numpy(float)
    shares = values.mean(axis=0)
    return shares / shares.sum()


def _shape_from_month_daytype(index: pd.DatetimeIndex, table: dict[tuple[str, int], np.ndarray]) -> np.ndarray:
    daytypes = _daytype(index)
    return np.array([table[(d, m)][h] for d, m, h in zip(daytypes, index.month, index.hour, strict=True)])


def _shape_from_daytype(index: pd.DatetimeIndex, table: dict[str, np.ndarray]) -> np.ndarray:
    daytypes = _daytype(index)
    return np.array([table[d][h] for d, h in zip(daytypes, index.hour, strict=True)])


def _apply_monthly_shares(index: pd.DatetimeIndex, shape: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Rescale each month of ``shape`` so that its energy share equals ``shares``."""
    out = shape.astype(float).copy()
    months = index.month.to_numpy()
    total = out.sum()
    for m in range(1, 13):
        mask = months == m
        out[mask] *= shares[m - 1] * total / out[mask].sum()
    return out


def load_shape(country: str, index: pd.DatetimeIndex, profiles: Path) -> np.ndarray:
    """Return an hourly load shape with mean 1 (before noise and peak stretching).

    CR and PA use their measured month x daytype x hour tables (PA shifted one hour from
    UTC-5 to the model clock). GT uses its 2024-25 daytype shape (evening peak at 19 h,
    flatter than 2008-09) with 2008-09 monthly energy shares. SV, HN and NI have no hourly
    series: they use the proxies recommended in PROFILES_AND_SITES.md §1.5 (SV: GT's
    weekday shape with SV's own weekend ratios; HN: 50/50 blend of PA and GT; NI: GT).
    """
    if country == "CR":
        shape = _shape_from_month_daytype(
            index, _read_month_daytype(profiles / "CR_2019_hourly_profile_by_month_daytype.csv")
        )
        shares = _monthly_shares(profiles / "CR_2019_monthly_energy_shares.csv")
    elif country == "PA":
        table = _read_month_daytype(profiles / "PA_2016_2018_hourly_profile_by_month_daytype.csv", hour_shift=1)
        shape = _shape_from_month_daytype(index, table)
        shares = _monthly_shares(profiles / "PA_2016_2018_monthly_energy_shares.csv")
    else:
        gt = _read_daytype(profiles / "GT_2024_2025_JanApr_generation_hourly_profile_daytype.csv")
        if country == "SV":
            weekday = gt["weekday"]
            gt = {"weekday": weekday, **{d: weekday * r for d, r in SV_WEEKEND_RATIOS.items()}}
        elif country == "HN":
            pa = _read_month_daytype(profiles / "PA_2016_2018_hourly_profile_by_month_daytype.csv", hour_shift=1)
            pa_daytype = {d: np.mean([pa[(d, m)] for m in range(1, 13)], axis=0) for d in DAYTYPES}
            gt = {d: 0.5 * gt[d] + 0.5 * pa_daytype[d] for d in DAYTYPES}
        shape = _shape_from_daytype(index, gt)
        shares = _monthly_shares(profiles / "GT_2008_2009_generation_monthly_energy_shares.csv")
    shape = _apply_monthly_shares(index, shape, shares)
    return shape / shape.mean()


def stretch_to_peak(shape: np.ndarray, mean_mw: float, peak_mw: float) -> np.ndarray:
    """Scale a mean-1 shape to ``mean_mw`` and stretch it about the mean so its maximum is ``peak_mw``.

    ``load = mean * (1 + a * (shape - 1))`` keeps the energy and moves the peak; ``a`` is
    bounded so that the load stays positive.
    """
    top = shape.max() - 1.0
    target = peak_mw / mean_mw - 1.0
    a = target / top if top > 0 else 1.0
    a = min(a, 0.95 / max(1.0 - shape.min(), 1e-9))  # keep the minimum above 5 % of the mean
    return mean_mw * (1.0 + a * (shape - 1.0))


def load_profile_mw(data: InputData, country: str, year: int, weather_year: int | None = None) -> pd.Series:
    """Return the hourly load (MW) of a country: measured shape, seeded day-to-day weather
    variation, scaled to the year's energy and stretched to the year's peak.

    The day-to-day variation is the weather year's (default ``year``): an outlook year
    takes the variation of its weather year (2022 or 2023) on its own calendar, energy and peak.
    """
    index = year_index(year)
    shape = load_shape(country, index, data.root / "profiles")
    rng = np.random.default_rng(seed_for("load", country, year if weather_year is None else weather_year))
    days = index.normalize()
    day_codes, day_pos = np.unique(days, return_inverse=True)
    noise = 1.0 + _ar1(len(day_codes), LOAD_NOISE_RHO, LOAD_NOISE_SD, rng)[day_pos]
    shape = shape * noise
    shape /= shape.mean()
    energy_mwh = data.demand_value(country, year, "energy_gwh") * 1e3
    peak_mw = data.demand_value(country, year, "peak_mw")
    return pd.Series(stretch_to_peak(shape, energy_mwh / len(index), peak_mw), index=index, name=country)


# -- weather-driven supply -------------------------------------------------------------


def solar_clear_sky_pu(country: str, index: pd.DatetimeIndex) -> np.ndarray:
    """Return clear-sky output of fixed-tilt PV (per unit of peak) at the country's site.

    Sun position and clear-sky irradiance from pvlib (Ineichen with pvlib's bundled
    Linke turbidity climatology, no download); plane of array tilted at the latitude
    (at least 10 degrees), facing south.
    """
    import pvlib

    lat, lon = SOLAR_SITES[country]
    times = index.tz_localize(MODEL_TZ) + pd.Timedelta(minutes=30)  # mid-hour sun position
    site = pvlib.location.Location(lat, lon, tz=MODEL_TZ)
    sun = site.get_solarposition(times)
    clear = site.get_clearsky(times, model="ineichen", solar_position=sun)
    tilt = max(10.0, lat)
    poa = pvlib.irradiance.get_total_irradiance(
        tilt, 180.0, sun["apparent_zenith"], sun["azimuth"], clear["dni"], clear["ghi"], clear["dhi"]
    )["poa_global"]
    return np.clip(poa.fillna(0.0).to_numpy() / 1000.0, 0.0, None)


def _fit_to_mean(values: np.ndarray, target_mean: float, cap: float = 1.0) -> np.ndarray:
    """Scale ``values`` so that their mean is ``target_mean`` after clipping at ``cap``."""
    out = values.copy()
    if target_mean <= 0 or out.mean() <= 0:
        return np.zeros_like(out)
    target_mean = min(target_mean, cap * 0.999)
    for _ in range(50):
        clipped = np.clip(out, 0.0, cap)
        ratio = target_mean / clipped.mean()
        if abs(ratio - 1) < 1e-6:
            break
        out = out * ratio
    return np.clip(out, 0.0, cap)


def _monthly_cf_shape(data: InputData, column: str) -> np.ndarray:
    """Return Guatemala's monthly PV or wind capacity factors (AMM, 2018-22 and 2024)."""
    table = _read_csv(data.root / "profiles" / "GT_AMM_PV_wind_monthly_CF_2018_2022_2024.csv")
    return table[column].to_numpy(float)


def solar_pu(data: InputData, country: str, weather_year: int, calendar_year: int) -> pd.Series:
    """Return the hourly PV capacity factor of a country.

    Clear-sky output times a seeded daily clearness that follows Guatemala's measured
    monthly PV capacity factors (wet-season clouds), scaled so that the annual capacity
    factor equals the country's observed solar energy over its capacity.
    """
    index = year_index(calendar_year)
    clear = solar_clear_sky_pu(country, index)
    monthly_cf = _monthly_cf_shape(data, "Fotovoltaica")
    months = index.month.to_numpy()
    clear_month_cf = np.array([clear[months == m].mean() for m in range(1, 13)])
    clearness = (monthly_cf / clear_month_cf)[months - 1]
    clearness = clearness / clearness.max()
    rng = np.random.default_rng(seed_for("solar", country, weather_year))
    days, day_pos = np.unique(index.normalize(), return_inverse=True)
    daily = np.clip(1.0 + rng.normal(0.0, CLOUD_NOISE_SD, len(days)), 0.2, 1.3)[day_pos]
    raw = clear * clearness * daily
    target = _target_cf(data, country, "solar", weather_year, calendar_year)
    return pd.Series(_fit_to_mean(raw, target), index=index, name=country)


def wind_pu(data: InputData, country: str, weather_year: int, calendar_year: int) -> pd.Series:
    """Return the hourly wind capacity factor: Guatemala's measured monthly shape (trade-wind
    maximum Nov-Mar, July secondary peak) times seeded log-normal hourly weather, scaled to
    the country's observed annual capacity factor."""
    index = year_index(calendar_year)
    monthly = _monthly_cf_shape(data, "Eólico")[index.month.to_numpy() - 1]
    rng = np.random.default_rng(seed_for("wind", country, weather_year))
    noise = _ar1(len(index), WIND_NOISE_RHO, WIND_NOISE_SD, rng)
    raw = monthly * np.exp(noise - WIND_NOISE_SD**2 / 2)
    target = _target_cf(data, country, "wind", weather_year, calendar_year)
    return pd.Series(_fit_to_mean(raw, target), index=index, name=country)


def _target_cf(data: InputData, country: str, carrier: str, weather_year: int, calendar_year: int) -> float:
    """Observed annual energy of the weather year over installed capacity of the calendar year."""
    technology = {"solar": "solar", "wind": "wind", "geothermal": "geothermal"}[carrier]
    capacity = data.capacity_mw(country, technology, calendar_year)
    if capacity <= 0:
        return 0.0
    hours = len(year_index(calendar_year))
    return data.resource_energy_gwh(country, weather_year, carrier) * 1e3 / (capacity * hours)


_OSEMOSYS_CODES = {"GT": "GTM", "SV": "SLV", "HN": "HND", "NI": "NIC", "CR": "CRI", "PA": "PAN"}


def hydro_inflow_shape(data: InputData, country: str, weather_year: int, calendar_year: int) -> pd.Series:
    """Return a mean-1 hourly river-inflow shape.

    Monthly shares of OSeMOSYS-Global, flattened toward a constant year by the
    ``inflow_seasonality_weight`` of ``fleet/parameters.csv`` (regulation and pondage make
    real dry-season hydro larger than the modelled runoff), smoothed into a daily curve
    between month midpoints, with seeded day-to-day variation.
    """
    table = _read_csv(data.root / "profiles" / "OSeMOSYS_global_hydro_monthly_shares_CA_derived.csv")
    row = table[table["NAME"].str.startswith(_OSEMOSYS_CODES[country])]
    modelled = row[[f"M{m}" for m in range(1, 13)]].to_numpy(float).ravel()
    weight = data.parameter("hydro_ror", country, "inflow_seasonality_weight")
    shares = weight * modelled / modelled.sum() + (1.0 - weight) / 12.0
    index = year_index(calendar_year)
    days = pd.date_range(index[0], index[-1].normalize(), freq="D")
    month_len = np.array([pd.Timestamp(calendar_year, m, 1).days_in_month for m in range(1, 13)])
    level = shares / month_len  # daily level per month
    mid = np.cumsum(month_len) - month_len / 2.0
    doy = np.arange(len(days)) + 0.5
    # periodic interpolation through month midpoints keeps the seasonal curve smooth
    daily = np.interp(doy, np.concatenate([mid - len(days), mid, mid + len(days)]), np.tile(level, 3))
    daily = _apply_monthly_shares(days, daily, shares)
    rng = np.random.default_rng(seed_for("inflow", country, weather_year))
    daily = daily * np.exp(_ar1(len(days), 0.9, INFLOW_NOISE_SD, rng))
    hourly = np.repeat(daily, 24)[: len(index)]
    return pd.Series(hourly / hourly.mean(), index=index, name=country)


def harvest_mask(data: InputData, country: str, index: pd.DatetimeIndex) -> np.ndarray:
    """Return True in the sugar-cane harvest months (bagasse cogeneration season)."""
    start = int(data.parameter("bagasse", country, "harvest_start_month"))
    end = int(data.parameter("bagasse", country, "harvest_end_month"))
    months = index.month.to_numpy()
    if start <= end:
        return (months >= start) & (months <= end)
    return (months >= start) | (months <= end)
