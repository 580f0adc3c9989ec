"""``gas``: pipeline throughput duration curves with capacity and break-even utilisation marked."""

from __future__ import annotations

import pandas as pd

from simulator.charts.output import Chart
from simulator.charts.series import duration_curve
from simulator.charts.style import AXIS_STEPS, finish, fixed_limits, new_figure, run_style, source_line, text
from simulator.errors import DataError
from simulator.network.meta import network_meta
from simulator.results.runs import Run
from simulator.units import mw_to_mmcfd


def _gas_info(run: Run) -> dict:
    info = network_meta(run.network).gas
    if not info.get("segments"):
        route = (run.scenario.get("gas") or {}).get("route", "none")
        raise DataError(
            f"run {run.label} ({run.path}) has no gas pipeline (gas.route is {route}); "
            "the gas chart needs runs with a pipeline route such as tapachula"
        )
    return dict(info)


def gas_chart(runs: list[Run], lang: str = "en") -> Chart:
    """Return the throughput duration curve (MMcfd) of each run's pipeline into Guatemala (its last
    segment), runs overlaid, with the pipeline capacity (dashed) and break-even utilisation (dotted)."""
    frames, marks = [], []
    for run in runs:
        info = _gas_info(run)
        n = run.network
        hhv = float(info["hhv_mmbtu_per_mcf"])
        for segment, spec in info["segments"].items():
            flow = n.links_t.p0[f"pipeline {segment}"] * mw_to_mmcfd(1.0, hhv)
            curve = duration_curve(flow, n.snapshot_weightings.generators)
            frames.append(curve.assign(scenario=run.label, route=info["route"], segment=segment))
            capacity = float(spec["capacity_mmcfd"])
        marks.append((run.label, "capacity", capacity))
        if "break_even_utilisation" in info:
            marks.append((run.label, "break_even", capacity * float(info["break_even_utilisation"])))
    table = pd.concat(frames, ignore_index=True).rename(columns={"value": "throughput_mmcfd"})
    limits = pd.DataFrame(marks, columns=["scenario", "kind", "throughput_mmcfd"])
    last = {run.label: list(_gas_info(run)["segments"])[-1] for run in runs}
    fig = new_figure(7.5, 4.6)
    ax = fig.subplots()
    for i, run in enumerate(runs):
        style = run_style(i)
        part = table[(table.scenario == run.label) & (table.segment == last[run.label])]
        step = max(1, len(part) // 8)
        ax.plot(
            part.duration_pct,
            part.throughput_mmcfd,
            linewidth=1.4,
            markevery=((i * step) // len(runs), step),
            label=f"{run.label}: {last[run.label]}",
            **style,
        )
        for row in limits[limits.scenario == run.label].itertuples():
            dashed = row.kind == "capacity"
            ax.axhline(row.throughput_mmcfd, color=style["color"], linestyle="--" if dashed else ":", linewidth=1.0)
            label = text("capacity" if dashed else "break_even", lang)
            ax.annotate(
                f"{label} {row.throughput_mmcfd:,.0f}",
                (0.99, row.throughput_mmcfd),
                xycoords=("axes fraction", "data"),
                ha="right",
                va="bottom",
                fontsize=7,
            )
    _, high = fixed_limits("gas", [*table.throughput_mmcfd, *limits.throughput_mmcfd])
    ax.set_ylim(0, high + AXIS_STEPS["gas"] / 2 if high - limits.throughput_mmcfd.max() < 10 else high)
    ax.set_xlim(0, 100)
    ax.set_xlabel(text("time_share", lang))
    ax.set_ylabel(text("throughput_axis", lang))
    ax.legend(loc="upper center", fontsize=7)
    title = text("gas_title", lang)
    source = source_line(runs, lang)
    finish(fig, title, source)
    stats = "; ".join(
        f"{run.label}: mean {table[(table.scenario == run.label) & (table.segment == last[run.label])].throughput_mmcfd.mean():,.1f} MMcfd"
        + "".join(f", {r.kind} {r.throughput_mmcfd:,.1f}" for r in limits[limits.scenario == run.label].itertuples())
        for run in runs
    )
    caption = f"{title} (MMcfd). {stats}. {source}"
    out = pd.concat([table.assign(kind="throughput"), limits.assign(duration_pct=float("nan"))], ignore_index=True)
    return Chart("gas", fig, caption, out)
