"""``capacity``: new capacity built by an expansion run, by country and technology, runs side by side."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator import COUNTRIES
from simulator.charts.output import Chart
from simulator.charts.style import (
    RUN_HATCHES,
    carrier_color,
    carrier_label,
    finish,
    hatch_color,
    new_figure,
    source_line,
    text,
)
from simulator.errors import DataError
from simulator.results.runs import Run

TECHNOLOGY_ORDER = (
    "solar_pv",
    "onshore_wind",
    "battery_4h",
    "ccgt_lng",
    "ocgt_lng",
    "ccgt_pipeline_gas",
    "ocgt_pipeline_gas",
)
TECHNOLOGY_COLORS = {
    "solar_pv": carrier_color("solar"),
    "onshore_wind": carrier_color("wind"),
    "battery_4h": carrier_color("battery"),
    "ccgt_lng": carrier_color("gas"),
    "ocgt_lng": "#F5C77E",
    "ccgt_pipeline_gas": "#A86B00",
    "ocgt_pipeline_gas": "#D9A441",
}
"""Fills by candidate: the carrier's colour, lighter for open cycles, darker for pipeline gas."""


def capacity_table(runs: list[Run]) -> pd.DataFrame:
    """Return ``scenario, country, technology, capacity_mw, investment_musd_per_year`` of every run
    (runs without capacity decisions give no rows)."""
    frames = []
    for run in runs:
        kpis = run.kpis
        built = kpis[kpis.metric == "capacity_new"]
        investment = kpis[kpis.metric == "investment_cost"].set_index("region").value
        frames.append(
            pd.DataFrame(
                {
                    "scenario": run.label,
                    "country": built.region.to_numpy(),
                    "technology": built.carrier.to_numpy(),
                    "capacity_mw": built.value.to_numpy(float),
                    "investment_musd_per_year": built.region.map(investment).to_numpy(float),
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def capacity_chart(runs: list[Run], lang: str = "en") -> Chart:
    """Return stacked bars of new capacity (MW) per country, one bar per run (hatched by run),
    stacked by technology; the caption gives each run's total and annualised investment."""
    table = capacity_table(runs)
    if table.empty or not (table.capacity_mw > 0).any():
        names = ", ".join(f"{r.label} ({r.path})" for r in runs)
        raise DataError(
            f"no new capacity in {names}: the capacity chart needs runs with expansion.enabled: true "
            "that built something (kpis.csv rows capacity_new)"
        )
    technologies = [t for t in TECHNOLOGY_ORDER if t in set(table.technology[table.capacity_mw > 0])]
    countries = [c for c in COUNTRIES if c in set(table.country)]
    width = 0.8 / len(runs)
    x = np.arange(len(countries))
    fig = new_figure(8.0, 4.8)
    ax = fig.subplots()
    for i, run in enumerate(runs):
        mine = table[table.scenario == run.label].pivot_table(
            index="country", columns="technology", values="capacity_mw", aggfunc="sum"
        )
        mine = mine.reindex(index=countries, columns=technologies).fillna(0.0)
        bottom = np.zeros(len(countries))
        offset = (i - (len(runs) - 1) / 2) * width
        for technology in technologies:
            fill = TECHNOLOGY_COLORS.get(technology, "#999999")
            values = mine[technology].to_numpy()
            ax.bar(
                x + offset,
                values,
                width * 0.95,
                bottom=bottom,
                color=fill,
                hatch=RUN_HATCHES[i % len(RUN_HATCHES)],
                edgecolor=hatch_color(fill),
                linewidth=0.3,
                label=carrier_label(technology, lang) if i == 0 else None,
            )
            bottom += values
        for xi, total in zip(x + offset, bottom, strict=True):
            if total > 0:
                ax.annotate(f"{total:,.0f}", (xi, total), ha="center", va="bottom", fontsize=6)
    tallest = float(table.groupby(["scenario", "country"]).capacity_mw.sum().max())
    ax.set_ylim(0, tallest * 1.3)  # room for the legend above the bars
    ax.set_xticks(x, countries)
    ax.set_ylabel(text("capacity_axis", lang))
    ax.legend(fontsize=7, loc="upper center", ncols=4)
    if len(runs) > 1:
        ax.set_xlabel(" | ".join(f"{RUN_HATCHES[i % len(RUN_HATCHES)] or '□'} {r.label}" for i, r in enumerate(runs)))
    title = text("capacity_title", lang)
    source = source_line(runs, lang)
    finish(fig, title, source)
    totals = []
    for run in runs:
        mine = table[table.scenario == run.label]
        invest = run.kpis[(run.kpis.metric == "investment_cost") & (run.kpis.region == "ALL")].value
        cost = f", {text('investment_note', lang)} {float(invest.iloc[0]):,.1f} MUSD/yr" if len(invest) else ""
        totals.append(f"{run.label}: {mine.capacity_mw.sum():,.0f} MW{cost}")
    caption = f"{title} (MW). {'; '.join(totals)}. {source}"
    return Chart("capacity", fig, caption, table)
