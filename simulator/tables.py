"""The one reader of every table under ``grids/``: presence, columns, numbers, provenance.

Every table is CSV with a ``source`` column (keys into ``grids/sources.csv``, separated by
``;``) and a ``tag`` column (``found``, ``derived`` or ``estimate``); profile tables are
documented in ``profiles/sources.csv`` instead. Problems are raised as
:class:`~simulator.errors.DataError` naming the file, the CSV line and the column, before
anything is built from the table.
"""

from __future__ import annotations

import json
import math
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
