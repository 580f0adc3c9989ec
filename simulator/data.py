"""Read the input tables under ``grids/`` and check them before any model is built.

Every table is CSV with a ``source`` column (keys into ``grids/sources.csv``, separated by
``;``) and a ``tag`` column (``found``, ``derived`` or ``estimate``). Problems are raised as
:class:`~simulator.errors.DataError` naming the file, the row and the column.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from simulator.errors import DataError
from simulator.paths import grids_dir
from simulator.tables import TABLES, parse_date, read_profile, read_table

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
    # the dated-plant and fuel tables are read by the builder; check them here too, so that a
    # bad or deleted one is refused by `siepac validate` before anything is built
    read_commissioning(data)
    read_technology_fuels(data)
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
        when empty) and a ``csv_line`` column.

    Raises
    ------
    DataError
        Naming file, line and column of an unknown country, technology or source key, a
        capacity that is not positive, a malformed date or a retirement before commissioning.
    """
    from simulator import COUNTRIES

    path = data.root / relative
    # a shipped table: a deleted file is an error (read_table names it), not "no dated plants"
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
    :data:`TECHNOLOGY_FUEL`.

    Raises
    ------
    DataError
        Naming file, line and column of an unknown technology or a fuel without a price row.
    """
    path = data.root / relative
    # a shipped table: a deleted file is an error (read_table names it), not "no exceptions"
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
