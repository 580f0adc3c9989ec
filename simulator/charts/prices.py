"""``prices``: price duration curves per country (runs overlaid) and the price change bar chart."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator import COUNTRIES
from simulator.charts.output import Chart
from simulator.charts.series import duration_curve, hub_prices
from simulator.charts.style import (
    RUN_HATCHES,
    country_name,
    finish,
    fixed_limits,
    new_figure,
    run_style,
    source_line,
    text,
)
from simulator.results.runs import Run


def price_duration_chart(runs: list[Run], lang: str = "en") -> Chart:
    """Return the price duration curves at each country's hub, one panel per country, runs overlaid."""
    frames = []
    for run in runs:
        n = run.network
        prices = hub_prices(n)
        for country in COUNTRIES:
            if country in prices:
                curve = duration_curve(prices[country], n.snapshot_weightings.generators)
                frames.append(curve.assign(scenario=run.label, country=country))
    table = pd.concat(frames, ignore_index=True)[["scenario", "country", "duration_pct", "value"]]
    table = table.rename(columns={"value": "price_usd_per_mwh"})
    low, high = fixed_limits("price", [table.price_usd_per_mwh.quantile(0.99)])
    fig = new_figure(9.0, 5.6)
    axes = fig.subplots(2, 3, sharex=True, sharey=True)
    for ax, country in zip(axes.ravel(), COUNTRIES, strict=True):
        for i, run in enumerate(runs):
            part = table[(table.scenario == run.label) & (table.country == country)]
            style = run_style(i)
            step = max(1, len(part) // 8)
            ax.plot(
                part.duration_pct,
                part.price_usd_per_mwh.clip(upper=high),
                label=run.label,
                linewidth=1.3,
                markevery=((i * step) // max(1, len(runs)), step),
                **style,
            )
            above = _hours_above(run, country, high)
            if above > 0:
                ax.annotate(
                    text("above_axis", lang, hours=above, limit=high),
                    (98, high),
                    ha="right",
                    va="top",
                    fontsize=6.5,
                    xytext=(0, -10 - 9 * i),
                    textcoords="offset points",
                    color=style["color"],
                )
        ax.set_title(country_name(country, lang))
        ax.set_xlim(0, 100)
        ax.set_ylim(low, high)
    for ax in axes[:, 0]:
        ax.set_ylabel(text("price_axis", lang))
    for ax in axes[-1, :]:
        ax.set_xlabel(text("time_share", lang))
    axes[0, 0].legend(loc="lower left")
    title = text("prices_title", lang)
    finish(fig, title, source_line(runs, lang))
    caption = (
        f"{title}. "
        + (
            "Hourly price at each country's national hub, sorted from highest to lowest; "
            if lang == "en"
            else "Precio horario en el nodo nacional de cada país, ordenado de mayor a menor; "
        )
        + ", ".join(
            f"{run.label}: "
            + "; ".join(
                f"{c} {table[(table.scenario == run.label) & (table.country == c)].price_usd_per_mwh.mean():.1f}"
                for c in COUNTRIES
            )
            for run in runs
        )
        + (" USD/MWh (time-weighted mean). " if lang == "en" else " USD/MWh (media en el tiempo). ")
        + source_line(runs, lang)
    )
    return Chart("prices", fig, caption, table)


def _hours_above(run: Run, country: str, limit: float) -> float:
    n = run.network
    prices = hub_prices(n)[country]
    return float(n.snapshot_weightings.generators[prices > limit].sum())


def price_change_chart(runs: list[Run], reference: Run, lang: str = "en") -> Chart:
    """Return bars of the change in load-weighted price per country against ``reference`` (KPIs)."""
    base = reference.metric("price_load_weighted")
    rows = []
    others = [r for r in runs if r is not reference and r.path != reference.path]
    for run in others:
        values = run.metric("price_load_weighted")
        for country in COUNTRIES:
            if country in values and country in base:
                change = float(values[country] - base[country])
                rows.append(
                    (
                        run.label,
                        reference.label,
                        country,
                        float(base[country]),
                        float(values[country]),
                        change,
                        100.0 * change / float(base[country]),
                    )
                )
    table = pd.DataFrame(
        rows,
        columns=[
            "scenario",
            "reference",
            "country",
            "reference_usd_per_mwh",
            "usd_per_mwh",
            "change_usd_per_mwh",
            "change_pct",
        ],
    )
    low, high = fixed_limits("price_change", table.change_usd_per_mwh)
    fig = new_figure(8.0, 4.6)
    ax = fig.subplots()
    x = np.arange(len(COUNTRIES))
    width = 0.8 / max(1, len(others))
    for i, run in enumerate(others):
        part = table[table.scenario == run.label].set_index("country").reindex(list(COUNTRIES))
        style = run_style(i)
        bars = ax.bar(
            x - 0.4 + width * (i + 0.5),
            part.change_usd_per_mwh,
            width,
            label=run.label,
            color=style["color"] if i else "#777777",
            edgecolor="black",
            linewidth=0.6,
            hatch=RUN_HATCHES[i % len(RUN_HATCHES)],
        )
        ax.bar_label(bars, fmt="%+.1f", fontsize=7, padding=2)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, [country_name(c, lang) for c in COUNTRIES])
    ax.set_ylim(low, high)
    ax.set_ylabel(text("price_change_axis", lang))
    ax.legend(loc="upper right")
    title = text("price_change_title", lang, reference=reference.label)
    finish(fig, title, source_line([reference, *others], lang))
    lines = "; ".join(
        f"{r.scenario} {r.country} {r.change_usd_per_mwh:+.1f} USD/MWh ({r.change_pct:+.1f} %)"
        for r in table.itertuples()
    )
    caption = f"{title}. {lines}. {source_line([reference, *others], lang)}"
    return Chart("price_change", fig, caption, table)
