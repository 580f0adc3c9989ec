"""The report's interactive figures, drawn from the numbers and captions of the static charts
(:mod:`simulator.charts`) and the runs' KPIs, so that page and charts never disagree."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simulator import CARRIERS, COUNTRIES
from simulator.charts.flows import CORRIDORS, flows_chart
from simulator.charts.gas import gas_chart
from simulator.charts.prices import price_change_chart, price_duration_chart
from simulator.charts.style import (
    OKABE_ITO,
    carrier_color,
    carrier_label,
    country_name,
    fixed_limits,
    source_line,
    styled,
    text,
)
from simulator.report.texts import say
from simulator.results.runs import Run

MAX_POINTS = 240
"""Points kept per duration curve: a full year (8,760 h) reads the same and the page stays small."""
DASHES = ("solid", "dash", "dashdot", "dot", "longdash", "longdashdot")
SYMBOLS = ("circle", "square", "triangle-up", "diamond", "triangle-down", "cross")
STACK = (*CARRIERS, "load_shedding")


@dataclass
class Figure:
    """One figure of the page: its element id, the plotly figure and the caption printed under it."""

    id: str
    figure: go.Figure
    caption: str


def run_line(i: int) -> dict[str, object]:
    """Return the ``i``-th run's line look (colour, dash, marker), as in the static charts."""
    k = i % len(DASHES)
    return {"color": OKABE_ITO[i % len(OKABE_ITO)], "dash": DASHES[k], "symbol": SYMBOLS[k]}


def thin(frame: pd.DataFrame, points: int = MAX_POINTS) -> pd.DataFrame:
    """Return at most ``points`` evenly spaced rows of a sorted curve, first and last kept."""
    if len(frame) <= points:
        return frame
    return frame.iloc[np.unique(np.linspace(0, len(frame) - 1, points).round().astype(int))]


def _base_layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01},
        height=height,
        template="simple_white",
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "h", "y": -0.12},
        hovermode="closest",
    )
    fig.update_xaxes(showgrid=True, gridcolor="#DDDDDD")
    fig.update_yaxes(showgrid=True, gridcolor="#DDDDDD")
    return fig


def price_figures(runs: list[Run], reference: Run | None, lang: str) -> list[Figure]:
    """Price duration curves per country (runs overlaid) and, with a reference, the price change bars."""
    out = []
    with_network = [r for r in runs if r.has_network]
    if with_network:
        with styled():
            chart = price_duration_chart(with_network, lang)
        table = chart.table
        low, high = fixed_limits("price", [table.price_usd_per_mwh.quantile(0.99)])
        fig = make_subplots(
            rows=2,
            cols=3,
            shared_xaxes=True,
            shared_yaxes=True,
            subplot_titles=[country_name(c, lang) for c in COUNTRIES],
            vertical_spacing=0.1,
            horizontal_spacing=0.04,
        )
        for i, run in enumerate(with_network):
            look = run_line(i)
            for k, country in enumerate(COUNTRIES):
                part = thin(table[(table.scenario == run.label) & (table.country == country)])
                fig.add_trace(
                    go.Scatter(
                        x=part.duration_pct.round(2),
                        y=part.price_usd_per_mwh.round(2),
                        mode="lines",
                        line={"color": look["color"], "dash": look["dash"], "width": 1.8},
                        name=run.label,
                        legendgroup=run.label,
                        showlegend=k == 0,
                        hovertemplate=f"{run.label} {country}<br>%{{x:.1f}} %: %{{y:.1f}} USD/MWh<extra></extra>",
                    ),
                    row=k // 3 + 1,
                    col=k % 3 + 1,
                )
        _base_layout(fig, text("prices_title", lang), 560)
        fig.update_yaxes(range=[low, high])
        fig.update_xaxes(range=[0, 100])
        fig.update_yaxes(title_text=text("price_axis", lang), col=1)
        fig.update_xaxes(title_text=text("time_share", lang), row=2)
        out.append(Figure("fig-prices", fig, chart.caption))
    others = [r for r in runs if reference is not None and r.path != reference.path]
    if reference is not None and others:
        with styled():
            chart = price_change_chart(runs, reference, lang)
        table = chart.table
        low, high = fixed_limits("price_change", table.change_usd_per_mwh)
        fig = go.Figure()
        for i, run in enumerate(others):
            part = table[table.scenario == run.label].set_index("country").reindex(list(COUNTRIES))
            fig.add_trace(
                go.Bar(
                    x=[country_name(c, lang) for c in COUNTRIES],
                    y=part.change_usd_per_mwh.round(2),
                    name=run.label,
                    marker={"color": run_line(i + 1)["color"] if i else "#777777", "line": {"color": "black"}},
                    text=[f"{v:+.1f}" for v in part.change_usd_per_mwh],
                    textposition="outside",
                    customdata=np.stack([part.reference_usd_per_mwh, part.usd_per_mwh, part.change_pct], axis=1).round(
                        2
                    ),
                    hovertemplate=(
                        f"{run.label} %{{x}}<br>%{{y:+.1f}} USD/MWh (%{{customdata[2]:+.1f}} %)"
                        f"<br>{reference.label}: %{{customdata[0]:.1f}} → %{{customdata[1]:.1f}}<extra></extra>"
                    ),
                )
            )
        _base_layout(fig, text("price_change_title", lang, reference=reference.label), 440)
        fig.update_layout(barmode="group")
        fig.update_yaxes(range=[low, high], title_text=text("price_change_axis", lang), zeroline=True)
        out.append(Figure("fig-price-change", fig, chart.caption))
    return out


def generation_figure(runs: list[Run], lang: str) -> Figure:
    """Stacked generation by carrier per country, one bar per run (from the KPIs)."""
    fig = go.Figure()
    rows = []
    for run in runs:
        gen = run.metric("generation", carrier=None)
        unserved = run.metric("unserved_energy")
        for country in COUNTRIES:
            for carrier in STACK:
                if carrier == "load_shedding":
                    value = float(unserved.get(country, 0.0))
                else:
                    value = float(gen.get((country, carrier), 0.0))
                rows.append((run.label, country, carrier, value))
    table = pd.DataFrame(rows, columns=["scenario", "country", "carrier", "gwh"])
    present = [c for c in STACK if table[table.carrier == c].gwh.abs().max() > 1e-6]
    labels = [r.label for r in runs]
    x = [[country_name(c, lang) for c in COUNTRIES for _ in labels], [lbl for _ in COUNTRIES for lbl in labels]]
    for carrier in present:
        part = table[table.carrier == carrier].set_index(["country", "scenario"]).gwh
        values = [float(part.get((c, lbl), 0.0)) for c in COUNTRIES for lbl in labels]
        fig.add_trace(
            go.Bar(
                x=x,
                y=np.round(values, 2),
                name=carrier_label(carrier, lang),
                marker={"color": carrier_color(carrier), "line": {"color": "white", "width": 0.5}},
                hovertemplate=f"{carrier_label(carrier, lang)} %{{x}}<br>%{{y:,.1f}} GWh<extra></extra>",
            )
        )
    title = say("gen_title", lang)
    _base_layout(fig, title, 520)
    fig.update_layout(barmode="stack", legend={"orientation": "v", "y": 1.0, "x": 1.01})
    fig.update_yaxes(title_text=say("gen_axis", lang))
    totals = table.groupby(["scenario", "country"]).gwh.sum()
    numbers = "; ".join(
        f"{r.label}: " + ", ".join(f"{c} {totals.get((r.label, c), 0.0):,.0f}" for c in COUNTRIES) + " GWh"
        for r in runs
    )
    caption = f"{title}. {say('gen_caption', lang)} {numbers}. {source_line(runs, lang)}"
    return Figure("fig-generation", fig, caption)


def corridor_figures(runs: list[Run], lang: str) -> list[Figure]:
    """Flow duration curves per corridor with their limits (from ``siepac chart flows``), and hours at limit."""
    out = []
    with_network = [r for r in runs if r.has_network]
    if with_network:
        with styled():
            chart = flows_chart(with_network, lang)
        table = chart.table
        flows, limits = table[table.kind == "flow"], table[table.kind != "flow"]
        present = [c for c in CORRIDORS if c in set(flows.corridor)] + sorted(set(flows.corridor) - set(CORRIDORS))
        low, high = fixed_limits("flow", flows.flow_mw)
        fig = make_subplots(
            rows=2, cols=4, shared_xaxes=True, shared_yaxes=True, subplot_titles=present, vertical_spacing=0.12
        )
        for k, corridor in enumerate(present):
            row, col = k // 4 + 1, k % 4 + 1
            shown: set[tuple[float, str]] = set()
            for i, run in enumerate(with_network):
                look = run_line(i)
                part = thin(flows[(flows.scenario == run.label) & (flows.corridor == corridor)])
                a, b = corridor.split("-")
                fig.add_trace(
                    go.Scatter(
                        x=part.duration_pct.round(2),
                        y=part.flow_mw.round(1),
                        mode="lines",
                        line={"color": look["color"], "dash": look["dash"], "width": 1.8},
                        name=run.label,
                        legendgroup=run.label,
                        showlegend=k == 0,
                        hovertemplate=f"{run.label} {corridor}<br>%{{x:.1f}} %: %{{y:+,.0f}} MW (+ = {a} → {b})<extra></extra>",
                    ),
                    row=row,
                    col=col,
                )
                for mark in limits[(limits.scenario == run.label) & (limits.corridor == corridor)].itertuples():
                    key = (round(float(mark.flow_mw), 1), str(mark.kind))
                    if key in shown:
                        continue
                    shown.add(key)
                    rating = mark.kind == "rating"
                    label = text("rating", lang) if rating else str(mark.kind).replace("_", " ")
                    fig.add_hline(
                        y=float(mark.flow_mw),
                        line={
                            "color": look["color"] if i else "#555555",
                            "dash": "dash" if rating else "dot",
                            "width": 1,
                        },
                        annotation_text=f"{label} {abs(float(mark.flow_mw)):,.0f}",
                        annotation_font_size=9,
                        annotation_position=("top " if float(mark.flow_mw) > 0 else "bottom ")
                        + ("left" if len(shown) % 2 else "right"),
                        row=row,
                        col=col,
                    )
        _base_layout(fig, text("flows_title", lang), 620)
        fig.update_yaxes(range=[low, high])
        fig.update_xaxes(range=[0, 100])
        fig.update_yaxes(title_text="MW", col=1)
        fig.update_xaxes(title_text=text("time_share", lang), row=2)
        out.append(Figure("fig-flows", fig, chart.caption))
    fig = go.Figure()
    rows = []
    for i, run in enumerate(runs):
        hours = run.metric("hours_at_limit")
        order = [c for c in CORRIDORS if c in hours.index] + sorted(set(hours.index) - set(CORRIDORS))
        rows.append((run, order, hours))
        fig.add_trace(
            go.Bar(
                x=order,
                y=[round(float(hours[c]), 1) for c in order],
                name=run.label,
                marker={"color": run_line(i)["color"] if i else "#777777", "line": {"color": "black"}},
                text=[f"{float(hours[c]):,.0f}" for c in order],
                textposition="outside",
                hovertemplate=f"{run.label} %{{x}}: %{{y:,.0f}} h<extra></extra>",
            )
        )
    title = say("limit_title", lang)
    _base_layout(fig, title, 420)
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text=say("limit_axis", lang), rangemode="tozero")
    numbers = "; ".join(
        f"{run.label}: " + ", ".join(f"{c} {float(h[c]):,.0f} h" for c in order) for run, order, h in rows
    )
    caption = f"{title}. {say('limit_caption', lang)} {numbers}. {source_line(runs, lang)}"
    out.append(Figure("fig-hours-at-limit", fig, caption))
    return out


def has_pipeline(run: Run) -> bool:
    """True if the run's KPIs have pipeline figures (a gas route was modelled)."""
    return bool((run.kpis.metric == "pipeline_throughput").any())


def gas_figure(runs: list[Run], lang: str) -> Figure | None:
    """Pipeline throughput duration curves of the runs with a pipeline (as ``siepac chart gas``), or None."""
    piped = [r for r in runs if r.has_network and has_pipeline(r)]
    if not piped:
        return None
    with styled():
        chart = gas_chart(piped, lang)
    table = chart.table
    curves, marks = table[table.kind == "throughput"], table[table.kind != "throughput"]
    fig = go.Figure()
    for i, run in enumerate(piped):
        look = run_line(i)
        mine = curves[curves.scenario == run.label]
        last = list(dict.fromkeys(mine.segment))[-1]
        part = thin(mine[mine.segment == last])
        fig.add_trace(
            go.Scatter(
                x=part.duration_pct.round(2),
                y=part.throughput_mmcfd.round(2),
                mode="lines",
                line={"color": look["color"], "dash": look["dash"], "width": 2},
                name=f"{run.label}: {last}",
                hovertemplate=f"{run.label} {last}<br>%{{x:.1f}} %: %{{y:,.1f}} MMcfd<extra></extra>",
            )
        )
        for mark in marks[marks.scenario == run.label].itertuples():
            dashed = mark.kind == "capacity"
            fig.add_hline(
                y=float(mark.throughput_mmcfd),
                line={"color": look["color"], "dash": "dash" if dashed else "dot", "width": 1},
                annotation_text=f"{text('capacity' if dashed else 'break_even', lang)} {float(mark.throughput_mmcfd):,.0f}",
                annotation_position="top right",
            )
    _base_layout(fig, text("gas_title", lang), 440)
    fig.update_xaxes(range=[0, 100], title_text=text("time_share", lang))
    fig.update_yaxes(title_text=text("throughput_axis", lang), rangemode="tozero")
    return Figure("fig-gas", fig, chart.caption)
