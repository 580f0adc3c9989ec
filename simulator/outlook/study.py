"""The inputs of a study year in the builder's form, and weather independent of the study year."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulator import COUNTRIES
from simulator.data import COMMISSIONING_COLUMNS, TECHNOLOGY_CARRIER, InputData, load_data
from simulator.errors import DataError
from simulator.outlook.tables import BASE_FLEET_YEAR, OutlookTables, read_outlook
from simulator.paths import grids_dir

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
    end = pd.Timestamp(year, 12, 31)
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
                added = not pd.isna(row.commissioning_date) and row.commissioning_date <= end
                existing = pd.isna(row.commissioning_date)
                retired = not pd.isna(row.retirement_date) and row.retirement_date <= end
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
    start, end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)

    def inside(date: pd.Timestamp) -> bool:
        return not pd.isna(date) and start <= date <= end

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
    end = pd.Timestamp(year, 12, 31)
    for row in tables.commissioning[tables.commissioning.tag == "estimate"].itertuples():
        dated = [d for d in (row.commissioning_date, row.retirement_date) if not pd.isna(d)]
        if min(dated) <= end:
            out.append(
                f"outlook/commissioning.csv:{row.csv_line}: {row.plant} ({row.country} {row.technology} {row.capacity_mw:g} MW)"
            )
    return tuple(out)


def load_study_year(year: int, root: Path | None = None) -> StudyYear:
    """Return the inputs of a study year in the builder's form, reading ``grids/``.

    Parameters
    ----------
    year
        A year of :func:`available_study_years` (2022, 2023 or an outlook year).
    root
        Data folder; default :func:`simulator.paths.grids_dir`.

    Returns
    -------
    StudyYear
        As :func:`study_year`.

    Raises
    ------
    DataError
        If the year has no data (the message names the years that have), or a table is bad.
    """
    return study_year(load_data(root or grids_dir()), year)


def study_year(base: InputData, year: int) -> StudyYear:
    """Return the inputs of a study year in the builder's form, from the shipped tables ``base``.

    Parameters
    ----------
    base
        The checked tables of ``grids/`` (:func:`simulator.data.load_data`).
    year
        A year of :func:`available_study_years` (2022, 2023 or an outlook year).

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
    history = historical_years(base)
    if year in history:  # the observed years need nothing of grids/outlook/
        return StudyYear(
            year=year,
            data=base,
            outlook=False,
            fleet_changes=pd.DataFrame(columns=[*COMMISSIONING_COLUMNS, "source", "tag", "note", "csv_line"]),
            market={"market.mexico_trade": "guatemala_only", "market.guatemala_in_mer": "true"},
            committed_segments=(),
            option_segments={},
            option_border_limits={},
            colombia=None,
            estimates=(),
        )
    tables = read_outlook(base)
    years = sorted({*history, *tables.years})
    if year not in years:
        msg = f"no input data for study year {year}; years with data: {', '.join(map(str, years))}"
        raise DataError(msg)
    end = pd.Timestamp(year, 12, 31)
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


_CACHE: dict[tuple[int, int, int], tuple[InputData, StudyYear]] = {}
"""Last study years built from a given base (a run checks and builds from the same tables)."""


def year_inputs(base: InputData, year: int, weather_year: int) -> StudyYear:
    """Return the study year the builder reads: its tables, with the weather scaled for a future year.

    For 2022 and 2023 ``base`` is returned unchanged (a historical year with the other
    year's weather keeps today's behaviour: that year's observed energy on its own fleet).
    For an outlook year the resources table is :func:`scaled_resources`, so that every
    weather-driven profile keeps the weather year's capacity factor (hydro: inflow per MW)
    on the study year's fleet.

    Parameters
    ----------
    base
        The shipped tables (:func:`simulator.data.load_data`), never a study year's ``data``.
    year
        Study year.
    weather_year
        Weather year (2022 or 2023).
    """
    key = (id(base), year, weather_year)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is base:
        return hit[1]
    study = study_year(base, year)
    if study.outlook:
        study = dataclasses.replace(
            study, data=dataclasses.replace(study.data, resources=scaled_resources(study, weather_year))
        )
    if len(_CACHE) >= 8:
        _CACHE.clear()
    _CACHE[key] = (base, study)
    return study
