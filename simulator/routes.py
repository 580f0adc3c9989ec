"""Pipeline routes: geodesic lengths, length by country, capacity, capex and tariff.

Inputs are ``grids/gas/`` (nodes, segments, routes, segment geometries, parameters) and
the country outlines of ``grids/geo/countries.geojson``. All lengths are geodesic on the
WGS84 ellipsoid (``pyproj.Geod``), never planar degrees.

Conventions
-----------
- A segment's modelled length is its published length where one exists; otherwise the
  geodesic length of its waypoint chain times its routing factor (terrain makes real
  routes longer than a chain of straight legs). Both are reported: ``length_km`` (modelled,
  with ``length_basis`` ``published`` or ``geometry``) and ``geometry_length_km`` (the drawn
  waypoint chain times the routing factor), so a published length that the drawn line does
  not reproduce is visible (Ixtepec–Tapachula: 355 km published, 368 km drawn).
- Length by country: the share of the waypoint chain inside each country's outline,
  applied to the modelled length.
- Capacity: MMcfd to MW of gas (HHV) with the heat content of ``parameters.csv``.
- Capex: published where given; otherwise ``unit_capex_musd_per_inch_km`` x diameter x
  length, plus the highland premium on segments with a routing factor of 1.2 or more.
- Annual cost: capex x capital recovery factor (discount rate, lifetime) + O&M.
- Tariff (USD/MMBtu) at a utilisation u: annual cost / (capacity x u x 8,760 h).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import pandas as pd
from pyproj import Geod
from shapely.geometry import LineString, MultiLineString, shape
from shapely.geometry.base import BaseGeometry

from simulator.errors import DataError
from simulator.paths import grids_dir
from simulator.tables import read_geojson, read_table
from simulator.units import mmcfd_to_mw

GEOD = Geod(ellps="WGS84")
HIGHLAND_ROUTING_FACTOR = 1.2
"""Segments whose routing factor is at least this are highland segments (capex premium)."""
ROUTES = ("tapachula", "chiapa_de_corzo", "chiapa_de_corzo_via_tapachula")
"""Pipeline routes of ``grids/gas/routes.csv``; ``lng`` has no pipeline."""


def geodesic_length_km(geometry: BaseGeometry) -> float:
    """Return the geodesic length (km) of a LineString or MultiLineString in lon/lat degrees."""
    return float(GEOD.geometry_length(geometry)) / 1000.0


def capital_recovery_factor(rate_pct: float, years: float) -> float:
    """Return the annuity factor that spreads a capital cost over ``years`` at ``rate_pct``."""
    r = rate_pct / 100.0
    return 1.0 / years if r == 0 else r * (1 + r) ** years / ((1 + r) ** years - 1)


def _read(root: Path, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    return read_table(f"gas/{name}", root, columns)


@dataclass(frozen=True)
class GasData:
    """The tables of ``grids/gas/`` and the country outlines."""

    root: Path
    nodes: pd.DataFrame
    segments: pd.DataFrame
    routes: pd.DataFrame
    parameters: pd.DataFrame
    geometries: dict[str, LineString]
    countries: gpd.GeoDataFrame

    def parameter(self, name: str) -> float:
        """Return a value of ``grids/gas/parameters.csv``."""
        hit = self.parameters[self.parameters.parameter == name]
        if hit.empty:
            msg = f"{self.root / 'gas/parameters.csv'}: no row for parameter `{name}`"
            raise DataError(msg)
        return float(hit.value.iloc[0])

    def route_segments(self, route: str) -> list[str]:
        """Return the segments of a route, in order from the Mexican hub to the anchor site."""
        rows = self.routes[self.routes.route == route].sort_values("order")
        if rows.empty:
            msg = f"{self.root / 'gas/routes.csv'}: unknown route `{route}`; known: {', '.join(sorted(set(self.routes.route)))}"
            raise DataError(msg)
        return list(rows.segment)

    def node_of_kind(self, kind: str) -> str:
        """Return the (first) node of a kind, e.g. ``anchor_site`` or ``lng_terminal``."""
        hit = self.nodes[self.nodes.kind == kind]
        if hit.empty:
            msg = f"{self.root / 'gas/nodes.csv'}: no node of kind `{kind}`"
            raise DataError(msg)
        return str(hit.node.iloc[0])

    @cached_property
    def segment_table(self) -> pd.DataFrame:
        """Return every segment with lengths (total and by country), capacity, capex and annual cost."""
        return segment_economics(self)


def load_gas_data(root: Path | None = None) -> GasData:
    """Read and check ``grids/gas/`` and the country outlines."""
    root = root or grids_dir()
    nodes = _read(root, "nodes.csv", ("node", "name", "country", "lat", "lon", "kind"))
    segments = _read(
        root, "segments.csv", ("segment", "from_node", "to_node", "diameter_in", "capacity_mmcfd", "routing_factor")
    )
    routes = _read(root, "routes.csv", ("route", "order", "segment"))
    parameters = _read(root, "parameters.csv", ("parameter", "value", "unit"))
    geojson = root / "gas" / "segments.geojson"
    features = read_geojson("gas/segments.geojson", root, ("segment",))
    try:
        geometries = {str(f["properties"]["segment"]): shape(f["geometry"]) for f in features}
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        msg = f"{geojson}: a segment geometry is not a valid GeoJSON line ({exc})"
        raise DataError(msg) from None
    missing = sorted(set(segments.segment) - set(geometries))
    if missing:
        msg = f"{geojson}: no geometry for segment(s) {', '.join(missing)}"
        raise DataError(msg)
    unknown = sorted(set(routes.segment) - set(segments.segment))
    if unknown:
        msg = f"{root / 'gas/routes.csv'}: unknown segment(s) {', '.join(unknown)}"
        raise DataError(msg)
    read_geojson("geo/countries.geojson", root)  # present and readable before geopandas parses it
    countries = gpd.read_file(root / "geo" / "countries.geojson")
    return GasData(root, nodes, segments, routes, parameters, geometries, countries)


def _iso2(countries: gpd.GeoDataFrame) -> pd.Series:
    for column in ("ISO_A2", "iso_a2", "ISO_A2_EH", "iso2"):
        if column in countries.columns:
            return countries[column].astype(str)
    msg = "country outlines have no ISO alpha-2 column"
    raise DataError(msg)


def length_by_country_km(geometry: BaseGeometry, countries: gpd.GeoDataFrame) -> dict[str, float]:
    """Return the geodesic length (km) of a line inside each country's outline."""
    out: dict[str, float] = {}
    for iso, polygon in zip(_iso2(countries), countries.geometry, strict=True):
        part = geometry.intersection(polygon)
        if part.is_empty:
            continue
        lines = [g for g in getattr(part, "geoms", [part]) if isinstance(g, LineString | MultiLineString)]
        km = sum(geodesic_length_km(g) for g in lines)
        if km > 0:
            out[iso] = out.get(iso, 0.0) + km
    return out


def segment_economics(gas: GasData) -> pd.DataFrame:
    """Return one row per segment: chain and modelled length, length in MX and GT, capacity,
    capex (published or derived) and annual cost."""
    hhv = gas.parameter("gas_hhv_mmbtu_per_mcf")
    unit_capex = gas.parameter("unit_capex_musd_per_inch_km")
    premium = gas.parameter("terrain_premium_highlands_pct") / 100.0
    crf = capital_recovery_factor(gas.parameter("discount_rate_pct"), gas.parameter("lifetime_years"))
    opex = gas.parameter("opex_pct_of_capex_per_year") / 100.0
    rows = []
    for seg in gas.segments.itertuples():
        geometry = gas.geometries[seg.segment]
        chain = geodesic_length_km(geometry)
        published = float(seg.published_length_km) if pd.notna(seg.published_length_km) else None
        drawn = chain * float(seg.routing_factor)
        length = published if published is not None else drawn
        by_country = length_by_country_km(geometry, gas.countries)
        inside = sum(by_country.values()) or chain
        share = {c: km / inside for c, km in by_country.items()}
        highland = float(seg.routing_factor) >= HIGHLAND_ROUTING_FACTOR
        if pd.notna(seg.published_capex_musd):
            capex, capex_basis = float(seg.published_capex_musd), "published"
        else:
            capex = unit_capex * float(seg.diameter_in) * length * (1 + premium * highland)
            capex_basis = "unit cost" + (" + highland premium" if highland else "")
        rows.append(
            {
                "segment": seg.segment,
                "from_node": seg.from_node,
                "to_node": seg.to_node,
                "chain_km": chain,
                "routing_factor": float(seg.routing_factor),
                "length_km": length,
                "length_basis": "published" if published is not None else "geometry",
                "geometry_length_km": drawn,
                "length_mx_km": length * share.get("MX", 0.0),
                "length_gt_km": length * share.get("GT", 0.0),
                "diameter_in": float(seg.diameter_in),
                "capacity_mmcfd": float(seg.capacity_mmcfd),
                "capacity_mw": mmcfd_to_mw(float(seg.capacity_mmcfd), hhv),
                "capex_musd": capex,
                "capex_basis": capex_basis,
                "annual_cost_musd": capex * (crf + opex),
            }
        )
    return pd.DataFrame(rows).set_index("segment")


CAPACITY_DIAMETER_EXPONENT = 2.5
"""Pipeline capacity grows with diameter to the power 2.5 at equal pressures and length
(Weymouth-type flow equations). Calibrated check: 145 MMcfd at 24 in gives 92 MMcfd at
20 in, against the 95 MMcfd the Prosperidad revision publishes for 20 in."""


def resize_segments(
    gas: GasData, segments: pd.DataFrame, diameter_in: float | None = None, capacity_mmcfd: float | None = None
) -> pd.DataFrame:
    """Return segments with a new diameter and/or capacity: capacity scales with diameter^2.5,
    capex linearly with diameter (the unit-cost model), unless a capacity is given outright."""
    out = segments.copy()
    hhv = gas.parameter("gas_hhv_mmbtu_per_mcf")
    crf = capital_recovery_factor(gas.parameter("discount_rate_pct"), gas.parameter("lifetime_years"))
    opex = gas.parameter("opex_pct_of_capex_per_year") / 100.0
    if diameter_in is not None:
        ratio = diameter_in / out.diameter_in
        out["capacity_mmcfd"] = out.capacity_mmcfd * ratio**CAPACITY_DIAMETER_EXPONENT
        out["capex_musd"] = out.capex_musd * ratio
        out["diameter_in"] = diameter_in
    if capacity_mmcfd is not None:
        out["capacity_mmcfd"] = capacity_mmcfd
    out["capacity_mw"] = [mmcfd_to_mw(c, hhv) for c in out.capacity_mmcfd]
    out["annual_cost_musd"] = out.capex_musd * (crf + opex)
    return out


def tariff_usd_per_mmbtu(annual_cost_musd: float, capacity_mmcfd: float, utilisation: float, hhv: float) -> float:
    """Return the tariff that recovers ``annual_cost_musd`` at a utilisation of the capacity."""
    mmbtu_per_year = capacity_mmcfd * 1000.0 * hhv * 365.0 * utilisation
    return annual_cost_musd * 1e6 / mmbtu_per_year if mmbtu_per_year > 0 else float("inf")


def mexican_gas_price_usd_per_mmbtu(gas: GasData, henry_hub_usd_per_mmbtu: float) -> float:
    """Return the price of gas entering a route at its Mexican hub: Henry Hub + basis + Mexican transport."""
    return (
        henry_hub_usd_per_mmbtu
        + gas.parameter("henry_hub_basis_usd_per_mmbtu")
        + gas.parameter("mexican_transport_tariff_usd_per_mmbtu")
    )


def break_even_utilisation(
    annual_cost_musd: float, capacity_mmcfd: float, margin_usd_per_mmbtu: float, hhv: float
) -> float:
    """Return the utilisation (share of capacity) at which the tariff equals ``margin_usd_per_mmbtu``
    (e.g. LNG minus pipeline gas); infinite when there is no margin."""
    if margin_usd_per_mmbtu <= 0:
        return float("inf")
    return tariff_usd_per_mmbtu(annual_cost_musd, capacity_mmcfd, 1.0, hhv) / margin_usd_per_mmbtu


def route_table(gas: GasData, henry_hub_usd_per_mmbtu: float, lng_usd_per_mmbtu: float) -> pd.DataFrame:
    """Compare the routes: lengths by country, capacity, capex, tariffs and delivered gas cost.

    The delivered cost at the anchor = Henry Hub + basis + Mexican transport + the route's
    tariff at 90 % utilisation; for ``lng`` it is the LNG price (ship, FSRU and regas included).
    """
    hhv = gas.parameter("gas_hhv_mmbtu_per_mcf")
    commodity = mexican_gas_price_usd_per_mmbtu(gas, henry_hub_usd_per_mmbtu)
    segments = gas.segment_table
    rows = []
    for route in ROUTES:
        if route not in set(gas.routes.route):
            continue
        chain = segments.loc[gas.route_segments(route)]
        capacity = float(chain.capacity_mmcfd.min())  # the narrowest segment limits the route
        annual = float(chain.annual_cost_musd.sum())
        t50, t90 = (tariff_usd_per_mmbtu(annual, capacity, u, hhv) for u in (0.5, 0.9))
        rows.append(
            {
                "route": route,
                "segments": " > ".join(chain.index),
                "length_mx_km": chain.length_mx_km.sum(),
                "length_gt_km": chain.length_gt_km.sum(),
                "length_km": chain.length_km.sum(),
                "geometry_length_km": chain.geometry_length_km.sum(),
                "published_share_pct": 100.0
                * chain.length_km[chain.length_basis == "published"].sum()
                / chain.length_km.sum(),
                "diameter_in": float(chain.diameter_in.min()),
                "capacity_mmcfd": capacity,
                "capacity_mw": mmcfd_to_mw(capacity, hhv),
                "capex_musd": chain.capex_musd.sum(),
                "annual_cost_musd": annual,
                "tariff_50pct_usd_per_mmbtu": t50,
                "tariff_90pct_usd_per_mmbtu": t90,
                "delivered_usd_per_mmbtu": commodity + t90,
            }
        )
    rows.append(
        {
            "route": "lng",
            "segments": "ship to FSRU",
            "length_mx_km": 0.0,
            "length_gt_km": 0.0,
            "length_km": 0.0,
            "geometry_length_km": 0.0,
            "published_share_pct": float("nan"),
            "diameter_in": 0.0,
            "capacity_mmcfd": float("nan"),
            "capacity_mw": float("nan"),
            "capex_musd": 0.0,
            "annual_cost_musd": 0.0,
            "tariff_50pct_usd_per_mmbtu": 0.0,
            "tariff_90pct_usd_per_mmbtu": 0.0,
            "delivered_usd_per_mmbtu": lng_usd_per_mmbtu,
        }
    )
    return pd.DataFrame(rows).set_index("route")


def routes_geojson(gas: GasData) -> dict[str, object]:
    """Return the route segments as a GeoJSON FeatureCollection with their economics (for QGIS)."""
    table = gas.segment_table
    features = []
    for route in ROUTES:
        if route not in set(gas.routes.route):
            continue
        for segment in gas.route_segments(route):
            row = table.loc[segment]
            properties = {
                "route": route,
                "segment": segment,
                **{k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()},
            }
            features.append(
                {"type": "Feature", "properties": properties, "geometry": gas.geometries[segment].__geo_interface__}
            )
    return {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": features,
    }
