"""The static charts' colour maps (cividis for prices, purple-orange for changes) as plotly colour scales."""

from __future__ import annotations

from matplotlib import colormaps
from matplotlib.colors import Normalize, to_hex


def colorscale(cmap_name: str, steps: int = 11) -> list[list[float | str]]:
    """Return ``steps`` evenly spaced colours of a matplotlib colour map as a plotly colour scale."""
    cmap = colormaps[cmap_name]
    return [[i / (steps - 1), to_hex(cmap(i / (steps - 1)))] for i in range(steps)]


def shade(cmap_name: str, value: float, low: float, high: float) -> str:
    """Return the hex colour of ``value`` on ``cmap_name`` between ``low`` and ``high`` (clipped)."""
    return to_hex(colormaps[cmap_name](Normalize(low, high, clip=True)(value)))
