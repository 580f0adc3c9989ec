"""Scenario sections of their own module: the base :class:`Section` and the gas layer's keys
(route, anchor plant, pipeline, gas prices), re-exported by :mod:`simulator.scenario.schema`."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Section(BaseModel):
    """Base of every scenario section: unknown keys are rejected."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class AnchorConfig(Section):
    """A gas-fired anchor plant in Central America, the pipeline's anchor customer."""

    site: str | None = Field(
        None,
        description="Gas node of the plant (a `node` of grids/gas/nodes.csv of kind anchor_site); default the "
        "first anchor site. With route lng the plant sits at the LNG terminal.",
        examples=["GT_ESCUINTLA"],
    )
    capacity_mw: float = Field(
        0.0, ge=0, le=3000, description="Net electric capacity (MW); 0 = no anchor plant.", examples=[500.0]
    )
    technology: Literal["ccgt", "engine"] = Field("ccgt", description="Combined cycle or reciprocating engines.")
    extendable: bool = Field(
        False, description="Let the optimiser choose the capacity between the bounds, paying its annualised capex."
    )
    capacity_min_mw: float = Field(0.0, ge=0, le=3000, description="Lower bound when extendable (MW).")
    capacity_max_mw: float = Field(1500.0, ge=0, le=3000, description="Upper bound when extendable (MW).")

    @model_validator(mode="after")
    def _bounds(self) -> AnchorConfig:
        if self.capacity_min_mw > self.capacity_max_mw:
            msg = f"capacity_min_mw {self.capacity_min_mw} is above capacity_max_mw {self.capacity_max_mw}"
            raise ValueError(msg)
        return self


class GasPricesConfig(Section):
    """Gas prices by source (USD/MMBtu); unset values come from grids/fuels/prices.csv."""

    henry_hub: float | None = Field(None, gt=0, le=50, description="Henry Hub (USD/MMBtu).", examples=[3.5])
    lng: float | None = Field(
        None, gt=0, le=100, description="LNG delivered to Central America (USD/MMBtu).", examples=[10.0]
    )


class PipelineConfig(Section):
    """Overrides of the route's pipeline design."""

    capacity_mmcfd: float | None = Field(
        None, gt=0, le=2000, description="Capacity of every segment (MMcfd).", examples=[95.0]
    )
    diameter_in: float | None = Field(
        None, gt=0, le=60, description="Diameter of every segment (inch; changes capex).", examples=[20.0]
    )


class GasConfig(Section):
    """Prosperity Pipeline route and anchor plant (the gas layer)."""

    route: Literal["none", "tapachula", "chiapa_de_corzo", "chiapa_de_corzo_via_tapachula", "lng"] = Field(
        "none",
        description="Gas supply of the anchor: a pipeline route from the Mexican network, lng by ship, or none.",
    )
    price_usd_per_mmbtu: GasPricesConfig = Field(default_factory=GasPricesConfig)
    anchor: AnchorConfig = Field(default_factory=AnchorConfig)
    pipeline: PipelineConfig = Field(default_factory=PipelineConfig)


CandidateTechnology = Literal["solar_pv", "onshore_wind", "battery_4h", "ccgt", "ocgt"]
"""Expansion candidates of ``grids/expansion/technologies.csv``."""

ExpansionCountry = Literal["GT", "SV", "HN", "NI", "CR", "PA"]


class ExpansionConfig(Section):
    """Least-cost capacity expansion in a study year (candidates of grids/expansion/)."""

    enabled: bool = Field(
        False,
        description="Let the solve build candidate capacity (PV, wind, 4-hour batteries, CCGT and OCGT on LNG, "
        "and on pipeline gas where the scenario has a route), paying its annualised capital cost; only for a "
        "study year with candidate costs (2030, 2035).",
    )
    technologies: list[CandidateTechnology] = Field(
        default_factory=lambda: list(get_args(CandidateTechnology)),
        description="Candidate technologies offered (a subset of the five).",
    )
    limits_mw: dict[ExpansionCountry, dict[CandidateTechnology, float]] = Field(
        default_factory=dict,
        description="Most that may be built (MW) by country and technology, replacing the potential of "
        "grids/expansion/potentials.csv (for ccgt and ocgt: on each fuel).",
        examples=[{"GT": {"ccgt": 500.0}}],
    )
    reserve_margin: bool = Field(
        True,
        description="Require firm capacity plus an import credit to cover each country's peak load times "
        "(1 + reserve_margin_pct / 100).",
    )
    reserve_margin_pct: float | None = Field(
        None,
        ge=0,
        le=100,
        description="Planning reserve margin over the national peak (%); default grids/expansion/parameters.csv "
        "(10 %).",
        examples=[15.0],
    )
    import_credit_share: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Share of the import capacity from neighbours counted as firm at the peak; default "
        "grids/expansion/parameters.csv (0.5).",
        examples=[0.0],
    )
    discount_rate_pct: float | None = Field(
        None,
        gt=0,
        le=30,
        description="Real discount rate of the candidates' annuities (%); default grids/expansion/parameters.csv (8 %).",
        examples=[10.0],
    )

    @model_validator(mode="after")
    def _limits(self) -> ExpansionConfig:
        for country, limits in self.limits_mw.items():
            for technology, value in limits.items():
                if value < 0 or value > 20_000:
                    msg = f"limits_mw.{country}.{technology} must be between 0 and 20000 MW, found {value}"
                    raise ValueError(msg)
        if len(set(self.technologies)) != len(self.technologies):
            msg = "technologies lists a technology twice"
            raise ValueError(msg)
        return self
