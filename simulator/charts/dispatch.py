"""``dispatch``: stacked hourly dispatch by carrier for one country and one week, with load and net imports."""

from __future__ import annotations

import pandas as pd

from simulator import CARRIERS, COUNTRIES
from simulator.charts.output import Chart
from simulator.charts.series import country_dispatch
from simulator.charts.style import (
    CARRIER_HATCHES,
    carrier_color,
    carrier_label,
    country_name,
    finish,
    fixed_limits,
    hatch_color,
    new_figure,
    source_line,
    text,
)
from simulator.errors import DataError
from simulator.results.runs import Run

STACK_ORDER = (*CARRIERS, "mexico", "load_shedding")
WEEK_HOURS = 7 * 24


def _window(index: pd.DatetimeIndex, start: str | None, run: Run) -> pd.DatetimeIndex:
    first = index[0] if start is None else pd.Timestamp(start)
    if start is not None and not (index[0] <= first <= index[-1]):
        raise DataError(
            f"--start {start} is outside the span of {run.label} ({index[0]:%Y-%m-%d} to {index[-1]:%Y-%m-%d})"
        )
    return index[(index >= first) & (index < first + pd.Timedelta(hours=WEEK_HOURS))]


def dispatch_chart(runs: list[Run], country: str = "GT", start: str | None = None, lang: str = "en") -> Chart:
    """Return the stacked dispatch of ``country`` over the week from ``start`` (default: the run's
    first day), one panel per run, with load (line) and net imports (hatched; below zero when exporting)."""
    if country not in COUNTRIES:
        raise DataError(f"--country must be one of {', '.join(COUNTRIES)}, found {country!r}")
    frames = []
    for run in runs:
        n = run.network
        data = country_dispatch(n, country)
        data = data.loc[_window(data.index, start, run)]
        frames.append(data.assign(scenario=run.label))
    table = pd.concat(frames).rename_axis("snapshot").reset_index()
    carriers = [c for c in STACK_ORDER if c in table.columns and table[c].abs().max() > 1e-6]
    top = (table[carriers].sum(axis=1) + table.net_imports.clip(lower=0)).max()
    low, high = fixed_limits("dispatch", [top, table.load.max(), table.net_imports.clip(upper=0).min()])
    fig = new_figure(9.0, 2.2 + 2.4 * len(runs))
    axes = fig.subplots(len(runs), 1, sharex=True, sharey=True, squeeze=False)[:, 0]
    colors = runs[0].network.carriers.color.to_dict() if "color" in runs[0].network.carriers else {}
    for ax, run in zip(axes, runs, strict=True):
        part = table[table.scenario == run.label].set_index("snapshot")
        base = pd.Series(0.0, index=part.index)
        for carrier in carriers:
            color = carrier_color(carrier, colors)
            ax.fill_between(
                part.index,
                base,
                base + part[carrier],
                step="post",
                facecolor=color,
                linewidth=0.0,
                hatch=CARRIER_HATCHES.get(carrier, ""),
                edgecolor=hatch_color(color),
                label=carrier_label(carrier, lang),
            )
            base = base + part[carrier]
        imports = part.net_imports.clip(lower=0)
        ax.fill_between(
            part.index,
            base,
            base + imports,
            step="post",
            facecolor="white",
            edgecolor="black",
            hatch=CARRIER_HATCHES["imports"],
            linewidth=0.4,
            label=text("imports", lang),
        )
        ax.fill_between(
            part.index,
            0,
            part.net_imports.clip(upper=0),
            step="post",
            facecolor="#DDDDDD",
            edgecolor="black",
            hatch="\\\\\\",
            linewidth=0.4,
            label=text("exports", lang),
        )
        ax.step(part.index, part.load, where="post", color="black", linewidth=1.6, label=text("load", lang))
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_title(run.label, loc="left", fontsize=9)
        ax.set_ylabel(text("power_axis", lang))
        ax.set_ylim(low, high)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right upper", fontsize=7)
    first = table.snapshot.min()
    title = f"{text('dispatch_title', lang, country=country_name(country, lang))}, {first:%Y-%m-%d} +7 d"
    source = source_line(runs, lang)
    finish(fig, title, source)
    means = "; ".join(
        f"{run.label}: mean load {table[table.scenario == run.label].load.mean():,.0f} MW, mean net imports "
        f"{table[table.scenario == run.label].net_imports.mean():+,.0f} MW"
        for run in runs
    )
    caption = f"{title}. {means}. {source}"
    return Chart(f"dispatch-{country}-{first:%Y-%m-%d}", fig, caption, table)
