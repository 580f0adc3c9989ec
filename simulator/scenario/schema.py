"""Pydantic models of a scenario file, one per section.

Every field carries its unit in its name or description, a default, bounds and an
example. Unknown keys are errors (``extra="forbid"``) so that a typo never silently falls
back to a default. ``scenarios/schema.json`` and ``scenarios/defaults.yaml`` are generated
from these models (:mod:`simulator.scenario.generate`); a test fails when they drift.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any, Literal

from pydantic import ConfigDict, Field, PrivateAttr, field_validator, model_validator

from simulator.scenario.sections import (
    ExpansionConfig,
    GasConfig,
    Section,
)

WEATHER_YEARS: tuple[int, ...] = (2022, 2023)
"""Years with observed weather (hydro, wind, solar, geothermal and bagasse energy in
``grids/resources/``): the only possible ``hydrology`` of any study year."""

HYDROLOGY_ALIASES: dict[str, int] = {"wet": 2022, "dry": 2023}
"""Named weather years: 2022 (La Niña, wet) and 2023 (El Niño drought)."""


@cache
def study_years() -> tuple[int, ...]:
    """Return the study years with input data: the observed years and those of ``grids/outlook/``
    (:func:`simulator.outlook.available_study_years`, read once per process)."""
    from simulator.outlook import available_study_years

    return available_study_years()


Country = Literal["GT", "SV", "HN", "NI", "CR", "PA"]
Fuel = Literal["hfo", "diesel", "coal", "petcoke", "lng"]
Technology = Literal[
    "hydro_reservoir",
    "hydro_ror",
    "geothermal",
    "wind",
    "solar",
    "bagasse",
    "oil_hfo",
    "oil_diesel",
    "coal",
    "gas",
]

FUEL_UNITS: dict[str, tuple[str, ...]] = {
    "hfo": ("usd_per_bbl", "usd_per_mmbtu"),
    "diesel": ("usd_per_bbl", "usd_per_mmbtu"),
    "coal": ("usd_per_t", "usd_per_mmbtu"),
    "petcoke": ("usd_per_t", "usd_per_mmbtu"),
    "lng": ("usd_per_mmbtu",),
}
"""Price units that make sense for each fuel."""


class DemandConfig(Section):
    """Demand relative to the scenario year's observed demand."""

    growth: dict[Country, float] = Field(
        default_factory=dict,
        description="Factor on each country's annual energy (GWh) and peak (MW); 1.05 = +5 %. "
        "Countries not listed keep the year's data.",
        examples=[{"GT": 1.05, "PA": 1.10}],
    )

    @field_validator("growth")
    @classmethod
    def _bounded(cls, growth: dict[str, float]) -> dict[str, float]:
        for country, factor in growth.items():
            if not 0.5 <= factor <= 3.0:
                msg = f"growth factor for {country} must be between 0.5 and 3.0, found {factor}"
                raise ValueError(msg)
        return growth


class FuelPrice(Section):
    """A fuel price in exactly one unit."""

    usd_per_mmbtu: float | None = Field(None, gt=0, le=200, description="Price in USD/MMBtu (HHV).", examples=[10.0])
    usd_per_bbl: float | None = Field(
        None, gt=0, le=500, description="Price in USD per barrel (oil fuels).", examples=[85.0]
    )
    usd_per_t: float | None = Field(None, gt=0, le=1000, description="Price in USD per tonne (coal).", examples=[150.0])

    @model_validator(mode="after")
    def _one_unit(self) -> FuelPrice:
        given = [k for k in ("usd_per_mmbtu", "usd_per_bbl", "usd_per_t") if getattr(self, k) is not None]
        if len(given) != 1:
            msg = f"give the price in exactly one unit (usd_per_mmbtu, usd_per_bbl or usd_per_t), found {len(given)}"
            raise ValueError(msg)
        return self

    @property
    def unit(self) -> str:
        """Return the name of the unit the price is given in."""
        return next(k for k in ("usd_per_mmbtu", "usd_per_bbl", "usd_per_t") if getattr(self, k) is not None)

    @property
    def value(self) -> float:
        """Return the price in its unit."""
        return float(getattr(self, self.unit))


class FuelPriceOverride(FuelPrice):
    """A fuel price for all countries, optionally overridden per country."""

    by_country: dict[Country, FuelPrice] = Field(
        default_factory=dict,
        description="Country-specific prices that override the regional one.",
        examples=[{"HN": {"usd_per_bbl": 90.0}}],
    )


class FuelsConfig(Section):
    """Fuel prices replacing the year's data (``grids/fuels/prices.csv``)."""

    prices: dict[Fuel, FuelPriceOverride] = Field(
        default_factory=dict,
        description="Price per fuel: hfo and diesel in usd_per_bbl or usd_per_mmbtu, coal and petcoke in usd_per_t "
        "or usd_per_mmbtu (petcoke is what Guatemala's coal fleet burns), lng in usd_per_mmbtu.",
        examples=[{"lng": {"usd_per_mmbtu": 9.0}, "hfo": {"usd_per_bbl": 75.0}}],
    )
    sugar_mill_coal_blocks: bool = Field(
        False,
        description="Let the coal-capable sugar-mill blocks (Guatemala, 488 MW, fleet/parameters.csv "
        "off_harvest_capacity_mw) burn the coal fleet's fuel outside the harvest; in the harvest they burn "
        "bagasse either way. Off by default: OLADE does not count them as coal capacity and 2022 coal output "
        "fits within the dedicated fleet (grids/CALIBRATION.md).",
    )

    @model_validator(mode="after")
    def _units_fit_fuels(self) -> FuelsConfig:
        for fuel, price in self.prices.items():
            for where, p in [("", price), *((f" for {c}", q) for c, q in price.by_country.items())]:
                if p.unit not in FUEL_UNITS[fuel]:
                    msg = f"price of {fuel}{where} given in {p.unit}; {fuel} takes {' or '.join(FUEL_UNITS[fuel])}"
                    raise ValueError(msg)
        return self


class MexicoLinkConfig(Section):
    """Transfer limits of the Mexico–Guatemala link (MW); unset values keep the regional
    operator's limits of ``grids/electric/border_limits.csv`` (210 MW by day, 140 MW at
    night from Mexico; 70 MW towards Mexico)."""

    mx_to_gt_day_mw: float | None = Field(
        None, ge=0, le=2000, description="Limit Mexico→Guatemala, 06–21 h (MW).", examples=[400.0]
    )
    mx_to_gt_night_mw: float | None = Field(
        None, ge=0, le=2000, description="Limit Mexico→Guatemala, 22–05 h (MW).", examples=[400.0]
    )
    gt_to_mx_mw: float | None = Field(
        None, ge=0, le=2000, description="Limit Guatemala→Mexico, all hours (MW).", examples=[200.0]
    )


class NewLine(Section):
    """A new interconnection between two existing buses (a PyPSA Line)."""

    name: str = Field(
        ..., pattern=r"^[A-Za-z0-9_.-]+$", description="Line name.", examples=["GT_PANALUYA-SV_15_SEPTIEMBRE"]
    )
    bus0: str = Field(..., description="First bus (a `bus` of grids/electric/buses.csv).", examples=["GT_PANALUYA"])
    bus1: str = Field(..., description="Second bus.", examples=["SV_15_SEPTIEMBRE"])
    length_km: float = Field(..., gt=0, le=2000, description="Route length (km).", examples=[150.0])
    circuits: int = Field(1, ge=1, le=4, description="Circuits strung.")
    line_type: str = Field("siepac_230kv", description="A `line_type` of grids/electric/line_types.csv.")


class GridConfig(Section):
    """Transmission switches."""

    second_circuit: bool = Field(
        False,
        description="String the second circuit on every SIEPAC segment (towers already carry it): doubles "
        "segment ratings (MVA) and halves their reactance.",
    )
    second_circuit_segments: list[str] = Field(
        default_factory=list,
        description="String the second circuit on these SIEPAC segments only (`line` ids of grids/electric/lines.csv).",
        examples=[["HN_AGUA_CALIENTE-NI_SANDINO", "NI_SANDINO-NI_TICUANTEPE_II"]],
    )
    border_limits: bool = Field(
        True,
        description="Apply the regional operator's border transfer limits (MW) on the sum of flows across each "
        "border; if false only the line ratings limit trade.",
    )
    border_limits_mw: dict[str, float] = Field(
        default_factory=dict,
        description="Override border limits by `limit_id` of grids/electric/border_limits.csv (MW, >= 0).",
        examples=[{"HN_to_NI": 510.0, "NI_to_CR": 500.0}],
    )
    hurdle_usd_per_mwh: float | None = Field(
        None,
        ge=0,
        le=200,
        description="Cost (USD/MWh) of every MWh crossing a border between SIEPAC countries, both directions "
        "(regional transmission charges); default grids/electric/trade_parameters.csv.",
        examples=[0.0, 10.0],
    )
    mexico_link: MexicoLinkConfig = Field(default_factory=MexicoLinkConfig)
    colombia_link_mw: float = Field(
        0.0,
        ge=0,
        le=2000,
        description="Panama–Colombia HVDC link (MW, both directions; 0 = off, as in the base cases). Colombia is a "
        "price-taking neighbour at Panama's hub with the price and losses of grids/outlook/colombia.csv; only in an "
        "outlook year (2030, 2035), at most the link's 400 MW.",
        examples=[400.0],
    )
    new_interconnections: list[NewLine] = Field(default_factory=list, description="New lines between existing buses.")

    @field_validator("border_limits_mw")
    @classmethod
    def _non_negative(cls, limits: dict[str, float]) -> dict[str, float]:
        for key, value in limits.items():
            if not 0 <= value <= 5000:
                msg = f"border limit {key} must be between 0 and 5000 MW, found {value}"
                raise ValueError(msg)
        return limits


class MarketConfig(Section):
    """Who may trade with whom."""

    mexico_trade: Literal["guatemala_only", "all_siepac", "none"] = Field(
        "guatemala_only",
        description="guatemala_only (today): Mexican energy is sold to Guatemala, which may re-export only its "
        "own surplus; all_siepac: common procurement, Mexican energy may flow on to any SIEPAC country; "
        "none: no trade with Mexico.",
    )
    mexico_rule: Literal["merit_order", "hourly_exclusive"] = Field(
        "merit_order",
        description="How Guatemala's imports from Mexico are dispatched (grids/CALIBRATION.md). merit_order "
        "(documented AMM rule): imports run whenever their cost is below Guatemala's marginal cost, also in hours "
        "when Guatemala exports to SIEPAC. hourly_exclusive (the earlier formulation): under guatemala_only no hour "
        "may have both a Mexican import and Guatemalan net exports (solved in two passes).",
    )
    mexico_contract: Literal["must_take", "price_taking"] = Field(
        "must_take",
        description="must_take: the Energía del Caribe contract (grids/mexico/market.csv) is delivered across the "
        "link at its load factor in every hour, the rest of the contracts and spot supply are price-taking; "
        "price_taking: all contract capacity is offered at the contract price. Incompatible with "
        "mexico_rule hourly_exclusive under guatemala_only (a must-take import in every hour would forbid "
        "Guatemalan exports in every hour).",
    )
    guatemala_in_mer: bool = Field(
        True,
        description="False models Guatemala outside the regional market (its announced 2031 exit): no net "
        "trade across Guatemala's SIEPAC borders.",
    )

    @model_validator(mode="after")
    def _rule_fits_contract(self) -> MarketConfig:
        if (
            self.mexico_trade == "guatemala_only"
            and self.mexico_rule == "hourly_exclusive"
            and self.mexico_contract == "must_take"
        ):
            msg = (
                "market.mexico_rule hourly_exclusive needs market.mexico_contract price_taking: a must-take "
                "Mexican import in every hour leaves no hour in which Guatemala may export"
            )
            raise ValueError(msg)
        return self


class FleetChange(Section):
    """Add, remove or rescale a country's capacity of one technology."""

    country: Country = Field(..., description="ISO code.", examples=["GT"])
    technology: Technology = Field(..., description="Model technology.", examples=["gas"])
    action: Literal["add", "remove", "scale"] = Field(
        ..., description="add capacity_mw, remove all, or scale by factor."
    )
    capacity_mw: float | None = Field(None, gt=0, le=10_000, description="MW to add (action add).", examples=[250.0])
    factor: float | None = Field(None, ge=0, le=10, description="Multiplier (action scale).", examples=[0.8])
    commissioning_date: dt.date | None = Field(
        None,
        description="Action add: first day the added capacity is available (before it, none of it is); "
        "default available all year.",
        examples=["2022-05-01"],
    )
    retirement_date: dt.date | None = Field(
        None,
        description="Action add: first day the added capacity is no longer available; default never retired.",
        examples=["2030-01-01"],
    )

    @model_validator(mode="after")
    def _fields_fit_action(self) -> FleetChange:
        if self.action == "add" and self.capacity_mw is None:
            msg = "action add needs capacity_mw"
            raise ValueError(msg)
        dated = self.commissioning_date is not None or self.retirement_date is not None
        if dated and self.action != "add":
            msg = f"commissioning_date and retirement_date go with action add only, found action {self.action}"
            raise ValueError(msg)
        if dated and self.technology == "hydro_reservoir":
            msg = "commissioning_date and retirement_date are not supported for hydro_reservoir (a storage unit)"
            raise ValueError(msg)
        if (
            self.commissioning_date is not None
            and self.retirement_date is not None
            and self.retirement_date <= self.commissioning_date
        ):
            msg = f"retirement_date {self.retirement_date} must be after commissioning_date {self.commissioning_date}"
            raise ValueError(msg)
        if self.action == "scale" and self.factor is None:
            msg = "action scale needs factor"
            raise ValueError(msg)
        if self.action == "remove" and (self.capacity_mw is not None or self.factor is not None):
            msg = "action remove takes neither capacity_mw nor factor"
            raise ValueError(msg)
        return self


class SolveConfig(Section):
    """Time span and solver."""

    start_date: dt.date | None = Field(
        None, description="First day simulated (inside the scenario year); default 1 January.", examples=["2022-03-01"]
    )
    days: int | None = Field(
        None, ge=1, le=366, description="Number of days simulated; default the whole year.", examples=[7]
    )
    resolution_hours: Literal[1, 2, 3, 4, 6, 12, 24] = Field(
        1,
        description="Time step (h): hourly data are averaged over blocks of this length (PyPSA's temporal "
        "resampling); border-limit windows use each block's first hour.",
        examples=[3],
    )
    coarse_resolution_hours: Literal[2, 3, 4, 6, 8, 12, 24] | None = Field(
        None,
        description="Time step (h) of the weekly strategy's coarse stage. Default 6 h, or 3 h when the solve "
        "chooses capacity (expansion, an extendable anchor): at 6 h daily blocks average the solar day and "
        "the expansion builds about 20 % more PV than the hourly LP; 6 h is about 2.5 times faster.",
        examples=[6],
    )
    strategy: Literal["weekly", "monolithic"] = Field(
        "weekly",
        description="Solve strategy: `weekly` (a coarse stage over the whole span at 6-hour steps fixes every "
        "reservoir's level at the end of each day, then hourly weeks are solved in parallel) or `monolithic` "
        "(one LP over the whole span, the accuracy reference).",
    )
    voll_usd_per_mwh: float = Field(
        1500.0,
        gt=0,
        le=100_000,
        description="Value of lost load (USD/MWh): cost of unserved energy at every national bus.",
    )
    solver_options: dict[str, float | int | str | bool] = Field(
        default_factory=dict,
        description="Extra HiGHS options, passed through unchanged; names, types and values are checked against "
        "HiGHS's own options when the scenario is validated (quote words such as 'on').",
        examples=[{"solver": "ipm", "run_crossover": "on"}],
    )


class OutputsConfig(Section):
    """What a run writes besides ``kpis.csv`` and ``manifest.json``."""

    network: bool = Field(True, description="Write the solved network as network.nc.")


class Scenario(Section):
    """A complete, validated scenario."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, json_schema_extra={"title": "SIEPAC scenario"})

    name: str = Field(
        ...,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        max_length=120,
        description="Run name; also the results folder name.",
        examples=["base_2022"],
    )
    description: str = Field("", description="What question the scenario answers.")
    reference: str | None = Field(
        None,
        description="Scenario to compare against (a file of scenarios/, with or without .yaml); adds price "
        "changes and fuel displaced to the KPIs.",
        examples=["base_2022"],
    )
    year: int = Field(
        ...,
        description="Study year: demand, fleet, fuel prices, grid in service and Mexican market (calendar of the "
        "simulation). 2022 and 2023 are observed (grids/); 2030 and 2035 are outlook years (grids/outlook/, many "
        "figures estimates: `siepac show` lists them).",
        examples=[2022, 2030],
    )
    hydrology: int | Literal["wet", "dry"] | None = Field(
        None,
        description="Weather year for hydro inflow, wind, solar, geothermal, bagasse and the load's day-to-day "
        "variation: 2022, 2023, 'wet' (=2022) or 'dry' (=2023), for any study year (scaled to its installed "
        "capacity). Default: the scenario year; required for an outlook year.",
    )
    demand: DemandConfig = Field(default_factory=DemandConfig)
    fuels: FuelsConfig = Field(default_factory=FuelsConfig)
    grid: GridConfig = Field(default_factory=GridConfig)
    market: MarketConfig = Field(default_factory=MarketConfig)
    gas: GasConfig = Field(default_factory=GasConfig)
    fleet: list[FleetChange] = Field(default_factory=list, description="Changes to the fleet, applied in order.")
    expansion: ExpansionConfig = Field(default_factory=ExpansionConfig)
    solve: SolveConfig = Field(default_factory=SolveConfig)
    outputs: OutputsConfig = Field(default_factory=OutputsConfig)

    _origin: Any = PrivateAttr(default=None)
    _swept: dict[str, Any] = PrivateAttr(default_factory=dict)

    def locate(self, *loc: int | str) -> str:
        """Return ``file:line`` where a key was set (or the file name, or the scenario name)."""
        if self._origin is not None:
            return str(self._origin.locate(tuple(loc)))
        return f"scenario {self.name}"

    @property
    def swept(self) -> dict[str, Any]:
        """Return the swept parameters of a sweep variant (empty for a plain scenario)."""
        return dict(self._swept)

    @field_validator("year")
    @classmethod
    def _known_year(cls, year: int) -> int:
        years = study_years()
        if year not in years:
            msg = f"no input data for year {year}; available years: {', '.join(map(str, years))}"
            raise ValueError(msg)
        return year

    @field_validator("hydrology")
    @classmethod
    def _known_hydrology(cls, value: int | str | None) -> int | str | None:
        if isinstance(value, int) and value not in WEATHER_YEARS:
            msg = f"no weather data for {value}; use 2022, 2023, 'wet' or 'dry'"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _weather_of_an_outlook_year(self) -> Scenario:
        if self.hydrology is None and self.year not in WEATHER_YEARS:
            msg = (
                f"study year {self.year} has no observed weather: set hydrology to 2022 (or 'wet') or 2023 "
                "(or 'dry'); its profiles are scaled to the year's installed capacity"
            )
            raise ValueError(msg)
        return self

    @model_validator(mode="after")
    def _span_inside_year(self) -> Scenario:
        start = self.solve.start_date
        if start is not None and start.year != self.year:
            msg = f"solve.start_date {start} is not in the scenario year {self.year}"
            raise ValueError(msg)
        return self

    @property
    def weather_year(self) -> int:
        """Return the weather year as a number (aliases resolved)."""
        if self.hydrology is None:
            return self.year
        if isinstance(self.hydrology, str):
            return HYDROLOGY_ALIASES[self.hydrology]
        return self.hydrology

    def snapshots_span(self) -> tuple[dt.date, int]:
        """Return the first simulated day and the number of days."""
        start = self.solve.start_date or dt.date(self.year, 1, 1)
        year_end = dt.date(self.year, 12, 31)
        days_left = (year_end - start).days + 1
        days = days_left if self.solve.days is None else min(self.solve.days, days_left)
        return start, days
