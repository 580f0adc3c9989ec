"""``sweep``: a heatmap of one KPI over two swept parameters of a batch."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import Normalize

from simulator.charts.output import Chart
from simulator.charts.style import DIVERGING_CMAP, SEQUENTIAL_CMAP, finish, metric_label, new_figure, text
from simulator.errors import DataError

UNIT_HINTS = (("_mw", "MW"), ("mmbtu", "USD/MMBtu"), ("_mmcfd", "MMcfd"), ("_in", "inch"), ("usd_per_bbl", "USD/bbl"))


def parameter_label(key: str) -> str:
    """Return an axis label for a dotted scenario key, with its unit guessed from the key's suffix."""
    last = key.split(".")[-1]
    unit = next((u for hint, u in UNIT_HINTS if hint in key), "")
    return f"{key}" + (f" ({unit})" if unit and unit not in last else "")


def sweep_chart(
    table: pd.DataFrame,
    parameters: list[str],
    batch_name: str,
    metric: str,
    region: str,
    carrier: str = "",
    x: str | None = None,
    y: str | None = None,
    lang: str = "en",
) -> Chart:
    """Return a heatmap of ``metric`` in ``region`` over the swept parameters ``x`` and ``y``.

    ``table`` is a batch KPI table (tidy KPI columns plus one column per swept parameter).
    Other swept parameters are held at their first value (named in the caption).

    Raises
    ------
    DataError
        If fewer than two parameters were swept, a parameter is unknown, or the KPI is absent.
    """
    if len(parameters) < 2:
        raise DataError(f"the sweep chart needs two swept parameters; batch {batch_name} sweeps only {parameters[0]}")
    x = x or parameters[0]
    y = y or next(p for p in parameters if p != x)
    for key, flag in ((x, "--x"), (y, "--y")):
        if key not in parameters:
            raise DataError(
                f"{flag} {key!r} is not a swept parameter of batch {batch_name}; swept: {', '.join(parameters)}"
            )
    rows = table[(table.metric == metric) & (table.region == region) & (table.carrier == carrier)]
    if rows.empty:
        have = sorted(set(table[table.metric == metric].region)) or sorted(set(table.metric))
        what = "regions" if set(table.metric) & {metric} else "metrics"
        raise DataError(
            f"batch {batch_name} has no `{metric}` KPI for region {region}"
            f"{f' and carrier {carrier}' if carrier else ''}; available {what}: {', '.join(map(str, have))}"
        )
    held = []
    for other in parameters:
        if other not in (x, y):
            present = rows[other].dropna()  # a plain scenario in the batch has no swept value
            first = present.iloc[0] if len(present) else rows[other].iloc[0]
            rows = rows[rows[other] == first]
            held.append(f"{other} = {first}")
    grid = rows.pivot_table(index=y, columns=x, values="value", aggfunc="mean").sort_index().sort_index(axis=1)
    unit = str(rows.unit.iloc[0])
    values = grid.to_numpy(dtype=float)
    diverging = metric.endswith(("change", "change_pct")) or np.nanmin(values) < 0 < np.nanmax(values)
    if diverging:
        bound = float(np.nanmax(np.abs(values))) or 1.0
        norm, cmap = Normalize(-bound, bound), colormaps[DIVERGING_CMAP]
    else:
        norm, cmap = Normalize(float(np.nanmin(values)), float(np.nanmax(values)) or 1.0), colormaps[SEQUENTIAL_CMAP]
    fig = new_figure(7.5, 5.2)
    ax = fig.subplots()
    image = ax.imshow(values, cmap=cmap, norm=norm, aspect="auto", origin="lower")
    for (i, j), value in np.ndenumerate(values):
        if np.isfinite(value):
            shade = cmap(norm(value))
            dark = 0.299 * shade[0] + 0.587 * shade[1] + 0.114 * shade[2] < 0.5
            ax.text(j, i, f"{value:,.1f}", ha="center", va="center", fontsize=8, color="white" if dark else "black")
    ax.set_xticks(range(len(grid.columns)), [f"{v:g}" if isinstance(v, float) else str(v) for v in grid.columns])
    ax.set_yticks(range(len(grid.index)), [f"{v:g}" if isinstance(v, float) else str(v) for v in grid.index])
    ax.set_xlabel(parameter_label(x))
    ax.set_ylabel(parameter_label(y))
    ax.grid(False)
    label = f"{metric_label(metric, lang)}{f' ({carrier})' if carrier else ''} ({unit})"
    fig.colorbar(image, ax=ax, label=label)
    title = text("sweep_title", lang, metric=metric_label(metric, lang), region=region)
    years = (
        ", ".join(str(v) for v in sorted(set(rows.get("year", pd.Series(dtype=str)).astype(str))))
        if "year" in rows
        else ""
    )
    source = f"{text('source', lang)}: SIEPAC simulator; batch {batch_name} ({len(rows)} variants{'; ' + years if years else ''})"
    if held:
        source += "; " + ("held: " if lang == "en" else "fijos: ") + ", ".join(held)
    finish(fig, title, source)
    out = grid.stack().rename("value").reset_index().assign(metric=metric, region=region, carrier=carrier, unit=unit)
    cells = "; ".join(f"{x}={r[x]}, {y}={r[y]}: {r['value']:,.2f}" for _, r in out.iterrows())
    caption = f"{title} ({unit}). {cells}. {source}"
    name = f"sweep-{metric}-{region}" + (f"-{carrier}" if carrier else "")
    return Chart(name, fig, caption, out)
