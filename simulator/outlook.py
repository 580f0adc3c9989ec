"""Inputs of the future study years (2030, 2035) from ``grids/outlook/``, in the builder's form.

The network builder (:func:`simulator.network.electric.build_network`) reads everything
year-dependent from :class:`~simulator.data.InputData` by ``scenario.year``: demand
(``demand_value``), fleet (``capacity_mw``), fuel prices (``fuel_price_usd_per_mmbtu``) and the
Mexican market (``mexico_value``), plus the year-independent grid tables (lines, border limits).
:func:`load_study_year` returns, for a study year, an ``InputData`` whose tables hold that
year's rows, so the builder can take a future year without a change to those lookups:

* demand, fuel prices and Mexico rows of ``grids/outlook/`` are appended to the shipped tables;
* the fleet of year Y is the 2023 fleet (``fleet/capacity.csv``) plus every addition of
  ``outlook/commissioning.csv`` commissioned by 31 December Y, minus every retirement by that
  date (the end-of-year convention of ``fleet/capacity.csv``); changes dated inside year Y are
  listed in :attr:`StudyYear.fleet_changes` so that the builder can make a plant unavailable
  before its date (the commissioning mechanism of the calibration issue);
* SIEPAC segments of a *committed* tranche in service by 31 December Y have their second
  circuit strung (``circuits_strung`` = ``circuits_towers`` in ``lines``), and the border limits
  are those of the ``committed`` case of ``outlook/border_limits.csv``. The other tranches are
  options: :attr:`StudyYear.option_segments` and :attr:`StudyYear.option_border_limits` give
  what a scenario sets (``grid.second_circuit_segments`` and ``grid.border_limits_mw``);
* the market rule of the year (``outlook/market.csv``) is :attr:`StudyYear.market`, the
  defaults a base scenario of that year should carry;
* the Panama–Colombia link is :attr:`StudyYear.colombia`, off in the base.

For 2022 and 2023 the shipped tables are returned unchanged.

Weather (a builder concern, not done here)
------------------------------------------
A future year takes its weather from 2022 (wet) or 2023 (dry). Today the builder divides the
weather year's observed energy (``resources/annual_energy.csv``) by the *study year's*
capacity (``_target_cf``, ``_annual_cf``, ``_ror_pu``, ``_bagasse_pu``, ``_hydro_inflow_mw``):
with 2030's larger solar fleet that would lower the capacity factor instead of keeping it.
The weather year must set the *capacity factor* (or the inflow per MW), and the study year the
capacity. The builder should therefore multiply the weather year's energy of each
country and carrier by :func:`weather_scale` (study-year capacity ÷ weather-year capacity of
the technologies of that carrier): solar and wind then keep the weather year's capacity
factor and hourly shape, geothermal its capacity factor, bagasse its harvest-season level, and
hydro (reservoir and run-of-river together) its inflow per MW of turbine (a new plant brings
its own river, as a scenario's extra reservoir already does). :func:`scaled_resources` returns
the resources table scaled that way, so the change in the builder is to read that table when
``scenario.year`` differs from the weather year. Profiles are built on the study year's
calendar (``year_index(scenario.year)``) with the weather year's seeds, as today.
The hydro reservoir energy (``reservoir_energy_gwh``) is sized for today's reservoirs; no new
seasonal reservoir is in ``outlook/commissioning.csv`` (El Tornillito is run-of-river), so it
needs no scaling.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulator import COUNTRIES
from simulator.data import TECHNOLOGY_CARRIER, InputData, load_data, read_table
from simulator.errors import DataError
from simulator.paths import grids_dir

BASE_FLEET_YEAR = 2023
"""Last year of observed installed capacity: the future fleet is built from it."""

OUTLOOK_TABLES: dict[str, tuple[str, ...]] = {
    "outlook/demand.csv": ("country", "year", "quantity", "value", "unit"),
    "outlook/commissioning.csv": (
        "plant",
        "country",
        "technology",
        "capacity_mw",
        "commissioning_date",
        "retirement_date",
    ),
    "outlook/fuel_prices.csv": ("fuel", "year", "value", "unit"),
    "outlook/mexico.csv": ("year", "quantity", "value", "unit"),
    "outlook/market.csv": ("year", "key", "value", "unit"),
    "outlook/transmission.csv": ("tranche", "segment", "status", "in_service_date"),
    "outlook/border_limits.csv": ("limit_id", "year", "case", "limit_mw"),
    "outlook/colombia.csv": ("year", "quantity", "value", "unit"),
}
"""Tables of ``grids/outlook/`` and the columns each must have besides source, tag and note."""

DEMAND_QUANTITIES = ("energy_gwh", "peak_mw")
MARKET_KEYS: dict[str, tuple[str, ...]] = {
    "market.mexico_trade": ("none", "guatemala_only", "all_siepac"),
    "market.guatemala_in_mer": ("true", "false"),
}
"""Market-rule keys of ``outlook/market.csv`` and their allowed values (the scenario's)."""
TRANCHE_STATUS = ("committed", "option")
BORDER_CASES = ("committed", "all_tranches")
COLOMBIA_QUANTITIES = (
    "link_capacity_mw",
    "in_base",
    "earliest_in_service_year",
    "link_loss_pct",
    "price_usd_per_mwh",
    "price_dry_weather_factor",
    "price_dry_season_premium_pct",
    "price_evening_premium_pct",
    "import_bid_usd_per_mwh_discount",
)
COLOMBIA_DRY_SEASON_MONTHS = (12, 1, 2, 3)
"""Colombia's main dry season (verano), December to March."""
EVENING_HOURS = (18, 19, 20, 21)
DRY_WEATHER_YEARS = frozenset({2023})
"""Weather years that are dry (El Niño) for the Colombian price (2023, as ``hydrology: dry``)."""


@dataclass(frozen=True)
class ColombiaLink:
    """The Panama–Colombia HVDC link and the Colombian market as a price-taking neighbour."""

    year: int
    capacity_mw: float
    loss_pct: float
    in_base: bool
    earliest_in_service_year: int
    price_usd_per_mwh: float
    """Annual mean price in a normal or wet weather year."""
    dry_weather_factor: float
    dry_season_premium_pct: float
    evening_premium_pct: float
    import_bid_discount_usd_per_mwh: float
    panama_bus: str
    """Bus at which the link lands (Panama's national hub: Panama is a copper plate)."""

    def hourly_price(self, index: pd.DatetimeIndex, weather_year: int) -> pd.Series:
        """Return the hourly Colombian price (USD/MWh) over ``index``.

        The annual mean (times ``dry_weather_factor`` in a dry weather year) with an evening
        and a dry-season premium, normalised so that the mean over ``index`` is kept.
        """
        mean = self.price_usd_per_mwh * (self.dry_weather_factor if weather_year in DRY_WEATHER_YEARS else 1.0)
        evening = self.evening_premium_pct / 100.0
        dry = self.dry_season_premium_pct / 100.0
        shape = (1.0 + evening * np.isin(index.hour, EVENING_HOURS)) * (
            1.0 + dry * np.isin(index.month, COLOMBIA_DRY_SEASON_MONTHS)
        )
        return pd.Series(mean * shape / shape.mean(), index=index, name="CO price")


@dataclass(frozen=True)
class StudyYear:
    """Everything a study year needs: the builder's tables and what scenarios of it set."""

    year: int
    data: InputData
    """Tables in the builder's form, holding the study year's rows."""
    outlook: bool
    """True for a future year built from ``grids/outlook/``."""
    fleet_changes: pd.DataFrame
    """Commissioning/retirement rows dated inside the year (empty for 2022/2023)."""
    market: dict[str, str]
    """Market-rule defaults of the year (``market.mexico_trade``, ``market.guatemala_in_mer``)."""
    committed_segments: tuple[str, ...]
    """SIEPAC segments with the second circuit strung in the base of this year."""
    option_segments: dict[str, tuple[str, ...]]
    """Tranche name -> segments of the second-circuit options of this year."""
    option_border_limits: dict[str, dict[str, float]]
    """Border-limit case -> limit id -> MW (``all_tranches`` for a full second circuit)."""
    colombia: ColombiaLink | None
    estimates: tuple[str, ...]
    """One line per input row of the year tagged ``estimate`` (for ``siepac show``)."""


# -- reading and checking ----------------------------------------------------------------


def _where(root: Path, relative: str, line: int) -> str:
    return f"{root / relative}:{line}"


def _numeric(table: pd.DataFrame, column: str, root: Path, relative: str, *, allow_empty: bool = False) -> pd.Series:
    """Return a column as floats, refusing empty or non-numeric cells with file, line and column."""
    values = pd.to_numeric(table[column], errors="coerce")
    for line, raw, value in zip(table.csv_line, table[column], values, strict=True):
        empty = pd.isna(raw) or not str(raw).strip()
        if empty and allow_empty:
            continue
        if empty or not np.isfinite(value):
            # pandas reads "", "NA", "n/a", "nan" ... as missing: all are reported alike
            found = "an empty or missing-value cell" if empty else repr(raw)
            msg = f"{_where(root, relative, line)}: column `{column}` must be a number, found {found}"
            raise DataError(msg)
    return values


def _year_column(table: pd.DataFrame, root: Path, relative: str) -> pd.Series:
    years = _numeric(table, "year", root, relative)
    for line, year in zip(table.csv_line, years, strict=True):
        if year != int(year) or int(year) <= BASE_FLEET_YEAR:
            msg = f"{_where(root, relative, line)}: column `year` must be a whole future year after {BASE_FLEET_YEAR}, found {year:g}"
            raise DataError(msg)
    return years.astype(int)


def _date_column(table: pd.DataFrame, column: str, root: Path, relative: str) -> list[dt.date | None]:
    """Parse ISO dates (YYYY-MM-DD); an empty cell is None."""
    out: list[dt.date | None] = []
    for line, raw in zip(table.csv_line, table[column], strict=True):
        if pd.isna(raw) or not str(raw).strip():
            out.append(None)
            continue
        try:
            out.append(dt.date.fromisoformat(str(raw).strip()))
        except ValueError:
            msg = f"{_where(root, relative, line)}: column `{column}` must be a date YYYY-MM-DD, found {str(raw)!r}"
            raise DataError(msg) from None
    return out


def _choice(table: pd.DataFrame, column: str, allowed: tuple[str, ...] | set[str], root: Path, relative: str) -> None:
    for line, raw in zip(table.csv_line, table[column], strict=True):
        if str(raw).strip() not in allowed:
            msg = (
                f"{_where(root, relative, line)}: column `{column}` must be one of "
                f"{', '.join(sorted(allowed))}, found {str(raw)!r}"
            )
            raise DataError(msg)


def _check_sources(table: pd.DataFrame, known: set[str], root: Path, relative: str) -> None:
    for line, cell in zip(table.csv_line, table.source, strict=True):
        for key in str(cell).split(";"):
            if key.strip() and key.strip() not in known:
                msg = f"{_where(root, relative, line)}: source key {key.strip()!r} is not in {root / 'sources.csv'}"
                raise DataError(msg)


def _check_unique(table: pd.DataFrame, keys: list[str], root: Path, relative: str) -> None:
    duplicated = table.duplicated(subset=keys, keep="first")
    if duplicated.any():
        row = table[duplicated].iloc[0]
        what = ", ".join(f"{k}={row[k]}" for k in keys)
        msg = f"{_where(root, relative, int(row.csv_line))}: a second row for {what}"
        raise DataError(msg)


def _complete(
    table: pd.DataFrame, column: str, expected: tuple[str, ...] | list[str], years: list[int], root: Path, relative: str
) -> None:
    """Every future year must have a row for each expected value of ``column``."""
    for year in years:
        have = set(table.loc[table.year == year, column].astype(str))
        missing = [e for e in expected if e not in have]
        if missing:
            msg = f"{root / relative}: year {year} has no row for {column} {', '.join(missing)}"
            raise DataError(msg)


@dataclass(frozen=True)
class OutlookTables:
    """The checked tables of ``grids/outlook/`` (value columns as numbers, dates parsed)."""

    root: Path
    demand: pd.DataFrame
    commissioning: pd.DataFrame
    fuel_prices: pd.DataFrame
    mexico: pd.DataFrame
    market: pd.DataFrame
    transmission: pd.DataFrame
    border_limits: pd.DataFrame
    colombia: pd.DataFrame

    @property
    def years(self) -> tuple[int, ...]:
        """Years with demand, fuel, Mexico, market and border-limit rows."""
        sets = [
            set(t.year)
            for t in (self.demand, self.fuel_prices, self.mexico, self.market, self.border_limits, self.colombia)
        ]
        return tuple(sorted(int(y) for y in set.intersection(*sets)))


def read_commissioning(relative: str, base: InputData) -> pd.DataFrame:
    """Read and check a table of dated additions and retirements.

    Columns ``plant, country, technology, capacity_mw, commissioning_date, retirement_date``
    (plus source, tag, note). An empty commissioning date means the plant is part of the
    observed fleet (it only retires); an empty retirement date means it is still in service
    at the end of the horizon.

    Returns
    -------
    pandas.DataFrame
        The table with ``capacity_mw`` as floats and the two dates as ``datetime.date`` or None.
    """
    root = base.root
    table = read_table(relative, root, OUTLOOK_TABLES.get(relative, OUTLOOK_TABLES["outlook/commissioning.csv"]))
    _choice(table, "country", set(COUNTRIES), root, relative)
    _choice(table, "technology", set(TECHNOLOGY_CARRIER), root, relative)
    table["capacity_mw"] = _numeric(table, "capacity_mw", root, relative)
    table["commissioning_date"] = _date_column(table, "commissioning_date", root, relative)
    table["retirement_date"] = _date_column(table, "retirement_date", root, relative)
    for row in table.itertuples():
        where = _where(root, relative, int(row.csv_line))
        if row.capacity_mw <= 0:
            msg = f"{where}: column `capacity_mw` must be positive, found {row.capacity_mw:g}"
            raise DataError(msg)
        start, end = row.commissioning_date, row.retirement_date
        if start is None and end is None:
            msg = f"{where}: plant {row.plant!r} needs a commissioning_date or a retirement_date (it changes nothing)"
            raise DataError(msg)
        if start is not None and end is not None and end <= start:
            msg = f"{where}: column `retirement_date` {end} is not after commissioning_date {start}"
            raise DataError(msg)
    return table


def read_outlook(base: InputData) -> OutlookTables:
    """Read and check every table of ``grids/outlook/`` against the shipped data ``base``.

    Raises
    ------
    DataError
        Naming the file, the CSV line and the column: a missing table or column, a row without
        source or with an unknown tag or source key, an empty or non-numeric value, a bad date,
        an unknown country, technology, fuel, quantity, segment or border limit, a duplicate
        row, or a future year missing a row another table needs.
    """
    root = base.root
    outlook_dir = root / "outlook"
    if not outlook_dir.is_dir():
        msg = f"future-year inputs missing: folder {outlook_dir} not found"
        raise DataError(msg)
    known = set(base.sources.source_key.astype(str).str.strip())
    t = {rel: read_table(rel, root, cols) for rel, cols in OUTLOOK_TABLES.items() if rel != "outlook/commissioning.csv"}
    t["outlook/commissioning.csv"] = read_commissioning("outlook/commissioning.csv", base)
    for rel, table in t.items():
        _check_sources(table, known, root, rel)

    demand = t["outlook/demand.csv"]
    rel = "outlook/demand.csv"
    demand["year"] = _year_column(demand, root, rel)
    demand["value"] = _numeric(demand, "value", root, rel)
    _choice(demand, "country", set(COUNTRIES), root, rel)
    _choice(demand, "quantity", DEMAND_QUANTITIES, root, rel)
    _check_unique(demand, ["country", "year", "quantity"], root, rel)
    for year in sorted(set(demand.year)):
        for country in COUNTRIES:
            have = set(demand.quantity[(demand.year == year) & (demand.country == country)])
            missing = [q for q in DEMAND_QUANTITIES if q not in have]
            if missing:
                msg = f"{root / rel}: {country} {year} has no row for quantity {', '.join(missing)}"
                raise DataError(msg)

    fuels = t["outlook/fuel_prices.csv"]
    rel = "outlook/fuel_prices.csv"
    fuels["year"] = _year_column(fuels, root, rel)
    fuels["value"] = _numeric(fuels, "value", root, rel)
    shipped_fuels = sorted(set(base.fuel_prices.fuel))
    _choice(fuels, "fuel", set(shipped_fuels), root, rel)
    _choice(fuels, "unit", {"USD/MMBtu", "USD/bbl", "USD/t"}, root, rel)
    _check_unique(fuels, ["fuel", "year"], root, rel)
    _complete(fuels, "fuel", shipped_fuels, sorted(set(fuels.year)), root, rel)

    mexico = t["outlook/mexico.csv"]
    rel = "outlook/mexico.csv"
    mexico["year"] = _year_column(mexico, root, rel)
    mexico["value"] = _numeric(mexico, "value", root, rel)
    quantities = sorted(set(base.mexico.quantity[base.mexico.year == base.mexico.year.max()]))
    _choice(mexico, "quantity", set(quantities), root, rel)
    _check_unique(mexico, ["year", "quantity"], root, rel)
    _complete(mexico, "quantity", quantities, sorted(set(mexico.year)), root, rel)

    market = t["outlook/market.csv"]
    rel = "outlook/market.csv"
    market["year"] = _year_column(market, root, rel)
    _choice(market, "key", set(MARKET_KEYS), root, rel)
    _check_unique(market, ["year", "key"], root, rel)
    for row in market.itertuples():
        allowed = MARKET_KEYS[str(row.key)]
        if str(row.value).strip().lower() not in allowed:
            msg = f"{_where(root, rel, int(row.csv_line))}: column `value` of {row.key} must be one of {', '.join(allowed)}, found {str(row.value)!r}"
            raise DataError(msg)
    market["value"] = market["value"].astype(str).str.strip().str.lower()
    _complete(market, "key", list(MARKET_KEYS), sorted(set(market.year)), root, rel)

    transmission = t["outlook/transmission.csv"]
    rel = "outlook/transmission.csv"
    segments = set(base.lines.line[base.lines.kind == "siepac"])
    _choice(transmission, "segment", segments, root, rel)
    _choice(transmission, "status", TRANCHE_STATUS, root, rel)
    _check_unique(transmission, ["segment"], root, rel)
    dates = _date_column(transmission, "in_service_date", root, rel)
    for line, date in zip(transmission.csv_line, dates, strict=True):
        if date is None:
            msg = f"{_where(root, rel, line)}: column `in_service_date` is empty; give a date YYYY-MM-DD"
            raise DataError(msg)
    transmission["in_service_date"] = dates

    limits = t["outlook/border_limits.csv"]
    rel = "outlook/border_limits.csv"
    limits["year"] = _year_column(limits, root, rel)
    limits["limit_mw"] = _numeric(limits, "limit_mw", root, rel)
    ids = sorted(set(base.border_limits.limit_id))
    _choice(limits, "limit_id", set(ids), root, rel)
    _choice(limits, "case", BORDER_CASES, root, rel)
    _check_unique(limits, ["limit_id", "year", "case"], root, rel)
    for row in limits.itertuples():
        if row.limit_mw < 0:
            msg = f"{_where(root, rel, int(row.csv_line))}: column `limit_mw` must not be negative, found {row.limit_mw:g}"
            raise DataError(msg)
    for case in BORDER_CASES:
        _complete(limits[limits.case == case], "limit_id", ids, sorted(set(limits.year)), root, rel)

    colombia = t["outlook/colombia.csv"]
    rel = "outlook/colombia.csv"
    colombia["year"] = _year_column(colombia, root, rel)
    colombia["value"] = _numeric(colombia, "value", root, rel)
    _choice(colombia, "quantity", COLOMBIA_QUANTITIES, root, rel)
    _check_unique(colombia, ["year", "quantity"], root, rel)
    _complete(colombia, "quantity", COLOMBIA_QUANTITIES, sorted(set(colombia.year)), root, rel)

    commissioning = t["outlook/commissioning.csv"]
    rel = "outlook/commissioning.csv"
    first_future = dt.date(BASE_FLEET_YEAR + 1, 1, 1)
    for row in commissioning.itertuples():
        if row.commissioning_date is not None and row.commissioning_date < first_future:
            msg = (
                f"{_where(root, rel, int(row.csv_line))}: column `commissioning_date` {row.commissioning_date} is not "
                f"after the observed fleet (end-{BASE_FLEET_YEAR}, fleet/capacity.csv): the plant would be counted twice; "
                "leave it empty for a plant already in service"
            )
            raise DataError(msg)
    return OutlookTables(
        root=root,
        demand=demand,
        commissioning=commissioning,
        fuel_prices=fuels,
        mexico=mexico,
        market=market,
        transmission=transmission,
        border_limits=limits,
        colombia=colombia,
    )


# -- the study year ------------------------------------------------------------------------


def historical_years(data: InputData) -> tuple[int, ...]:
    """Years with observed demand, fleet, fuel prices and Mexican market (2022, 2023)."""
    sets = [set(data.demand.year), set(data.capacity.year), set(data.fuel_prices.year), set(data.mexico.year)]
    return tuple(sorted(int(y) for y in set.intersection(*sets)))


def available_study_years(root: Path | None = None) -> tuple[int, ...]:
    """Return every study year that has complete inputs: the historical years and the outlook's.

    Parameters
    ----------
    root
        Data folder; default :func:`simulator.paths.grids_dir`.
    """
    base = load_data(root)
    return tuple(sorted({*historical_years(base), *read_outlook(base).years}))


def fleet_at_end_of(year: int, base: InputData, commissioning: pd.DataFrame) -> pd.DataFrame:
    """Return the fleet (rows of ``fleet/capacity.csv`` form) at the end of ``year``.

    The 2023 fleet plus the capacity of every plant commissioned after 2023 and by
    31 December ``year``, minus every plant retired by that date (a plant commissioned after
    2023 and retired by then adds nothing).

    Raises
    ------
    DataError
        If retirements take a country's technology below zero.
    """
    end = dt.date(year, 12, 31)
    rows = []
    observed = base.capacity[base.capacity.year == BASE_FLEET_YEAR]
    path = base.root / "outlook/commissioning.csv"
    for country in COUNTRIES:
        for technology in TECHNOLOGY_CARRIER:
            hit = observed[(observed.country == country) & (observed.technology == technology)]
            capacity = float(hit.capacity_mw.sum())
            sources = {k.strip() for s in hit.source for k in str(s).split(";") if k.strip()}
            tags = set(hit.tag)
            parts = [f"{BASE_FLEET_YEAR} fleet {capacity:g}"]
            mine = commissioning[(commissioning.country == country) & (commissioning.technology == technology)]
            for row in mine.itertuples():
                added = row.commissioning_date is not None and row.commissioning_date <= end
                existing = row.commissioning_date is None
                retired = row.retirement_date is not None and row.retirement_date <= end
                delta = (row.capacity_mw if added else 0.0) - (
                    row.capacity_mw if retired and (added or existing) else 0.0
                )
                if delta == 0.0:
                    continue
                capacity += delta
                parts.append(f"{'+' if delta > 0 else '−'} {abs(delta):g} {row.plant}")
                sources |= {k.strip() for k in str(row.source).split(";") if k.strip()}
                tags.add(row.tag)
            if capacity < -1e-6:
                msg = f"{path}: retirements take {country} {technology} to {capacity:g} MW at the end of {year} ({'; '.join(parts)})"
                raise DataError(msg)
            tag = (
                "estimate" if "estimate" in tags else ("found" if tags == {"found"} and len(parts) == 1 else "derived")
            )
            rows.append(
                {
                    "country": country,
                    "technology": technology,
                    "year": year,
                    "capacity_mw": round(max(capacity, 0.0), 6),
                    "source": ";".join(sorted(sources)) or "MODEL",
                    "tag": tag,
                    "note": "; ".join(parts) + f" (end of {year}, grids/outlook/commissioning.csv)",
                    "csv_line": 0,
                }
            )
    return pd.DataFrame(rows)


def changes_within(year: int, commissioning: pd.DataFrame) -> pd.DataFrame:
    """Return the commissioning rows with a commissioning or retirement date inside ``year``."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)

    def inside(date: dt.date | None) -> bool:
        return date is not None and start <= date <= end

    mask = [
        inside(a) or inside(b)
        for a, b in zip(commissioning.commissioning_date, commissioning.retirement_date, strict=True)
    ]
    return commissioning[mask].reset_index(drop=True)


def _append(table: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([table, rows[[c for c in table.columns if c in rows.columns]]], ignore_index=True)


def _colombia(tables: OutlookTables, year: int, panama_bus: str) -> ColombiaLink:
    c = tables.colombia[tables.colombia.year == year].set_index("quantity").value
    return ColombiaLink(
        year=year,
        capacity_mw=float(c["link_capacity_mw"]),
        loss_pct=float(c["link_loss_pct"]),
        in_base=bool(c["in_base"]),
        earliest_in_service_year=int(c["earliest_in_service_year"]),
        price_usd_per_mwh=float(c["price_usd_per_mwh"]),
        dry_weather_factor=float(c["price_dry_weather_factor"]),
        dry_season_premium_pct=float(c["price_dry_season_premium_pct"]),
        evening_premium_pct=float(c["price_evening_premium_pct"]),
        import_bid_discount_usd_per_mwh=float(c["import_bid_usd_per_mwh_discount"]),
        panama_bus=panama_bus,
    )


def _estimates(tables: OutlookTables, year: int) -> tuple[str, ...]:
    out = []
    yearly = {
        "outlook/demand.csv": (tables.demand, lambda r: f"{r.country} {r.quantity} = {r.value:g} {r.unit}"),
        "outlook/fuel_prices.csv": (tables.fuel_prices, lambda r: f"{r.fuel} = {r.value:g} {r.unit}"),
        "outlook/mexico.csv": (tables.mexico, lambda r: f"Mexico {r.quantity} = {r.value:g} {r.unit}"),
        "outlook/market.csv": (tables.market, lambda r: f"{r.key} = {r.value}"),
        "outlook/border_limits.csv": (
            tables.border_limits[tables.border_limits.case == "committed"],
            lambda r: f"border limit {r.limit_id} = {r.limit_mw:g} MW",
        ),
        "outlook/colombia.csv": (tables.colombia, lambda r: f"Colombia {r.quantity} = {r.value:g} {r.unit}"),
    }
    for relative, (table, describe) in yearly.items():
        for row in table[(table.year == year) & (table.tag == "estimate")].itertuples():
            out.append(f"{relative}:{row.csv_line}: {describe(row)}")
    end = dt.date(year, 12, 31)
    for row in tables.commissioning[tables.commissioning.tag == "estimate"].itertuples():
        dated = [d for d in (row.commissioning_date, row.retirement_date) if d is not None]
        if min(dated) <= end:
            out.append(
                f"outlook/commissioning.csv:{row.csv_line}: {row.plant} ({row.country} {row.technology} {row.capacity_mw:g} MW)"
            )
    return tuple(out)


def load_study_year(year: int, root: Path | None = None) -> StudyYear:
    """Return the inputs of a study year in the builder's form.

    Parameters
    ----------
    year
        A year of :func:`available_study_years` (2022, 2023 or an outlook year).
    root
        Data folder; default :func:`simulator.paths.grids_dir`.

    Returns
    -------
    StudyYear
        ``data`` holds the year's demand, fleet, fuel prices and Mexico rows, the lines with
        the committed second-circuit tranches strung and the year's border limits; the other
        fields carry the fleet changes inside the year, the market rule, the options and
        the Colombia link.

    Raises
    ------
    DataError
        If the year has no data (the message names the years that have), or a table is bad.
    """
    base = load_data(root or grids_dir())
    tables = read_outlook(base)
    history = historical_years(base)
    years = sorted({*history, *tables.years})
    if year not in years:
        msg = f"no input data for study year {year}; years with data: {', '.join(map(str, years))}"
        raise DataError(msg)
    if year in history:
        return StudyYear(
            year=year,
            data=base,
            outlook=False,
            fleet_changes=tables.commissioning.iloc[0:0],
            market={"market.mexico_trade": "guatemala_only", "market.guatemala_in_mer": "true"},
            committed_segments=(),
            option_segments={},
            option_border_limits={},
            colombia=None,
            estimates=(),
        )
    end = dt.date(year, 12, 31)
    tr = tables.transmission
    in_service = tr[[d <= end for d in tr.in_service_date]]
    committed = tuple(in_service.segment[in_service.status == "committed"])
    options: dict[str, tuple[str, ...]] = {}
    for row in in_service[in_service.status == "option"].itertuples():
        options[str(row.tranche)] = (*options.get(str(row.tranche), ()), str(row.segment))
    lines = base.lines.copy()
    strung = lines.line.isin(committed)
    lines.loc[strung, "circuits_strung"] = lines.loc[strung, "circuits_towers"]
    limits = tables.border_limits[tables.border_limits.year == year]
    by_case = {case: dict(zip(g.limit_id, g.limit_mw.astype(float), strict=True)) for case, g in limits.groupby("case")}
    border = base.border_limits.copy()
    border["limit_mw"] = border.limit_id.map(by_case["committed"]).astype(float)
    data = dataclasses.replace(
        base,
        demand=_append(base.demand, tables.demand[tables.demand.year == year]),
        capacity=_append(base.capacity, fleet_at_end_of(year, base, tables.commissioning)),
        fuel_prices=_append(base.fuel_prices, tables.fuel_prices[tables.fuel_prices.year == year]),
        mexico=_append(base.mexico, tables.mexico[tables.mexico.year == year]),
        lines=lines,
        border_limits=border,
    )
    market = dict(
        zip(tables.market.key[tables.market.year == year], tables.market.value[tables.market.year == year], strict=True)
    )
    return StudyYear(
        year=year,
        data=data,
        outlook=True,
        fleet_changes=changes_within(year, tables.commissioning),
        market=market,
        committed_segments=committed,
        option_segments=options,
        option_border_limits={case: v for case, v in by_case.items() if case != "committed"},
        colombia=_colombia(tables, year, base.hub("PA")),
        estimates=_estimates(tables, year),
    )


# -- weather independent of the study year ---------------------------------------------------


def weather_scale(study: StudyYear, weather_year: int) -> dict[tuple[str, str], float]:
    """Return (country, carrier) -> study-year capacity ÷ weather-year capacity.

    Multiplying the weather year's observed energy by this factor keeps its capacity factor
    (hydro: inflow per MW) on the study year's fleet. Carriers with no capacity in the
    weather year get 0 (nothing to shape new capacity on; the scenario checks refuse adding
    such capacity).
    """
    data = study.data
    out: dict[tuple[str, str], float] = {}
    carriers = {c for t, c in TECHNOLOGY_CARRIER.items() if t not in ("oil_hfo", "oil_diesel", "coal", "gas")}
    for country in COUNTRIES:
        for carrier in sorted(carriers):
            techs = [t for t, c in TECHNOLOGY_CARRIER.items() if c == carrier]
            then = sum(data.capacity_mw(country, t, weather_year) for t in techs)
            now = sum(data.capacity_mw(country, t, study.year) for t in techs)
            out[(country, carrier)] = now / then if then > 0 else 0.0
    return out


def scaled_resources(study: StudyYear, weather_year: int) -> pd.DataFrame:
    """Return ``resources/annual_energy.csv`` with the weather year's energy scaled to the study year's fleet."""
    scale = weather_scale(study, weather_year)
    table = study.data.resources.copy()
    table["value"] = table["value"].astype(float)
    mask = table.year == weather_year
    factors = [scale.get((c, k), 1.0) for c, k in zip(table.country[mask], table.carrier[mask], strict=True)]
    table.loc[mask, "value"] = table.loc[mask, "value"] * np.array(factors, dtype=float)
    return table
