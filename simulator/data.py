"""Read the input tables under ``grids/`` and check them before any model is built.

Every table is CSV with a ``source`` column (keys into ``grids/sources.csv``, separated by
``;``) and a ``tag`` column (``found``, ``derived`` or ``estimate``). Problems are raised as
:class:`~simulator.errors.DataError` naming the file, the row and the column.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.errors import DataError
from simulator.paths import grids_dir

TAGS: frozenset[str] = frozenset({"found", "derived", "estimate"})

# file (relative to grids/) -> columns it must have besides source/tag/note
TABLES: dict[str, tuple[str, ...]] = {
    "electric/buses.csv": ("bus", "name", "country", "v_nom_kv", "lat", "lon", "kind", "national_hub"),
    "electric/lines.csv": (
        "line",
        "bus0",
        "bus1",
        "kind",
        "line_type",
        "length_km",
        "circuits_strung",
        "circuits_towers",
    ),
    "electric/line_types.csv": ("line_type", "v_nom_kv", "x_ohm_per_km", "r_ohm_per_km", "s_nom_mva_per_circuit"),
    "electric/border_limits.csv": ("limit_id", "from_countries", "to_countries", "limit_mw", "hour_start", "hour_end"),
    "electric/trade_parameters.csv": ("parameter", "value", "unit"),
    "mexico/market.csv": ("year", "quantity", "value", "unit"),
    "fleet/capacity.csv": ("country", "technology", "year", "capacity_mw"),
    "fleet/national_totals.csv": ("country", "year", "scope", "capacity_mw"),
    "fleet/parameters.csv": ("technology", "country", "parameter", "value", "unit"),
    "fuels/prices.csv": ("fuel", "year", "value", "unit"),
    "fuels/properties.csv": ("fuel", "parameter", "value", "unit"),
    "demand/annual.csv": ("country", "year", "quantity", "value", "unit"),
    "resources/annual_energy.csv": ("country", "year", "carrier", "value", "unit"),
    "profiles/sources.csv": ("file", "description"),
}

NUMERIC_COLUMNS: dict[str, tuple[str, ...]] = {
    "electric/buses.csv": ("v_nom_kv", "lat", "lon"),
    "electric/lines.csv": ("length_km", "circuits_strung", "circuits_towers"),
    "electric/line_types.csv": ("v_nom_kv", "x_ohm_per_km", "r_ohm_per_km", "s_nom_mva_per_circuit"),
    "electric/border_limits.csv": ("limit_mw", "hour_start", "hour_end"),
    "electric/trade_parameters.csv": ("value",),
    "mexico/market.csv": ("year", "value"),
    "fleet/capacity.csv": ("year", "capacity_mw"),
    "fleet/national_totals.csv": ("year", "capacity_mw"),
    "fleet/parameters.csv": ("value",),
    "fuels/prices.csv": ("year", "value"),
    "fuels/properties.csv": ("value",),
    "demand/annual.csv": ("year", "value"),
    "resources/annual_energy.csv": ("year", "value"),
    "gas/nodes.csv": ("lat", "lon"),
    "gas/segments.csv": (
        "diameter_in",
        "capacity_mmcfd",
        "published_length_km",
        "published_capex_musd",
        "routing_factor",
    ),
    "gas/routes.csv": ("order",),
    "gas/parameters.csv": ("value",),
    "history/generation.csv": ("year", "value"),
    "history/trade.csv": ("year", "value"),
    "history/regional.csv": ("year", "value"),
}
"""Columns of each table that must hold a finite number in every row (an empty capacity cell
would silently drop a fleet; ``n/a`` would reach the model as NaN)."""

BLANK_ALLOWED: dict[str, tuple[str, ...]] = {
    "gas/segments.csv": ("published_length_km", "published_capex_musd"),
}
"""Numeric columns where an empty cell is meaningful (not published: the model derives it)."""

HOURS = tuple(str(h) for h in range(24))
MONTHS = tuple(str(m) for m in range(1, 13))
PROFILE_TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "CR_2019_hourly_profile_by_month_daytype.csv": (("daytype",), ("month", *HOURS)),
    "PA_2016_2018_hourly_profile_by_month_daytype.csv": (("daytype",), ("month", *HOURS)),
    "GT_2008_2009_generation_hourly_profile_by_month_daytype.csv": (("daytype",), ("month", *HOURS)),
    "GT_2024_2025_JanApr_generation_hourly_profile_daytype.csv": (("dt",), HOURS),
    "CR_2019_monthly_energy_shares.csv": ((), MONTHS),
    "PA_2016_2018_monthly_energy_shares.csv": ((), MONTHS),
    "GT_2008_2009_generation_monthly_energy_shares.csv": ((), MONTHS),
    "GT_AMM_PV_wind_monthly_CF_2018_2022_2024.csv": ((), ("Fotovoltaica", "Eólico")),
    "OSeMOSYS_global_hydro_monthly_shares_CA_derived.csv": (("NAME",), tuple(f"M{m}" for m in range(1, 13))),
    **{
        f"PV_clearsky_hourly_by_month_{site}.csv": ((), ("m", *HOURS))
        for site in ("GT_Escuintla", "SV_Usulutan", "HN_Choluteca", "NI_Leon", "CR_Guanacaste", "PA_Chiriqui")
    },
}
"""Profile tables of ``grids/profiles/`` (no source/tag columns: ``profiles/sources.csv``
documents each file): (text columns, numeric columns)."""

TECHNOLOGY_CARRIER: dict[str, str] = {
    "hydro_reservoir": "hydro",
    "hydro_ror": "hydro",
    "geothermal": "geothermal",
    "wind": "wind",
    "solar": "solar",
    "bagasse": "biomass",
    "oil_hfo": "oil",
    "oil_diesel": "oil",
    "coal": "coal",
    "gas": "gas",
}
"""Model technologies and the carrier each reports under."""

TECHNOLOGY_FUEL: dict[str, str] = {"oil_hfo": "hfo", "oil_diesel": "diesel", "coal": "coal", "gas": "lng"}
"""Fuel burned by each thermal technology (keys of ``fuels/prices.csv``)."""


def _numeric_problem(text: str) -> str | None:
    """Return why a cell is not a finite number (``None`` if it is one)."""
    if not text:
        return "is empty; expected a number"
    try:
        value = float(text)
    except ValueError:
        return f"must be a number, found {text!r}"
    return None if math.isfinite(value) else f"must be a finite number, found {text!r}"


def read_table(
    relative: str,
    root: Path | None = None,
    columns: tuple[str, ...] | None = None,
    *,
    numeric: tuple[str, ...] | None = None,
    blank_allowed: tuple[str, ...] | None = None,
    provenance: bool = True,
) -> pd.DataFrame:
    """Read one table of ``grids/`` and check it before anything is built from it.

    The one reader of every CSV under ``grids/``: presence, readability, required columns,
    at least one row, a finite number in every cell of the numeric columns and (with
    ``provenance``) a source key and a tag on every row. Each problem is a
    :class:`~simulator.errors.DataError` naming the file, the CSV line and the column.

    Parameters
    ----------
    relative
        Path below ``grids/``, a key of :data:`TABLES` unless ``columns`` is given.
    root
        Data folder; default :func:`simulator.paths.grids_dir`.
    columns
        Columns the table must have besides source and tag; default ``TABLES[relative]``.
    numeric
        Columns that must hold numbers (converted to numbers); default ``NUMERIC_COLUMNS[relative]``.
    blank_allowed
        Numeric columns whose cells may be empty (NaN); default ``BLANK_ALLOWED[relative]``.
    provenance
        Require the ``source`` and ``tag`` columns (profile tables are documented in
        ``profiles/sources.csv`` instead).

    Returns
    -------
    pandas.DataFrame
        The table, with a ``csv_line`` column holding the CSV line number of each row.
    """
    root = root or grids_dir()
    path = root / relative
    columns = columns if columns is not None else TABLES[relative]
    numeric = numeric if numeric is not None else NUMERIC_COLUMNS.get(relative, ())
    blank_allowed = blank_allowed if blank_allowed is not None else BLANK_ALLOWED.get(relative, ())
    if not path.is_file():
        msg = f"input table missing: {path} (expected columns {', '.join(dict.fromkeys((*columns, *numeric)))})"
        raise DataError(msg)
    try:
        # only an empty cell is missing: `n/a` or `NA` in a numeric column is an error to report
        as_written = dict.fromkeys(numeric, str)  # numeric cells as written: `nan` and `n/a` are errors, not NaN
        table = pd.read_csv(path, skipinitialspace=True, keep_default_na=False, na_values=[""], dtype=as_written)
    except pd.errors.EmptyDataError:
        msg = f"{path}: empty file; expected a header row with columns {', '.join((*columns, *numeric))}"
        raise DataError(msg) from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        msg = f"{path}: not a readable CSV table ({exc})"
        raise DataError(msg) from None
    required = (*columns, *numeric, *(("source", "tag") if provenance else ()))
    missing = [c for c in dict.fromkeys(required) if c not in table.columns]
    if missing:
        msg = f"{path}: missing column(s) {', '.join(missing)}; found {', '.join(map(str, table.columns))}"
        raise DataError(msg)
    if table.empty:
        msg = f"{path}: no rows; expected at least one row below the header"
        raise DataError(msg)
    table["csv_line"] = range(2, len(table) + 2)
    for column in numeric:
        cells = table[column]
        values = cells if pd.api.types.is_numeric_dtype(cells) else pd.to_numeric(cells.str.strip(), errors="coerce")
        bad = ~np.isfinite(values.to_numpy(dtype=float))
        if column in blank_allowed:
            bad &= cells.notna().to_numpy()
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            text = "" if pd.isna(cells.iloc[first]) else str(cells.iloc[first]).strip()
            msg = f"{path}:{first + 2}: column `{column}` {_numeric_problem(text)}"
            raise DataError(msg)
        table[column] = values
    if not provenance:
        return table
    for row in table.itertuples():
        tag = str(row.tag).strip()
        if tag not in TAGS:
            msg = f"{path}:{row.csv_line}: column `tag` must be one of {', '.join(sorted(TAGS))}, found {tag!r}"
            raise DataError(msg)
        if pd.isna(row.source) or not str(row.source).strip():
            msg = f"{path}:{row.csv_line}: column `source` is empty; every figure needs its source key"
            raise DataError(msg)
    table["tag"] = table["tag"].str.strip()
    return table


def read_profile(name: str, root: Path | None = None) -> pd.DataFrame:
    """Read one table of ``grids/profiles/`` through :func:`read_table` with its columns of
    :data:`PROFILE_TABLES` (every hour, month or capacity-factor cell a finite number)."""
    if name not in PROFILE_TABLES:
        msg = f"profile table {name!r} is not known to the reader; known: {', '.join(PROFILE_TABLES)}"
        raise DataError(msg)
    text, numbers = PROFILE_TABLES[name]
    return read_table(f"profiles/{name}", root, text, numeric=numbers, blank_allowed=(), provenance=False)


def read_geojson(relative: str, root: Path | None = None, properties: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Read the features of a GeoJSON file of ``grids/`` (segment geometries, outlines).

    Every problem (missing file, not JSON, no features, a feature without geometry or
    without one of ``properties``) is a :class:`~simulator.errors.DataError` naming the
    file and the feature.
    """
    path = (root or grids_dir()) / relative
    if not path.is_file():
        msg = f"{path.parent.name} input missing: {path} (a GeoJSON FeatureCollection shipped under grids/)"
        raise DataError(msg)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        msg = f"{path}: not readable GeoJSON ({exc})"
        raise DataError(msg) from None
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list) or not features:
        msg = f"{path}: expected a FeatureCollection with at least one feature"
        raise DataError(msg)
    for i, feature in enumerate(features):
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
            msg = f"{path}: feature {i} has no geometry"
            raise DataError(msg)
        missing = [p for p in properties if not isinstance(props, dict) or props.get(p) in (None, "")]
        if missing:
            msg = f"{path}: feature {i} lacks property {', '.join(missing)}"
            raise DataError(msg)
    return features


def source_keys(table: pd.DataFrame) -> set[str]:
    """Return every source key referenced by a table's ``source`` column."""
    return {k.strip() for cell in table["source"].astype(str) for k in cell.split(";") if k.strip()}


@dataclass(frozen=True)
class InputData:
    """All tables of ``grids/`` as DataFrames, checked for sources and cross-references."""

    root: Path
    sources: pd.DataFrame
    buses: pd.DataFrame
    lines: pd.DataFrame
    line_types: pd.DataFrame
    border_limits: pd.DataFrame
    trade_parameters: pd.DataFrame
    mexico: pd.DataFrame
    capacity: pd.DataFrame
    national_totals: pd.DataFrame
    parameters: pd.DataFrame
    fuel_prices: pd.DataFrame
    fuel_properties: pd.DataFrame
    demand: pd.DataFrame
    resources: pd.DataFrame
    profile_sources: pd.DataFrame

    # -- lookups -------------------------------------------------------------------
    def _path(self, relative: str) -> Path:
        return self.root / relative

    def parameter(self, technology: str, country: str, parameter: str, default: float | None = None) -> float:
        """Return a technology parameter; a country row overrides the ``*`` row."""
        p = self.parameters
        rows = p[(p.technology == technology) & (p.parameter == parameter)]
        for who in (country, "*"):
            hit = rows[rows.country == who]
            if len(hit):
                return float(hit.value.iloc[0])
        if default is not None:
            return default
        msg = (
            f"{self._path('fleet/parameters.csv')}: no row for technology={technology}, "
            f"parameter={parameter}, country={country} or *"
        )
        raise DataError(msg)

    def capacity_mw(self, country: str, technology: str, year: int) -> float:
        """Return installed capacity (MW) of a technology in a country at the end of ``year``."""
        c = self.capacity
        hit = c[(c.country == country) & (c.technology == technology) & (c.year == year)]
        return float(hit.capacity_mw.sum()) if len(hit) else 0.0

    def demand_value(self, country: str, year: int, quantity: str) -> float:
        """Return ``energy_gwh`` or ``peak_mw`` of a country's demand in ``year``."""
        d = self.demand
        hit = d[(d.country == country) & (d.year == year) & (d.quantity == quantity)]
        if hit.empty:
            msg = f"{self._path('demand/annual.csv')}: no `{quantity}` row for {country} {year}"
            raise DataError(msg)
        return float(hit.value.iloc[0])

    def resource_energy_gwh(self, country: str, year: int, carrier: str) -> float:
        """Return the weather-driven annual energy (GWh) of a carrier in a country."""
        r = self.resources
        hit = r[(r.country == country) & (r.year == year) & (r.carrier == carrier)]
        return float(hit.value.sum()) if len(hit) else 0.0

    def fuel_price_usd_per_mmbtu(self, fuel: str, year: int) -> float:
        """Return a fuel price converted to USD/MMBtu with the fuel's heat content."""
        p = self.fuel_prices
        hit = p[(p.fuel == fuel) & (p.year == year)]
        if hit.empty:
            msg = f"{self._path('fuels/prices.csv')}: no price for fuel `{fuel}` in {year}"
            raise DataError(msg)
        value, unit = float(hit.value.iloc[0]), str(hit.unit.iloc[0]).strip()
        if unit == "USD/MMBtu":
            return value
        heat = self.fuel_property(fuel, "heat_content")
        if unit in ("USD/bbl", "USD/t"):
            return value / heat
        msg = f"{self._path('fuels/prices.csv')}: unit {unit!r} of fuel `{fuel}` not understood (USD/MMBtu, USD/bbl or USD/t)"
        raise DataError(msg)

    def fuel_property(self, fuel: str, parameter: str) -> float:
        """Return a fuel property (``heat_content``, ``co2_kg_per_mmbtu``)."""
        p = self.fuel_properties
        hit = p[(p.fuel == fuel) & (p.parameter == parameter)]
        if hit.empty:
            msg = f"{self._path('fuels/properties.csv')}: no `{parameter}` for fuel `{fuel}`"
            raise DataError(msg)
        return float(hit.value.iloc[0])

    def trade_parameter(self, parameter: str) -> float:
        """Return a value of ``electric/trade_parameters.csv``."""
        hit = self.trade_parameters[self.trade_parameters.parameter == parameter]
        if hit.empty:
            msg = f"{self._path('electric/trade_parameters.csv')}: no row for `{parameter}`"
            raise DataError(msg)
        return float(hit.value.iloc[0])

    def mexico_value(self, year: int, quantity: str) -> float:
        """Return a figure of ``mexico/market.csv`` for a year."""
        m = self.mexico
        hit = m[(m.year == year) & (m.quantity == quantity)]
        if hit.empty:
            msg = f"{self._path('mexico/market.csv')}: no `{quantity}` row for {year}"
            raise DataError(msg)
        return float(hit.value.iloc[0])

    def hub(self, country: str) -> str:
        """Return the bus where a country's national system is attached."""
        b = self.buses
        hit = b[(b.country == country) & b.national_hub]
        if len(hit) != 1:
            msg = f"{self._path('electric/buses.csv')}: country {country} needs exactly one bus with national_hub=yes, found {len(hit)}"
            raise DataError(msg)
        return str(hit.bus.iloc[0])


def _as_bool(series: pd.Series) -> pd.Series:
    return series.astype(str).str.strip().str.lower().isin({"yes", "true", "1"})


def _check_references(data: InputData) -> None:
    """Cross-check keys between tables: sources, buses, line types."""
    known = set(data.sources.source_key.astype(str).str.strip())
    tables = {
        "electric/buses.csv": data.buses,
        "electric/lines.csv": data.lines,
        "electric/line_types.csv": data.line_types,
        "electric/border_limits.csv": data.border_limits,
        "electric/trade_parameters.csv": data.trade_parameters,
        "mexico/market.csv": data.mexico,
        "fleet/capacity.csv": data.capacity,
        "fleet/national_totals.csv": data.national_totals,
        "fleet/parameters.csv": data.parameters,
        "fuels/prices.csv": data.fuel_prices,
        "fuels/properties.csv": data.fuel_properties,
        "demand/annual.csv": data.demand,
        "resources/annual_energy.csv": data.resources,
        "profiles/sources.csv": data.profile_sources,
    }
    for relative, table in tables.items():
        for row in table.itertuples():
            for key in str(row.source).split(";"):
                if key.strip() and key.strip() not in known:
                    msg = f"{data.root / relative}:{row.csv_line}: source key {key.strip()!r} is not in {data.root / 'sources.csv'}"
                    raise DataError(msg)
    buses = set(data.buses.bus)
    types = set(data.line_types.line_type)
    for row in data.lines.itertuples():
        for end in (row.bus0, row.bus1):
            if end not in buses:
                msg = f"{data.root / 'electric/lines.csv'}:{row.csv_line}: line {row.line} ends at unknown bus {end!r}"
                raise DataError(msg)
        if row.line_type not in types:
            msg = f"{data.root / 'electric/lines.csv'}:{row.csv_line}: unknown line_type {row.line_type!r}; known: {', '.join(sorted(types))}"
            raise DataError(msg)
    for row in data.capacity.itertuples():
        if row.technology not in TECHNOLOGY_CARRIER:
            msg = f"{data.root / 'fleet/capacity.csv'}:{row.csv_line}: unknown technology {row.technology!r}; known: {', '.join(TECHNOLOGY_CARRIER)}"
            raise DataError(msg)


def load_data(root: Path | None = None) -> InputData:
    """Read and check every input table.

    Parameters
    ----------
    root
        Data folder; default :func:`simulator.paths.grids_dir`.

    Returns
    -------
    InputData
        The checked tables.

    Raises
    ------
    DataError
        If a table (or a profile listed in ``profiles/sources.csv``) is missing, empty, lacks
        a column, has a non-numeric or empty numeric cell, a row without source or with an
        unknown tag, or references an unknown source key, bus or line type.
    """
    root = root or grids_dir()
    sources = read_table("sources.csv", root, ("source_key",), provenance=False)
    t = {rel: read_table(rel, root) for rel in TABLES}
    for name in t["profiles/sources.csv"].file:  # every profile a run may read, checked now
        read_profile(str(name), root)
    buses = t["electric/buses.csv"]
    buses["national_hub"] = _as_bool(buses["national_hub"])
    data = InputData(
        root=root,
        sources=sources,
        buses=buses,
        lines=t["electric/lines.csv"],
        line_types=t["electric/line_types.csv"],
        border_limits=t["electric/border_limits.csv"],
        trade_parameters=t["electric/trade_parameters.csv"],
        mexico=t["mexico/market.csv"],
        capacity=t["fleet/capacity.csv"],
        national_totals=t["fleet/national_totals.csv"],
        parameters=t["fleet/parameters.csv"],
        fuel_prices=t["fuels/prices.csv"],
        fuel_properties=t["fuels/properties.csv"],
        demand=t["demand/annual.csv"],
        resources=t["resources/annual_energy.csv"],
        profile_sources=t["profiles/sources.csv"],
    )
    _check_references(data)
    return data


def data_hash(root: Path | None = None) -> str:
    """Return a SHA-256 over every file under the data folder (names and contents)."""
    root = root or grids_dir()
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


COMMISSIONING_TABLE = "fleet/commissioning.csv"
COMMISSIONING_COLUMNS: tuple[str, ...] = (
    "plant",
    "country",
    "technology",
    "capacity_mw",
    "commissioning_date",
    "retirement_date",
)
"""Columns of ``fleet/commissioning.csv`` besides source, tag and note (the outlook table uses the same)."""


def parse_date(path: Path, line: int, column: str, value: object, required: bool) -> pd.Timestamp | None:
    """Parse one date cell ``YYYY-MM-DD`` of a ``grids/`` table (empty: None, or an error if ``required``).

    The one date parser of the input tables: errors name the file, the CSV line and the column.
    """
    import datetime as dt

    if pd.isna(value) or not str(value).strip():
        if required:
            msg = f"{path}:{line}: column `{column}` is empty; expected a date YYYY-MM-DD"
            raise DataError(msg)
        return None
    try:
        return pd.Timestamp(dt.date.fromisoformat(str(value).strip()))
    except ValueError:
        msg = f"{path}:{line}: column `{column}` must be a date YYYY-MM-DD, found {value!r}"
        raise DataError(msg) from None


def read_commissioning(
    data: InputData, relative: str = COMMISSIONING_TABLE, *, retire_only: bool = False
) -> pd.DataFrame:
    """Read and check a table of plants with commissioning (and retirement) dates.

    Each row is one plant: ``plant, country, technology, capacity_mw, commissioning_date,
    retirement_date`` (dates ``YYYY-MM-DD``; no retirement date = still in service), with
    source, tag and note. With ``retire_only`` (the outlook's table) the commissioning date
    may be empty: the plant is part of the observed fleet and only retires. The plant is available from its commissioning date (inclusive)
    until its retirement date (exclusive). How the table relates to ``fleet/capacity.csv``
    is the network builder's business (see ``simulator/network/commissioning.py``).

    Parameters
    ----------
    data
        The checked input tables (for the data folder and the known source keys).
    relative
        Path of the table below the data folder.
    retire_only
        Allow an empty ``commissioning_date`` when a ``retirement_date`` is given.

    Returns
    -------
    pandas.DataFrame
        The rows, with ``commissioning_date`` and ``retirement_date`` as Timestamps (NaT
        when empty) and a ``csv_line`` column. Missing file: an empty table.

    Raises
    ------
    DataError
        Naming file, line and column of an unknown country, technology or source key, a
        capacity that is not positive, a malformed date or a retirement before commissioning.
    """
    from simulator import COUNTRIES

    path = data.root / relative
    if not path.is_file():
        return pd.DataFrame(columns=[*COMMISSIONING_COLUMNS, "source", "tag", "note", "csv_line"])
    table = read_table(relative, data.root, COMMISSIONING_COLUMNS, numeric=("capacity_mw",))
    known = set(data.sources.source_key.astype(str).str.strip())
    commissioned, retired = [], []
    for row in table.itertuples():
        where = f"{path}:{row.csv_line}"
        if row.country not in COUNTRIES:
            msg = f"{where}: column `country` must be one of {', '.join(COUNTRIES)}, found {row.country!r}"
            raise DataError(msg)
        if row.technology not in TECHNOLOGY_CARRIER or row.technology == "hydro_reservoir":
            usable = [t for t in TECHNOLOGY_CARRIER if t != "hydro_reservoir"]
            msg = f"{where}: column `technology` must be one of {', '.join(usable)}, found {row.technology!r}"
            raise DataError(msg)
        if not row.capacity_mw > 0:
            msg = f"{where}: column `capacity_mw` must be a positive number of MW, found {row.capacity_mw:g}"
            raise DataError(msg)
        start = parse_date(path, row.csv_line, "commissioning_date", row.commissioning_date, required=not retire_only)
        end = parse_date(path, row.csv_line, "retirement_date", row.retirement_date, required=False)
        if start is None and end is None:
            msg = f"{where}: plant {row.plant!r} needs a commissioning_date or a retirement_date (it changes nothing)"
            raise DataError(msg)
        if start is not None and end is not None and end <= start:
            msg = (
                f"{where}: column `retirement_date` ({end.date()}) must be after `commissioning_date` ({start.date()})"
            )
            raise DataError(msg)
        for key in str(row.source).split(";"):
            if key.strip() and key.strip() not in known:
                msg = f"{where}: source key {key.strip()!r} is not in {data.root / 'sources.csv'}"
                raise DataError(msg)
        commissioned.append(start)
        retired.append(end)
    table["commissioning_date"] = pd.to_datetime(pd.Series(commissioned, index=table.index, dtype=object))
    table["retirement_date"] = pd.to_datetime(pd.Series(retired, index=table.index, dtype=object))
    return table


TECHNOLOGY_FUELS_TABLE = "fuels/technology_fuels.csv"


def read_technology_fuels(data: InputData, relative: str = TECHNOLOGY_FUELS_TABLE) -> dict[tuple[str, str], str]:
    """Return the fuel a thermal technology burns in a country where it is not the default.

    ``fuels/technology_fuels.csv`` has ``technology, country, fuel`` rows (with source, tag,
    note): e.g. Guatemala's coal fleet burns petcoke. Every other country and technology burns
    :data:`TECHNOLOGY_FUEL`. A missing file means no exceptions.

    Raises
    ------
    DataError
        Naming file, line and column of an unknown technology or a fuel without a price row.
    """
    path = data.root / relative
    if not path.is_file():
        return {}
    table = read_table(relative, data.root, ("technology", "country", "fuel"))
    fuels = set(data.fuel_prices.fuel.astype(str))
    out: dict[tuple[str, str], str] = {}
    for row in table.itertuples():
        if row.technology not in TECHNOLOGY_FUEL:
            msg = f"{path}:{row.csv_line}: column `technology` must be one of {', '.join(TECHNOLOGY_FUEL)}, found {row.technology!r}"
            raise DataError(msg)
        if row.fuel not in fuels:
            msg = f"{path}:{row.csv_line}: column `fuel` must be a fuel of fuels/prices.csv ({', '.join(sorted(fuels))}), found {row.fuel!r}"
            raise DataError(msg)
        out[(str(row.technology), str(row.country))] = str(row.fuel)
    return out
