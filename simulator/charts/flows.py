"""``flows``: interconnector flow duration curves per corridor, limits marked."""

from __future__ import annotations

import pandas as pd

from simulator.charts.output import Chart
from simulator.charts.series import corridor_limits, duration_curve
from simulator.charts.style import finish, fixed_limits, new_figure, run_style, source_line, text
from simulator.results.kpis import corridor_flows
from simulator.results.runs import Run

CORRIDORS = ("MX-GT", "GT-SV", "GT-HN", "SV-HN", "HN-NI", "NI-CR", "CR-PA")


def flows_chart(runs: list[Run], lang: str = "en") -> Chart:
    """Return the flow duration curve of every corridor (signed, A to B positive), runs overlaid.

    Dashed lines mark the corridor's line ratings, dotted lines its border limits (day and
    night limits of the Mexico link both); a limit shared by two corridors is marked joint.
    """
    frames: list[pd.DataFrame] = []
    marks: list[tuple[str, str, float, str]] = []
    for run in runs:
        n = run.network
        flows = corridor_flows(n)
        for corridor in flows.columns:
            curve = duration_curve(flows[corridor], n.snapshot_weightings.generators)
            frames.append(curve.assign(scenario=run.label, corridor=corridor))
        for corridor, limits in corridor_limits(n).items():
            marks.extend((run.label, corridor, value, label) for value, label in limits)
    table = pd.concat(frames, ignore_index=True).rename(columns={"value": "flow_mw"})
    table = table[["scenario", "corridor", "duration_pct", "flow_mw"]]
    limits = pd.DataFrame(marks, columns=["scenario", "corridor", "limit_mw", "limit"]).drop_duplicates()
    present = [c for c in CORRIDORS if c in set(table.corridor)] + sorted(set(table.corridor) - set(CORRIDORS))
    low, high = fixed_limits("flow", table.flow_mw)
    fig = new_figure(10.0, 5.8)
    axes = fig.subplots(2, 4, sharex=True, sharey=True).ravel()
    for ax, corridor in zip(axes, present, strict=False):
        shown: set[tuple[float, str]] = set()
        for i, run in enumerate(runs):
            style = run_style(i)
            part = table[(table.scenario == run.label) & (table.corridor == corridor)]
            step = max(1, len(part) // 6)
            ax.plot(
                part.duration_pct,
                part.flow_mw,
                label=run.label,
                linewidth=1.3,
                markevery=((i * step) // max(1, len(runs)), step),
                **style,
            )
            for row in limits[(limits.scenario == run.label) & (limits.corridor == corridor)].itertuples():
                key = (round(float(row.limit_mw), 1), str(row.limit))
                if key in shown:
                    continue
                shown.add(key)
                rating = row.limit == "rating"
                ax.axhline(
                    float(row.limit_mw),
                    color=style["color"] if i else "#555555",
                    linestyle="--" if rating else ":",
                    linewidth=0.9,
                )
                label = text("rating", lang) if rating else str(row.limit).replace("_", " ")
                left = len(shown) % 2 == 0
                ax.annotate(
                    f"{label} {abs(float(row.limit_mw)):,.0f}",
                    (0.02 if left else 0.98, float(row.limit_mw)),
                    xycoords=("axes fraction", "data"),
                    ha="left" if left else "right",
                    va="bottom" if float(row.limit_mw) > 0 else "top",
                    fontsize=6,
                    color="#333333",
                )
        ax.axhline(0, color="black", linewidth=0.6)
        a, b = corridor.split("-")
        ax.set_title(corridor)
        ax.set_ylabel(text("flow_axis", lang, a=a, b=b), fontsize=7)
        ax.set_ylim(low, high)
        ax.set_xlim(0, 100)
    for ax in axes[len(present) :]:
        ax.set_axis_off()
    for ax in axes[-4:]:
        ax.set_xlabel(text("time_share", lang))
    handles, labels = axes[0].get_legend_handles_labels()
    if len(present) < len(axes):
        axes[-1].legend(handles, labels, loc="center")
    else:
        axes[0].legend(loc="lower left")
    title = text("flows_title", lang)
    source = source_line(runs, lang)
    finish(fig, title, source)
    summary = "; ".join(
        f"{run.label} {c}: mean {table[(table.scenario == run.label) & (table.corridor == c)].flow_mw.mean():+.0f} MW"
        for run in runs
        for c in present
    )
    caption = f"{title} ({'positive = west to east, Mexico first' if lang == 'en' else 'positivo = de oeste a este, México primero'}). {summary}. {source}"
    limit_rows = limits.rename(columns={"limit_mw": "flow_mw", "limit": "kind"}).assign(duration_pct=float("nan"))
    table = pd.concat([table.assign(kind="flow"), limit_rows], ignore_index=True)
    return Chart("flows", fig, caption, table)
