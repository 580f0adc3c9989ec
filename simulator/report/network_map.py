"""The interactive map: country outlines shaded by price (or price change), buses, lines with
mean loading and flow direction, the gas pipeline when present; every number in the hover.

Drawn on plain x/y axes (longitude, latitude) from the shipped Natural Earth outlines: a
plotly ``geo`` map would fetch its base map from the internet, this one fetches nothing.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np
import plotly.graph_objects as go
from shapely.geometry import MultiPolygon, Polygon

from simulator import COUNTRIES
from simulator.charts.basemap import LAND, MAP_EXTENT, countries
from simulator.charts.network_map import LABEL_AT, network_map_chart
from simulator.charts.series import line_loading
from simulator.charts.style import DIVERGING_CMAP, SEQUENTIAL_CMAP, country_name, fixed_limits, styled, text
from simulator.report.colors import colorscale, shade
from simulator.report.figures import Figure
from simulator.report.texts import say
from simulator.results.runs import Run

GAS_COLOR = "#D55E00"


@cache
def _outlines() -> tuple[tuple[str, str, tuple[float | None, ...], tuple[float | None, ...]], ...]:
    """Return (iso_a2, name, xs, ys) per country: exterior rings separated by None, rounded to ~100 m."""
    out = []
    for row in countries().itertuples():
        geometry = row.geometry
        polygons = list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]
        xs: list[float | None] = []
        ys: list[float | None] = []
        for polygon in polygons:
            if not isinstance(polygon, Polygon):
                continue
            x, y = polygon.exterior.xy
            xs += [round(float(v), 3) for v in x] + [None]
            ys += [round(float(v), 3) for v in y] + [None]
        out.append((str(row.iso_a2), str(row.name), tuple(xs), tuple(ys)))
    return tuple(out)


def _load_weighted(run: Run) -> dict[str, float]:
    values = run.metric("price_load_weighted")
    return {c: float(values[c]) for c in COUNTRIES if c in values}


def map_figure(run: Run, reference: Run | None, lang: str, figure_id: str = "fig-map") -> Figure:
    """Return the map of ``run``: countries shaded by load-weighted price, or by its change against
    ``reference`` when given (same colour maps, fixed ranges and caption as ``siepac chart map``)."""
    with styled():
        caption = network_map_chart(run, reference, lang).caption
    return Figure(figure_id, _figure(run, reference, lang), caption)


def _figure(run: Run, reference: Run | None, lang: str) -> go.Figure:
    prices = _load_weighted(run)
    if reference is None:
        values = prices
        low, high = fixed_limits("map_price", values.values())
        cmap, bar = SEQUENTIAL_CMAP, text("map_price_bar", lang)
        title = text("map_title", lang)
    else:
        base = _load_weighted(reference)
        values = {c: prices[c] - base[c] for c in prices if c in base}
        low, high = fixed_limits("map_price_change", values.values())
        low, high = -max(-low, high), max(-low, high)
        cmap, bar = DIVERGING_CMAP, text("map_change_bar", lang)
        title = text("map_change_title", lang, run=run.label, reference=reference.label)
    fig = go.Figure()
    for code, name, xs, ys in _outlines():
        value = values.get(code)
        if value is not None:
            what = f"{value:+.1f}" if reference is not None else f"{value:.1f}"
            hover = f"<b>{country_name(code, lang)}</b><br>{bar}: {what}"
            if reference is not None:
                hover += f"<br>{run.label}: {prices[code]:.1f}<br>{reference.label}: {prices[code] - value:.1f}"
        else:
            hover = country_name(code, lang) if code in LABEL_AT else name
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                fill="toself",
                fillcolor=shade(cmap, value, low, high) if value is not None else LAND,
                line={"color": "#555555", "width": 0.8},
                hoveron="fills",
                text=hover,
                hoverinfo="text",
                name=code,
                showlegend=False,
            )
        )
    n = run.network
    _add_pipeline(fig, run, lang)
    _add_lines(fig, run, lang)
    buses = n.buses[n.buses.carrier == "AC"]
    weights = n.snapshot_weightings.generators
    mean_price = n.buses_t.marginal_price[buses.index].mul(weights, axis=0).sum() / weights.sum()
    hub = buses.national_hub.astype(bool)
    fig.add_trace(
        go.Scatter(
            x=buses.x.round(3),
            y=buses.y.round(3),
            mode="markers",
            marker={
                "size": np.where(hub, 11, 6).tolist(),
                "color": "white",
                "line": {"color": "black", "width": 1.2},
            },
            text=[
                f"<b>{name}</b> ({row.country}{', ' + say('hub', lang) if is_hub else ''})<br>"
                + say("map_hover_price", lang, price=float(mean_price[name]))
                for (name, row), is_hub in zip(buses.iterrows(), hub, strict=True)
            ],
            hoverinfo="text",
            name=say("buses_legend", lang),
            showlegend=False,
        )
    )
    codes = [c for c in LABEL_AT if c in values]
    mx_price = run.metric("price_mean").get("MX")
    fig.add_trace(
        go.Scatter(
            x=[LABEL_AT[c][0] for c in codes],
            y=[LABEL_AT[c][1] for c in codes],
            mode="markers+text",
            text=[
                f"<b>{c}</b> {values[c]:+.1f}" if reference is not None else f"<b>{c}</b> {values[c]:.1f}"
                for c in codes
            ],
            textposition="middle center",
            textfont={"size": 11, "color": "black"},
            marker={
                "size": 1,
                "color": [values[c] for c in codes],
                "colorscale": colorscale(cmap),
                "cmin": low,
                "cmax": high,
                "showscale": True,
                "colorbar": {"title": {"text": bar, "side": "right"}, "thickness": 12, "len": 0.8},
            },
            hoverinfo="skip",
            showlegend=False,
        )
    )
    if mx_price is not None:
        mean = "mean" if lang == "en" else "media"
        fig.add_annotation(
            x=LABEL_AT["MX"][0],
            y=LABEL_AT["MX"][1],
            text=f"<b>MX</b> {float(mx_price):.1f} ({mean})",
            showarrow=False,
            bgcolor="rgba(255,255,255,0.85)",
            bordercolor="#333333",
            borderwidth=0.5,
            font={"size": 11},
        )
    lon0, lon1, lat0, lat1 = MAP_EXTENT
    fig.update_layout(
        title={"text": title, "x": 0.01},
        height=620,
        margin={"l": 50, "r": 10, "t": 50, "b": 40},
        plot_bgcolor="white",
        hovermode="closest",
        dragmode="pan",
        annotations=[
            *fig.layout.annotations,
            {
                "xref": "paper",
                "yref": "paper",
                "x": 0.0,
                "y": 0.0,
                "xanchor": "left",
                "yanchor": "bottom",
                "text": text("map_lines", lang),
                "showarrow": False,
                "font": {"size": 10},
                "bgcolor": "rgba(255,255,255,0.9)",
                "bordercolor": "#999999",
                "borderwidth": 0.5,
            },
        ],
    )
    fig.update_xaxes(range=[lon0, lon1], title=text("lon", lang), showgrid=False, zeroline=False)
    fig.update_yaxes(
        range=[lat0, lat1],
        title=text("lat", lang),
        showgrid=False,
        zeroline=False,
        scaleanchor="x",
        scaleratio=1.0 / math.cos(math.radians((lat0 + lat1) / 2)),
    )
    return fig


def _add_lines(fig: go.Figure, run: Run, lang: str) -> None:
    """Every line: width = mean loading, an arrow in the mean flow direction, the loading written beside it."""
    n = run.network
    loading = line_loading(n)
    x, y = n.buses.x, n.buses.y
    hover_x: list[float] = []
    hover_y: list[float] = []
    hover: list[str] = []
    arrows: list[dict[str, Any]] = []
    for line, row in loading.iterrows():
        bus0, bus1 = n.lines.bus0[line], n.lines.bus1[line]
        xs, ys = [float(x[bus0]), float(x[bus1])], [float(y[bus0]), float(y[bus1])]
        pct = float(row.loading_pct) if np.isfinite(row.loading_pct) else 0.0
        fig.add_trace(
            go.Scatter(
                x=[round(v, 3) for v in xs],
                y=[round(v, 3) for v in ys],
                mode="lines",
                line={"color": "black", "width": 1.2 + 4.8 * min(pct, 100.0) / 100.0},
                hoverinfo="skip",
                showlegend=False,
            )
        )
        mx, my = (xs[0] + xs[1]) / 2, (ys[0] + ys[1]) / 2
        forward = row.mean_flow_mw >= 0
        a, b = (bus0, bus1) if forward else (bus1, bus0)
        hover_x.append(round(mx, 3))
        hover_y.append(round(my, 3))
        hover.append(
            f"<b>{line}</b><br>"
            + say("map_hover_flow", lang, flow=abs(float(row.mean_flow_mw)), a=a, b=b)
            + "<br>"
            + say("map_hover_loading", lang, pct=pct, limit=float(row.limit_mw))
        )
        if row.mean_abs_flow_mw < 1.0:
            continue
        sign = 1.0 if forward else -1.0
        dx, dy = sign * (xs[1] - xs[0]), sign * (ys[1] - ys[0])
        length = float(np.hypot(dx, dy)) or 1.0
        ux, uy = dx / length, dy / length
        arrows.append(
            {
                "x": round(mx + 0.12 * ux, 3),
                "y": round(my + 0.12 * uy, 3),
                "ax": round(mx - 0.12 * ux, 3),
                "ay": round(my - 0.12 * uy, 3),
                "xref": "x",
                "yref": "y",
                "axref": "x",
                "ayref": "y",
                "showarrow": True,
                "arrowhead": 2,
                "arrowsize": 1.2,
                "arrowwidth": 1.4,
                "arrowcolor": "black",
                "text": "",
            }
        )
        arrows.append(
            {
                "x": round(mx, 3),
                "y": round(my, 3),
                "xref": "x",
                "yref": "y",
                "text": f"{pct:.0f} %",
                "showarrow": False,
                "xshift": 12 * -uy,
                "yshift": 12 * ux,
                "font": {"size": 9},
                "bgcolor": "rgba(255,255,255,0.8)",
            }
        )
    fig.add_trace(
        go.Scatter(
            x=hover_x,
            y=hover_y,
            mode="markers",
            marker={"size": 9, "color": "rgba(0,0,0,0)"},
            text=hover,
            hoverinfo="text",
            name=say("lines_legend", lang),
            showlegend=False,
        )
    )
    for arrow in arrows:
        fig.add_annotation(**arrow)


def _add_pipeline(fig: go.Figure, run: Run, lang: str) -> None:
    """The gas pipeline segments (dashed), with the mean throughput of each in the hover."""
    n = run.network
    if not len(n.links):
        return
    pipes = n.links[n.links.carrier == "gas pipeline"]
    if pipes.empty:
        return
    throughput = run.kpis[(run.kpis.metric == "pipeline_throughput") & (run.kpis.carrier == "mean")]
    mean = dict(zip(throughput.region, throughput.value.astype(float), strict=True))
    for name, link in pipes.iterrows():
        segment = str(name).removeprefix("pipeline ")
        xs = [round(float(n.buses.x[link.bus0]), 3), round(float(n.buses.x[link.bus1]), 3)]
        ys = [round(float(n.buses.y[link.bus0]), 3), round(float(n.buses.y[link.bus1]), 3)]
        hover = f"<b>{say('pipeline', lang)} {segment}</b>"
        if segment in mean:
            hover += "<br>" + say("mean_throughput", lang, value=mean[segment])
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines+markers",
                line={"color": GAS_COLOR, "width": 2.5, "dash": "dash"},
                marker={"size": 5, "color": GAS_COLOR, "symbol": "diamond"},
                text=[hover, hover],
                hoverinfo="text",
                showlegend=False,
            )
        )
