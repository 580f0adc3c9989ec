"""Pydantic models of a scenario file, one per section.

Every field carries its unit in its name or description, a default and bounds. Unknown
keys are errors (``extra="forbid"``) so that a typo never silently falls back to a
default.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DATA_YEARS: tuple[int, ...] = (2022, 2023)
"""Years for which ``grids/`` holds demand, fleet, fuel and weather inputs."""

HYDROLOGY_ALIASES: dict[str, int] = {"wet": 2022, "dry": 2023}
"""Named weather years: 2022 (La Niña, wet) and 2023 (El Niño drought)."""


class Section(BaseModel):
    """Base of every scenario section: unknown keys are rejected."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class GridConfig(Section):
    """Transmission switches."""

    second_circuit: bool = Field(
        False,
        description="String the second circuit on every SIEPAC segment (towers already "
        "carry it): doubles segment ratings and halves their reactance.",
    )
    border_limits: bool = Field(
        True,
        description="Apply the regional operator's border transfer limits (MW) on the sum "
        "of flows across each border; if false only the line ratings limit trade.",
    )


class MexicoConfig(Section):
    """Mexico's southern system behind the 400 kV Tapachula – Los Brillantes link."""

    enabled: bool = Field(True, description="Allow trade over the Mexico–Guatemala link.")
    link_limit_scale: float = Field(
        1.0,
        ge=0.0,
        le=10.0,
        description="Multiplier on the link's transfer limits (MW, both directions, day "
        "and night); 2.0 models a link twice as large.",
    )


class SolveConfig(Section):
    """Time span and solver."""

    start_date: dt.date | None = Field(
        None,
        description="First day simulated (inside the scenario year); default 1 January.",
        examples=["2022-03-01"],
    )
    days: int | None = Field(
        None,
        ge=1,
        le=366,
        description="Number of days simulated; default the whole year.",
        examples=[7],
    )
    voll_usd_per_mwh: float = Field(
        1500.0,
        gt=0,
        le=100_000,
        description="Value of lost load (USD/MWh): cost of the load-shedding slack at every national bus.",
    )
    solver_options: dict[str, float | int | str | bool] = Field(
        default_factory=dict,
        description="Extra HiGHS options, passed through unchanged (for example "
        "{'solver': 'ipm', 'run_crossover': 'off'}).",
    )


class Scenario(Section):
    """A complete, validated scenario."""

    name: str = Field(
        ...,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        max_length=80,
        description="Run name; also the results folder name.",
        examples=["base_2022"],
    )
    description: str = Field("", description="Free text shown in reports.")
    year: int = Field(
        ...,
        description="Demand, fleet and fuel-price year (calendar of the simulation).",
        examples=[2022],
    )
    hydrology: int | Literal["wet", "dry"] | None = Field(
        None,
        description="Weather year for hydro, wind, solar, geothermal and bagasse energy: "
        "2022, 2023, 'wet' (=2022) or 'dry' (=2023). Default: the scenario year.",
    )
    grid: GridConfig = Field(default_factory=GridConfig)
    mexico: MexicoConfig = Field(default_factory=MexicoConfig)
    solve: SolveConfig = Field(default_factory=SolveConfig)

    @field_validator("year")
    @classmethod
    def _known_year(cls, year: int) -> int:
        if year not in DATA_YEARS:
            msg = f"no input data for year {year}; available years: {', '.join(map(str, DATA_YEARS))}"
            raise ValueError(msg)
        return year

    @field_validator("hydrology")
    @classmethod
    def _known_hydrology(cls, value: int | str | None) -> int | str | None:
        if isinstance(value, int) and value not in DATA_YEARS:
            msg = f"no weather data for {value}; use 2022, 2023, 'wet' or 'dry'"
            raise ValueError(msg)
        return value

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
