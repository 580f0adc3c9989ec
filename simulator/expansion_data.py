"""Candidate technologies for least-cost expansion in the study years (``grids/expansion/``).

Three tables, each read with :func:`simulator.data.read_table` and checked here:

* ``expansion/technologies.csv``: costs and performance per technology, fuel and study year,
  in USD of the ``currency_year`` of ``parameters.csv``, with the source figure each capex was
  converted from;
* ``expansion/potentials.csv``: the most that can be built (``p_nom_max``) per country,
  technology, fuel and study year;
* ``expansion/parameters.csv``: discount rate, reserve margin, import credit, capacity credits
  of the existing fleet, and the exchange rates and price index of the currency conversion.

:func:`candidates` joins them into one row per country and candidate with the annualised
capital cost PyPSA expects (``capital_cost`` in USD/MW/yr). Nothing here builds a network.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from pypsa.costs import annuity

from simulator import COUNTRIES
from simulator.errors import DataError
from simulator.paths import grids_dir
from simulator.tables import read_table

TECHNOLOGIES_TABLE = "expansion/technologies.csv"
POTENTIALS_TABLE = "expansion/potentials.csv"
PARAMETERS_TABLE = "expansion/parameters.csv"

EXPANSION_TABLES: dict[str, tuple[str, ...]] = {
    TECHNOLOGIES_TABLE: ("technology", "fuel", "carrier", "capex_source_currency"),
    POTENTIALS_TABLE: ("country", "technology", "fuel"),
    PARAMETERS_TABLE: ("parameter", "technology", "country", "unit"),
}
"""Tables of ``grids/expansion/`` and their text columns (numeric ones in :data:`EXPANSION_NUMERIC`)."""

EXPANSION_NUMERIC: dict[str, tuple[str, ...]] = {
    TECHNOLOGIES_TABLE: (
        "year",
        "capex_usd_per_kw",
        "fom_pct_per_year",
        "vom_usd_per_mwh",
        "lifetime_years",
        "efficiency_pu",
        "heat_rate_hhv_mmbtu_per_mwh",
        "max_hours",
        "capacity_credit_pu",
        "capex_source_value",
        "capex_source_year",
    ),
    POTENTIALS_TABLE: ("year", "p_nom_max_mw"),
    PARAMETERS_TABLE: ("value",),
}

EXPANSION_BLANK: dict[str, tuple[str, ...]] = {
    # a heat rate only for thermal candidates, an energy-to-power ratio only for storage
    TECHNOLOGIES_TABLE: ("heat_rate_hhv_mmbtu_per_mwh", "max_hours"),
}

CANDIDATE_FUELS: dict[str, tuple[str, ...]] = {
    "solar_pv": ("none",),
    "onshore_wind": ("none",),
    "battery_4h": ("none",),
    "ccgt": ("lng", "pipeline_gas"),
    "ocgt": ("lng", "pipeline_gas"),
}
"""Candidate technologies and the fuels each may burn (``none`` for renewables and storage)."""

CANDIDATE_CARRIER: dict[str, str] = {
    "solar_pv": "solar",
    "onshore_wind": "wind",
    "battery_4h": "battery",
    "ccgt": "gas",
    "ocgt": "gas",
}

THERMAL: frozenset[str] = frozenset({"ccgt", "ocgt"})
STORAGE: frozenset[str] = frozenset({"battery_4h"})

PARAMETERS: frozenset[str] = frozenset(
    {
        "currency_year",
        "usd_per_eur_2015",
        "usd_per_eur_2020",
        "us_cpi_u_2015",
        "us_cpi_u_2020",
        "us_cpi_u_2022",
        "us_cpi_u_2024",
        "discount_rate_pct",
        "reserve_margin_pct",
        "import_credit_share",
        "capacity_credit_pu",
    }
)
"""Parameters ``expansion/parameters.csv`` may hold."""

CURRENCIES: frozenset[str] = frozenset({"USD", "EUR"})


def _where(root: Path, relative: str, line: object) -> str:
    return f"{root / relative}:{line}"


def _check_choice(table: pd.DataFrame, column: str, allowed: set[str], root: Path, relative: str) -> None:
    for row in table.itertuples():
        value = str(getattr(row, column)).strip()
        if value not in allowed:
            msg = (
                f"{_where(root, relative, row.csv_line)}: column `{column}` must be one of "
                f"{', '.join(sorted(allowed))}, found {value!r}"
            )
            raise DataError(msg)


def _check_fuels(table: pd.DataFrame, root: Path, relative: str) -> None:
    for row in table.itertuples():
        fuels = CANDIDATE_FUELS[str(row.technology)]
        if str(row.fuel) not in fuels:
            msg = (
                f"{_where(root, relative, row.csv_line)}: column `fuel` for {row.technology} must be one of "
                f"{', '.join(fuels)}, found {row.fuel!r}"
            )
            raise DataError(msg)


def _check_unique(table: pd.DataFrame, keys: list[str], root: Path, relative: str) -> None:
    duplicated = table.duplicated(keys, keep="first")
    if duplicated.any():
        row = table[duplicated].iloc[0]
        key = ", ".join(f"{k}={row[k]}" for k in keys)
        msg = f"{_where(root, relative, row['csv_line'])}: duplicate row ({key}); each key once"
        raise DataError(msg)


def _check_range(
    table: pd.DataFrame, column: str, low: float, high: float, root: Path, relative: str, *, low_open: bool = False
) -> None:
    for row in table.itertuples():
        value = getattr(row, column)
        if pd.isna(value):
            continue
        too_low = value <= low if low_open else value < low
        if too_low or value > high:
            bound = f"({low}, {high}]" if low_open else f"[{low}, {high}]"
            msg = f"{_where(root, relative, row.csv_line)}: column `{column}` must be in {bound}, found {value}"
            raise DataError(msg)


def read_parameters(root: Path | None = None) -> pd.DataFrame:
    """Read and check ``expansion/parameters.csv``.

    Parameters
    ----------
    root
        Data folder; default :func:`simulator.paths.grids_dir`.

    Returns
    -------
    pandas.DataFrame
        One row per parameter, technology (``*`` if none) and country (``*`` for the default).
    """
    root = root or grids_dir()
    rel = PARAMETERS_TABLE
    table = read_table(rel, root, EXPANSION_TABLES[rel], numeric=EXPANSION_NUMERIC[rel], blank_allowed=())
    for column in ("parameter", "technology", "country"):
        table[column] = table[column].astype(str).str.strip()
    _check_choice(table, "parameter", set(PARAMETERS), root, rel)
    _check_choice(table, "country", {"*", *COUNTRIES}, root, rel)
    _check_unique(table, ["parameter", "technology", "country"], root, rel)
    for name in ("currency_year", "discount_rate_pct", "reserve_margin_pct", "import_credit_share"):
        if not ((table.parameter == name) & (table.country == "*")).any():
            msg = f"{root / rel}: no default row (country `*`) for parameter `{name}`"
            raise DataError(msg)
    shares = table[table.parameter.isin(["import_credit_share", "capacity_credit_pu"])]
    _check_range(shares, "value", 0.0, 1.0, root, rel)
    return table


def parameter(table: pd.DataFrame, name: str, country: str = "*", technology: str = "*") -> float:
    """Return a parameter of ``expansion/parameters.csv``: the country's row, else the default (``*``)."""
    rows = table[(table.parameter == name) & (table.technology == technology)]
    for where in (country, "*"):
        match = rows[rows.country == where]
        if not match.empty:
            return float(match.value.iloc[0])
    msg = f"{PARAMETERS_TABLE}: no row for parameter `{name}` (technology {technology}, country {country} or *)"
    raise DataError(msg)


def usd_conversion_factor(params: pd.DataFrame, currency: str, year: int) -> float:
    """Return the factor that turns ``currency`` of ``year`` into USD of the target currency year.

    EUR is first converted at the year's average exchange rate, then both are deflated with the
    US CPI-U: ``USD_target = value × usd_per_eur_year × CPI_target / CPI_year``.
    """
    target = int(parameter(params, "currency_year"))
    fx = 1.0 if currency == "USD" else parameter(params, f"usd_per_eur_{year}")
    return fx * parameter(params, f"us_cpi_u_{target}") / parameter(params, f"us_cpi_u_{year}")


def read_technologies(root: Path | None = None) -> pd.DataFrame:
    """Read and check ``expansion/technologies.csv`` (one row per technology, fuel and study year)."""
    root = root or grids_dir()
    rel = TECHNOLOGIES_TABLE
    table = read_table(
        rel, root, EXPANSION_TABLES[rel], numeric=EXPANSION_NUMERIC[rel], blank_allowed=EXPANSION_BLANK[rel]
    )
    for column in EXPANSION_TABLES[rel]:
        table[column] = table[column].astype(str).str.strip()
    _check_choice(table, "technology", set(CANDIDATE_FUELS), root, rel)
    _check_fuels(table, root, rel)
    _check_choice(table, "capex_source_currency", set(CURRENCIES), root, rel)
    _check_unique(table, ["technology", "fuel", "year"], root, rel)
    for row in table.itertuples():
        if row.carrier != CANDIDATE_CARRIER[row.technology]:
            msg = (
                f"{_where(root, rel, row.csv_line)}: column `carrier` for {row.technology} must be "
                f"{CANDIDATE_CARRIER[row.technology]!r}, found {row.carrier!r}"
            )
            raise DataError(msg)
        needed = {
            "heat_rate_hhv_mmbtu_per_mwh": row.technology in THERMAL,
            "max_hours": row.technology in STORAGE,
        }
        for column, required in needed.items():
            if required and pd.isna(getattr(row, column)):
                msg = f"{_where(root, rel, row.csv_line)}: column `{column}` is empty; {row.technology} needs it"
                raise DataError(msg)
    _check_range(table, "capex_usd_per_kw", 0.0, math.inf, root, rel, low_open=True)
    _check_range(table, "lifetime_years", 0.0, 100.0, root, rel, low_open=True)
    _check_range(table, "efficiency_pu", 0.0, 1.0, root, rel, low_open=True)
    _check_range(table, "capacity_credit_pu", 0.0, 1.0, root, rel)
    for column in ("fom_pct_per_year", "vom_usd_per_mwh"):
        _check_range(table, column, 0.0, math.inf, root, rel)
    table["year"] = table["year"].astype(int)
    return table


def read_potentials(root: Path | None = None) -> pd.DataFrame:
    """Read and check ``expansion/potentials.csv``: every country has every candidate in every year."""
    root = root or grids_dir()
    rel = POTENTIALS_TABLE
    table = read_table(rel, root, EXPANSION_TABLES[rel], numeric=EXPANSION_NUMERIC[rel], blank_allowed=())
    for column in EXPANSION_TABLES[rel]:
        table[column] = table[column].astype(str).str.strip()
    _check_choice(table, "country", set(COUNTRIES), root, rel)
    _check_choice(table, "technology", set(CANDIDATE_FUELS), root, rel)
    _check_fuels(table, root, rel)
    _check_unique(table, ["country", "technology", "fuel", "year"], root, rel)
    _check_range(table, "p_nom_max_mw", 0.0, math.inf, root, rel)
    table["year"] = table["year"].astype(int)
    have = set(zip(table.country, table.technology, table.fuel, table.year, strict=True))
    for year in sorted(set(table.year)):
        for country in COUNTRIES:
            for technology, fuels in CANDIDATE_FUELS.items():
                for fuel in fuels:
                    if (country, technology, fuel, year) not in have:
                        msg = f"{root / rel}: no row for {country} {technology} {fuel} {year}; every country needs one"
                        raise DataError(msg)
    return table


def study_years(root: Path | None = None) -> tuple[int, ...]:
    """Return the study years ``expansion/technologies.csv`` gives costs for."""
    return tuple(sorted(set(read_technologies(root).year)))


def candidates(year: int, root: Path | None = None, discount_rate_pct: float | None = None) -> pd.DataFrame:
    """Return the expansion candidates of a study year, one row per country, technology and fuel.

    Parameters
    ----------
    year
        Study year; must be one of the years of ``expansion/technologies.csv``.
    root
        Data folder; default :func:`simulator.paths.grids_dir`.
    discount_rate_pct
        Real discount rate of the annuity; default ``discount_rate_pct`` of ``parameters.csv``
        (the scenario key will override it).

    Returns
    -------
    pandas.DataFrame
        Columns ``country, technology, fuel, carrier, p_nom_max_mw, capex_usd_per_kw,
        lifetime_years, annuity_factor, fom_usd_per_kw_year, capital_cost_usd_per_mw_year``
        (annuity plus fixed O&M, per MW of power, as PyPSA's ``capital_cost``),
        ``vom_usd_per_mwh, efficiency_pu, heat_rate_hhv_mmbtu_per_mwh, max_hours,
        capacity_credit_pu``, plus ``source`` and ``tag`` of the cost row.
    """
    root = root or grids_dir()
    technologies = read_technologies(root)
    years = sorted(set(technologies.year))
    if year not in years:
        msg = f"{root / TECHNOLOGIES_TABLE}: no candidate costs for year {year}; study years are {', '.join(map(str, years))}"
        raise DataError(msg)
    potentials = read_potentials(root)
    if year not in set(potentials.year):
        msg = f"{root / POTENTIALS_TABLE}: no potentials for year {year}"
        raise DataError(msg)
    params = read_parameters(root)
    rate = parameter(params, "discount_rate_pct") if discount_rate_pct is None else discount_rate_pct
    costs = technologies[technologies.year == year]
    missing = set(CANDIDATE_FUELS) - set(costs.technology)
    if missing:
        msg = f"{root / TECHNOLOGIES_TABLE}: no {year} row for {', '.join(sorted(missing))}"
        raise DataError(msg)
    keys = ["technology", "fuel"]
    merged = potentials[potentials.year == year][["country", *keys, "p_nom_max_mw"]].merge(
        costs.drop(columns=["year", "csv_line"]), on=keys, how="left", validate="many_to_one"
    )
    unpriced = merged[merged.capex_usd_per_kw.isna()]
    if not unpriced.empty:
        row = unpriced.iloc[0]
        msg = f"{root / TECHNOLOGIES_TABLE}: no {year} cost row for {row.technology} on {row.fuel}"
        raise DataError(msg)
    merged["annuity_factor"] = [annuity(rate / 100.0, life) for life in merged.lifetime_years]
    merged["fom_usd_per_kw_year"] = merged.capex_usd_per_kw * merged.fom_pct_per_year / 100.0
    per_kw = merged.capex_usd_per_kw * merged.annuity_factor + merged.fom_usd_per_kw_year
    merged["capital_cost_usd_per_mw_year"] = per_kw * 1000.0
    columns = [
        "country",
        "technology",
        "fuel",
        "carrier",
        "p_nom_max_mw",
        "capex_usd_per_kw",
        "lifetime_years",
        "annuity_factor",
        "fom_usd_per_kw_year",
        "capital_cost_usd_per_mw_year",
        "vom_usd_per_mwh",
        "efficiency_pu",
        "heat_rate_hhv_mmbtu_per_mwh",
        "max_hours",
        "capacity_credit_pu",
        "source",
        "tag",
    ]
    order = {c: i for i, c in enumerate(COUNTRIES)}
    merged = merged.sort_values(
        ["country", "technology", "fuel"], key=lambda s: s.map(order) if s.name == "country" else s
    )
    return merged[columns].reset_index(drop=True)
