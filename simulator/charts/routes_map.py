"""``routes``: the candidate pipeline routes on the map, with existing Mexican pipelines, lengths and capex."""

from __future__ import annotations

import json

import pandas as pd
from shapely.geometry import shape

from simulator.charts.basemap import draw_countries
from simulator.charts.output import Chart
from simulator.charts.style import LINE_STYLES, OKABE_ITO, finish, new_figure, text
from simulator.errors import DataError

ROUTES_EXTENT = (-96.0, -88.9, 13.4, 18.7)
NODE_MARKERS = {
    "border": ("^", "border_crossing"),
    "anchor_site": ("*", "anchor_site"),
    "lng_terminal": ("D", "lng_terminal"),
    "mx_hub": ("s", "gas_hub"),
}


def routes_chart(year: int = 2022, lang: str = "en") -> Chart:
    """Return the map of the pipeline routes of ``grids/gas`` (length and capex in the legend), the
    existing Mexican pipelines (CNH 2018), border crossings, gas hubs, the anchor site and the LNG terminal."""
    from simulator.data import load_data
    from simulator.routes import load_gas_data, route_table

    data = load_data()
    gas = load_gas_data(data.root)
    table = route_table(
        gas, data.fuel_price_usd_per_mmbtu("henry_hub", year), data.fuel_price_usd_per_mmbtu("lng", year)
    )
    fig = new_figure(9.0, 6.6)
    ax = fig.subplots()
    draw_countries(ax, ROUTES_EXTENT)
    existing = gas.root / "geo" / "cnh_2018_gas_pipelines_southeast_mexico.geojson"
    if not existing.is_file():
        raise DataError(f"existing pipelines missing: {existing}")
    for i, feature in enumerate(json.loads(existing.read_text(encoding="utf-8"))["features"]):
        geometry = shape(feature["geometry"])
        parts = getattr(geometry, "geoms", [geometry])
        for part in parts:
            xs, ys = part.xy
            ax.plot(
                xs,
                ys,
                color="#888888",
                linewidth=1.0,
                zorder=2,
                label=text("existing_pipelines", lang) if i == 0 and part is parts[0] else None,
            )
    routes = [r for r in table.index if r != "lng"]
    for i, route in enumerate(routes):
        row = table.loc[route]
        label = (
            f"{route.replace('_', ' ')}: {row.length_km:,.0f} km, USD {row.capex_musd:,.0f} M, {row.diameter_in:.0f} in"
        )
        for k, segment in enumerate(gas.route_segments(route)):
            xs, ys = gas.geometries[segment].xy
            ax.plot(
                xs,
                ys,
                color=OKABE_ITO[(i + 4) % len(OKABE_ITO)],
                linestyle=LINE_STYLES[i],
                linewidth=4.2 - 1.2 * i,
                zorder=3 + i,
                label=label if k == 0 else None,
            )
    nodes = gas.nodes.set_index("node")
    for _node, row in nodes.iterrows():
        marker, key = NODE_MARKERS.get(str(row.kind), ("o", ""))
        name = str(row["name"]).split(" (")[0]
        ax.scatter(
            [row.lon],
            [row.lat],
            marker=marker,
            s=90 if marker == "*" else 36,
            facecolor="white",
            edgecolor="black",
            linewidth=0.9,
            zorder=10,
        )
        label = text(key, lang) if key else ""
        suffix = f" ({label})" if label and label.split()[0].lower() not in name.lower() else ""
        ax.annotate(
            name + suffix,
            (row.lon, row.lat),
            xytext=(5, 4),
            textcoords="offset points",
            fontsize=6.5,
            zorder=11,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7},
        )
    ax.set_xlabel(text("lon", lang))
    ax.set_ylabel(text("lat", lang))
    ax.legend(loc="upper right", fontsize=7)
    title = text("routes_title", lang)
    source = (
        f"{text('source', lang)}: grids/gas (SENER/CENAGAS 2020 plan, 2014 MX–GT project; Chiapa de Corzo routes "
        f"estimated), CNH 2018, Natural Earth; capex at the 2020 plan's unit cost where unpublished; prices {year}"
    )
    finish(fig, title, source)
    shown = table.reset_index()[
        [
            "route",
            "length_mx_km",
            "length_gt_km",
            "length_km",
            "diameter_in",
            "capacity_mmcfd",
            "capex_musd",
            "tariff_90pct_usd_per_mmbtu",
            "delivered_usd_per_mmbtu",
        ]
    ]
    lines = "; ".join(
        f"{r.route}: {r.length_km:,.0f} km ({r.length_mx_km:,.0f} in MX, {r.length_gt_km:,.0f} in GT), "
        f"USD {r.capex_musd:,.0f} M"
        for r in shown.itertuples()
        if r.route != "lng"
    )
    caption = f"{title}. {lines}. {source}"
    return Chart("routes", fig, caption, pd.DataFrame(shown))
