"""Reading and checking the tables of ``grids/outlook/`` (every cell through :func:`simulator.data.read_table`).

Numbers are parsed by the one table reader (``numeric=``), dates by
:func:`simulator.data.parse_date`, and the dated plant list by
:func:`simulator.data.read_commissioning` (the calibration issue's table, here with
retire-only rows); this module adds what only the outlook needs: future years, the allowed
values of each column, unique and complete rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from simulator import COUNTRIES
from simulator.data import InputData, parse_date, read_commissioning, read_table
from simulator.errors import DataError

BASE_FLEET_YEAR = 2023
"""Last year of observed installed capacity: the future fleet is built from it."""

COMMISSIONING = "outlook/commissioning.csv"
OUTLOOK_TABLES: dict[str, tuple[str, ...]] = {
    "outlook/demand.csv": ("country", "year", "quantity", "value", "unit"),
    COMMISSIONING: (
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

NUMERIC: dict[str, tuple[str, ...]] = {
    "outlook/demand.csv": ("year", "value"),
    "outlook/fuel_prices.csv": ("year", "value"),
    "outlook/mexico.csv": ("year", "value"),
    "outlook/market.csv": ("year",),
    "outlook/transmission.csv": (),
    "outlook/border_limits.csv": ("year", "limit_mw"),
    "outlook/colombia.csv": ("year", "value"),
}
"""Columns of each table that must hold a number in every row."""

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


def _where(root: Path, relative: str, line: int) -> str:
    return f"{root / relative}:{line}"


def _future_years(table: pd.DataFrame, root: Path, relative: str) -> pd.Series:
    """Return the (already numeric) ``year`` column as ints, refusing any year not after 2023."""
    for line, year in zip(table.csv_line, table.year, strict=True):
        if year != int(year) or int(year) <= BASE_FLEET_YEAR:
            msg = f"{_where(root, relative, line)}: column `year` must be a whole future year after {BASE_FLEET_YEAR}, found {year:g}"
            raise DataError(msg)
    return table.year.astype(int)


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
    """The checked tables of ``grids/outlook/`` (value columns as numbers, dates as Timestamps)."""

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


def read_outlook_commissioning(base: InputData, relative: str = COMMISSIONING) -> pd.DataFrame:
    """Read the dated additions and retirements after 2023.

    :func:`simulator.data.read_commissioning` with retire-only rows (an empty commissioning
    date: a plant of the observed fleet that retires); a commissioning date before 2024 is
    refused, since the plant is already in the 2023 fleet and would be counted twice.

    Returns
    -------
    pandas.DataFrame
        The table with ``capacity_mw`` as floats and the two dates as Timestamps (NaT when empty).
    """
    table = read_commissioning(base, relative, retire_only=True)
    first_future = pd.Timestamp(BASE_FLEET_YEAR + 1, 1, 1)
    for row in table.itertuples():
        if not pd.isna(row.commissioning_date) and row.commissioning_date < first_future:
            msg = (
                f"{_where(base.root, relative, int(row.csv_line))}: column `commissioning_date` {row.commissioning_date.date()} is not "
                f"after the observed fleet (end-{BASE_FLEET_YEAR}, fleet/capacity.csv): the plant would be counted twice; "
                "leave it empty for a plant already in service"
            )
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
    t = {
        rel: read_table(rel, root, cols, numeric=NUMERIC[rel], blank_allowed=())
        for rel, cols in OUTLOOK_TABLES.items()
        if rel != COMMISSIONING
    }
    t[COMMISSIONING] = read_outlook_commissioning(base)
    for rel, table in t.items():
        _check_sources(table, known, root, rel)
        if "year" in table.columns:
            table["year"] = _future_years(table, root, rel)

    rel = "outlook/demand.csv"
    demand = t[rel]
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

    rel = "outlook/fuel_prices.csv"
    fuels = t[rel]
    shipped_fuels = sorted(set(base.fuel_prices.fuel))
    _choice(fuels, "fuel", set(shipped_fuels), root, rel)
    _choice(fuels, "unit", {"USD/MMBtu", "USD/bbl", "USD/t"}, root, rel)
    _check_unique(fuels, ["fuel", "year"], root, rel)
    _complete(fuels, "fuel", shipped_fuels, sorted(set(fuels.year)), root, rel)

    rel = "outlook/mexico.csv"
    mexico = t[rel]
    quantities = sorted(set(base.mexico.quantity[base.mexico.year == base.mexico.year.max()]))
    _choice(mexico, "quantity", set(quantities), root, rel)
    _check_unique(mexico, ["year", "quantity"], root, rel)
    _complete(mexico, "quantity", quantities, sorted(set(mexico.year)), root, rel)

    rel = "outlook/market.csv"
    market = t[rel]
    _choice(market, "key", set(MARKET_KEYS), root, rel)
    _check_unique(market, ["year", "key"], root, rel)
    for row in market.itertuples():
        allowed = MARKET_KEYS[str(row.key)]
        if str(row.value).strip().lower() not in allowed:
            msg = f"{_where(root, rel, int(row.csv_line))}: column `value` of {row.key} must be one of {', '.join(allowed)}, found {str(row.value)!r}"
            raise DataError(msg)
    market["value"] = market["value"].astype(str).str.strip().str.lower()
    _complete(market, "key", list(MARKET_KEYS), sorted(set(market.year)), root, rel)

    rel = "outlook/transmission.csv"
    transmission = t[rel]
    segments = set(base.lines.line[base.lines.kind == "siepac"])
    _choice(transmission, "segment", segments, root, rel)
    _choice(transmission, "status", TRANCHE_STATUS, root, rel)
    _check_unique(transmission, ["segment"], root, rel)
    transmission["in_service_date"] = [
        parse_date(root / rel, int(line), "in_service_date", raw, required=True)
        for line, raw in zip(transmission.csv_line, transmission.in_service_date, strict=True)
    ]

    rel = "outlook/border_limits.csv"
    limits = t[rel]
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

    rel = "outlook/colombia.csv"
    colombia = t[rel]
    _choice(colombia, "quantity", COLOMBIA_QUANTITIES, root, rel)
    _check_unique(colombia, ["year", "quantity"], root, rel)
    _complete(colombia, "quantity", COLOMBIA_QUANTITIES, sorted(set(colombia.year)), root, rel)

    return OutlookTables(
        root=root,
        demand=demand,
        commissioning=t[COMMISSIONING],
        fuel_prices=fuels,
        mexico=mexico,
        market=market,
        transmission=transmission,
        border_limits=limits,
        colombia=colombia,
    )
