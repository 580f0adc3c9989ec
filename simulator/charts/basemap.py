"""Country outlines drawn from the shipped Natural Earth file: no tiles, nothing downloaded."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import geopandas as gpd
from matplotlib.axes import Axes
from matplotlib.colors import Colormap, Normalize

from simulator.errors import DataError
from simulator.paths import grids_dir

MAP_EXTENT = (-94.2, -77.0, 7.0, 17.9)
"""lon min, lon max, lat min, lat max of the electric map (Mexico's southern system to Panama)."""
LAND = "#F2F2F2"
SEA = "#FFFFFF"


@cache
def _read_countries(path: Path) -> gpd.GeoDataFrame:
    if not path.is_file():
        raise DataError(f"country outlines missing: {path} (shipped with the repository under grids/geo/)")
    return gpd.read_file(path)


def countries() -> gpd.GeoDataFrame:
    """Return the country outlines of ``grids/geo/countries.geojson`` with an ``iso_a2`` column."""
    return _read_countries(grids_dir() / "geo" / "countries.geojson")


def draw_countries(
    ax: Axes,
    extent: tuple[float, float, float, float],
    values: dict[str, float] | None = None,
    cmap: Colormap | None = None,
    norm: Normalize | None = None,
) -> None:
    """Draw the outlines on ``ax`` within ``extent``; countries in ``values`` are shaded by ``cmap(norm(value))``."""
    shapes = countries()
    for row in shapes.itertuples():
        value = (values or {}).get(str(row.iso_a2))
        face = cmap(norm(value)) if value is not None and cmap is not None and norm is not None else LAND
        gpd.GeoSeries([row.geometry]).plot(ax=ax, facecolor=face, edgecolor="#555555", linewidth=0.6, zorder=1)
    lon0, lon1, lat0, lat1 = extent
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect(1.0 / math.cos(math.radians((lat0 + lat1) / 2)))
    ax.set_facecolor(SEA)
    ax.grid(False)
