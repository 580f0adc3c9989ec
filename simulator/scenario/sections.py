"""Scenario sections of their own module: the base :class:`Section` and the gas layer's keys
(route, anchor plant, pipeline, gas prices), re-exported by :mod:`simulator.scenario.schema`."""

from __future__ import annotations

from typing import Literal

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
