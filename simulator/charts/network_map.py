"""``map``: the network on the country outlines, countries shaded by price (or price change), mean flows."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize

from simulator import COUNTRIES
from simulator.charts.basemap import MAP_EXTENT, draw_countries
from simulator.charts.output import Chart
from simulator.charts.series import line_loading
from simulator.charts.style import DIVERGING_CMAP, SEQUENTIAL_CMAP, finish, fixed_limits, new_figure, source_line, text
from simulator.results.runs import Run

LABEL_AT: dict[str, tuple[float, float]] = {
    "GT": (-91.3, 16.2),
    "SV": (-89.3, 13.05),
    "HN": (-86.5, 14.75),
    "NI": (-85.1, 13.1),
    "CR": (-84.9, 9.45),
    "PA": (-80.2, 8.75),
    "MX": (-93.55, 15.3),
}
"""Where each country's label goes (lon, lat), clear of the lines."""


def _prices(run: Run) -> dict[str, float]:
    values = run.metric("price_load_weighted")
    return {c: float(values[c]) for c in COUNTRIES if c in values}


def network_map_chart(run: Run, reference: Run | None = None, lang: str = "en") -> Chart:
    """Return the map of ``run``: countries shaded by load-weighted price, or by its change against
    ``reference`` when given; every line with its mean loading and mean flow direction."""
    prices = _prices(run)
    if reference is None:
        shade = prices
        low, high = fixed_limits("map_price", shade.values())
        cmap, bar_label, title = colormaps[SEQUENTIAL_CMAP], text("map_price_bar", lang), text("map_title", lang)
        name = f"map-{run.path.name}"
    else:
        base = _prices(reference)
        shade = {c: prices[c] - base[c] for c in prices if c in base}
        low, high = fixed_limits("map_price_change", shade.values())
        low, high = -max(-low, high), max(-low, high)
        cmap, bar_label = colormaps[DIVERGING_CMAP], text("map_change_bar", lang)
        title = text("map_change_title", lang, run=run.label, reference=reference.label)
        name = f"map-{run.path.name}-vs-{reference.path.name}"
    norm = Normalize(low, high)
    fig = new_figure(9.0, 6.4)
    ax = fig.subplots()
    draw_countries(ax, MAP_EXTENT, shade, cmap, norm)
    n = run.network
    loading = line_loading(n)
    x, y = n.buses.x, n.buses.y
    for line, row in loading.iterrows():
        bus0, bus1 = n.lines.bus0[line], n.lines.bus1[line]
        xs, ys = [x[bus0], x[bus1]], [y[bus0], y[bus1]]
        pct = float(row.loading_pct) if np.isfinite(row.loading_pct) else 0.0
        ax.plot(xs, ys, color="black", linewidth=0.8 + 3.2 * min(pct, 100.0) / 100.0, solid_capstyle="round", zorder=3)
        if row.mean_abs_flow_mw < 1.0:
            continue
        sign = 1.0 if row.mean_flow_mw >= 0 else -1.0
        mx, my = (xs[0] + xs[1]) / 2, (ys[0] + ys[1]) / 2
        dx, dy = sign * (xs[1] - xs[0]), sign * (ys[1] - ys[0])
        length = float(np.hypot(dx, dy)) or 1.0
        ax.annotate(
            "",
            xy=(mx + 0.12 * dx / length, my + 0.12 * dy / length),
            xytext=(mx - 0.12 * dx / length, my - 0.12 * dy / length),
            arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.0, "mutation_scale": 11},
            zorder=4,
        )
        ax.annotate(
            f"{pct:.0f} %",
            (mx, my),
            xytext=(6 * -dy / length, 6 * dx / length),
            textcoords="offset points",
            fontsize=6.5,
            ha="center",
            va="center",
            zorder=5,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
        )
    hubs = n.buses[n.buses.carrier == "AC"]
    ax.scatter(
        hubs.x,
        hubs.y,
        s=np.where(hubs.national_hub.astype(bool), 36, 12),
        marker="o",
        facecolor="white",
        edgecolor="black",
        linewidth=0.8,
        zorder=6,
    )
    mx_price = run.metric("price_mean").get("MX")
    for code, (lon, lat) in LABEL_AT.items():
        if code in shade:
            label = f"{code}\n{shade[code]:+.1f}" if reference is not None else f"{code}\n{shade[code]:.1f}"
        elif code == "MX" and mx_price is not None:
            label = f"MX\n{float(mx_price):.1f} ({'mean' if lang == 'en' else 'media'})"
        else:
            continue
        ax.text(
            lon,
            lat,
            label,
            ha="center",
            va="center",
            fontsize=8,
            fontweight="bold",
            zorder=7,
            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "#333333", "lw": 0.5, "alpha": 0.9},
        )
    ax.set_xlabel(text("lon", lang))
    ax.set_ylabel(text("lat", lang))
    fig.colorbar(
        ScalarMappable(norm=norm, cmap=cmap),
        ax=ax,
        orientation="horizontal",
        shrink=0.6,
        pad=0.02,
        aspect=40,
        label=bar_label,
    )
    ax.text(
        0.01,
        0.01,
        text("map_lines", lang),
        transform=ax.transAxes,
        fontsize=6.5,
        ha="left",
        va="bottom",
        wrap=True,
        bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "#999999", "lw": 0.5},
    )
    runs = [run] if reference is None else [reference, run]
    source = source_line(runs, lang, "Natural Earth")
    finish(fig, title, source)
    table = pd.concat(
        [
            pd.DataFrame({"kind": "country", "name": list(shade), "value": list(shade.values()), "unit": "USD/MWh"}),
            pd.DataFrame({"kind": "line_loading", "name": loading.index, "value": loading.loading_pct, "unit": "%"}),
            pd.DataFrame(
                {
                    "kind": "line_mean_flow",
                    "name": loading.index,
                    "value": loading.mean_flow_mw,
                    "unit": "MW (+ = bus0 to bus1)",
                }
            ),
        ],
        ignore_index=True,
    )
    what = text("map_change_bar", lang) if reference is not None else text("map_price_bar", lang)
    values = ", ".join(f"{c} {v:+.1f}" if reference is not None else f"{c} {v:.1f}" for c, v in shade.items())
    busiest = loading.loading_pct.sort_values(ascending=False).head(3)
    lines = ", ".join(f"{k} {v:.0f} %" for k, v in busiest.items())
    highest = "Highest mean loadings" if lang == "en" else "Mayores cargas medias"
    caption = f"{title}. {what}: {values}. {highest}: {lines}. {source}"
    return Chart(name, fig, caption, table)
