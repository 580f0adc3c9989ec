"""``siepac compare``: what changed against a reference run, and by how much.

For every run and the reference, per country and corridor: load-weighted price, consumer
cost (price x demand), generation by carrier, imports and exports, hours at limit,
congestion rent, unserved energy, CO2 and system cost; then the change (absolute and %)
and the scenario keys that differ. KPIs come from each run's ``kpis.csv``; congestion rent
is computed from the solved networks with ``pypsa.NetworkCollection`` and
``statistics.revenue`` of the lines.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pypsa

from simulator.errors import DataError
from simulator.files import write_atomic, write_text_atomic
from simulator.results.kpis import ORDER
from simulator.results.runs import Run

COMPARE_COLUMNS = [
    "scenario",
    "reference",
    "metric",
    "region",
    "carrier",
    "unit",
    "reference_value",
    "value",
    "change",
    "change_pct",
]
DIFF_COLUMNS = ["scenario", "reference", "key", "reference_value", "value"]
REQUIRED = (
    "price_load_weighted",
    "demand",
    "generation",
    "imports",
    "exports",
    "hours_at_limit",
    "unserved_energy",
    "co2",
    "system_cost",
)
"""KPIs every compared run must have (``kpis.csv`` rows)."""
COPIED = tuple(metric for metric in REQUIRED if metric != "demand")
EXPANSION = ("capacity_new", "investment_cost", "total_cost")
"""KPIs of runs with capacity decisions; a run without them built nothing (0 MW, 0 MUSD/yr)."""
IGNORED_KEYS = {"name", "description", "reference"}
"""Scenario keys left out of the inputs diff (they differ between any two runs)."""


def run_figures(run: Run) -> pd.DataFrame:
    """Return the compared figures of one run (tidy: ``metric, region, carrier, unit, value``).

    ``consumer_cost`` (MUSD) = load-weighted price x demand: what consumers pay for energy
    at the hub price. Congestion rent is added by :func:`congestion_rent`.

    Raises
    ------
    DataError
        If one of the :data:`REQUIRED` KPIs is absent from the run's ``kpis.csv``.
    """
    kpis = run.kpis
    for metric in REQUIRED:
        run.metric(metric, carrier=None)  # raises naming the file if absent
    rows = kpis[kpis.metric.isin(COPIED)][["metric", "region", "carrier", "unit", "value"]]
    price, demand = run.metric("price_load_weighted"), run.metric("demand")
    common = [c for c in price.index if c in demand.index]
    cost = pd.DataFrame(
        {
            "metric": "consumer_cost",
            "region": common,
            "carrier": "",
            "unit": "MUSD",
            "value": [float(price[c] * demand[c]) / 1e3 for c in common],  # USD/MWh x GWh = kUSD
        }
    )
    return pd.concat([rows, cost, expansion_figures(run)], ignore_index=True)


def expansion_figures(run: Run) -> pd.DataFrame:
    """Return a run's new capacity (MW by country and technology, and its total by country, carrier
    ``""``, and ``ALL``), investment (MUSD/yr) and total cost (MUSD); for a run without capacity
    decisions, zero new capacity and investment and a total cost equal to its system cost."""
    kpis = run.kpis
    columns = ["metric", "region", "carrier", "unit", "value"]
    built = kpis[kpis.metric == "capacity_new"][columns]
    totals = built.groupby("region", sort=False).value.sum()
    countries = [c for c in ORDER if c in set(kpis[kpis.metric == "demand"].region)]
    total_rows = [("capacity_new", c, "", "MW", float(totals.get(c, 0.0))) for c in countries]
    total_rows.append(("capacity_new", "ALL", "", "MW", float(totals.sum())))
    investment = kpis[kpis.metric == "investment_cost"][columns]
    if investment.empty:
        investment = pd.DataFrame(
            [("investment_cost", c, "", "MUSD/yr", 0.0) for c in [*countries, "ALL"]], columns=columns
        )
    total = kpis[kpis.metric == "total_cost"][columns]
    if total.empty:
        total = kpis[kpis.metric == "system_cost"][columns].assign(metric="total_cost")
    return pd.concat([built, pd.DataFrame(total_rows, columns=columns), investment, total], ignore_index=True)


def _corridor_of(n: pypsa.Network) -> dict[str, str]:
    country = n.buses.country
    out = {}
    for name, line in n.lines.iterrows():
        a, b = country[line.bus0], country[line.bus1]
        if a != b:
            out[str(name)] = "-".join(sorted((a, b), key=ORDER.__getitem__))
    return out


def congestion_rent(runs: list[Run]) -> pd.DataFrame:
    """Return the congestion rent (MUSD) per corridor of every run that has ``network.nc``.

    The rent of a line is its flow times the price difference between its ends, summed over
    the hours (``statistics.revenue`` of the lines, which for a lossless line is
    ``p0 x (price1 - price0)``); a corridor's rent is the sum over the lines that cross it.
    It includes the hurdle charged on SIEPAC borders and can be negative on a line that
    loop flows push against the price difference.
    """
    with_network = [r for r in runs if r.has_network]
    if not with_network:
        return pd.DataFrame(columns=["scenario", "metric", "region", "carrier", "unit", "value"])
    logging.getLogger("pypsa").setLevel(logging.WARNING)
    labels = [r.label for r in with_network]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        collection = pypsa.NetworkCollection([r.network for r in with_network], index=pd.Index(labels, name="scenario"))
        revenue = collection.statistics.revenue(components="Line", groupby="name", drop_zero=False)
    rows: list[tuple[str, str, str, str, str, float]] = []
    for run in with_network:
        corridors = _corridor_of(run.network)
        by_line = revenue.xs(run.label, level="scenario") if run.label in revenue.index.get_level_values(0) else None
        totals: dict[str, float] = dict.fromkeys(sorted(set(corridors.values()), key=_corridor_order), 0.0)
        for line, corridor in corridors.items():
            value = 0.0 if by_line is None else float(by_line.get(line, 0.0))
            totals[corridor] += value / 1e6
        rows.extend((run.label, "congestion_rent", c, "", "MUSD", v) for c, v in totals.items())
    return pd.DataFrame(rows, columns=["scenario", "metric", "region", "carrier", "unit", "value"])


def _corridor_order(corridor: str) -> tuple[int, int]:
    a, b = corridor.split("-")
    return ORDER.get(a, 99), ORDER.get(b, 99)


def compare_runs(runs: list[Run], reference: Run) -> pd.DataFrame:
    """Return the change of every compared figure of each run against ``reference``.

    Parameters
    ----------
    runs
        Runs to compare (the reference may be among them; it is not compared with itself).
    reference
        The run the changes are measured against.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARE_COLUMNS`; ``change = value - reference_value`` and
        ``change_pct = 100 x change / |reference_value|`` (empty where the reference is 0).
    """
    everyone = [reference, *[r for r in runs if r.path != reference.path]]
    figures = pd.concat([run_figures(r).assign(scenario=r.label) for r in everyone], ignore_index=True)
    figures = pd.concat([figures, congestion_rent(everyone)], ignore_index=True)
    key = ["metric", "region", "carrier", "unit"]
    base = figures[figures.scenario == reference.label].set_index(key).value
    parts = []
    for run in everyone[1:]:
        mine = figures[figures.scenario == run.label].set_index(key).value
        joined = pd.concat([base.rename("reference_value"), mine.rename("value")], axis=1).reset_index()
        # a technology one side did not build is 0 MW there, not a missing figure
        built = joined.metric == "capacity_new"
        joined.loc[built, ["reference_value", "value"]] = joined.loc[built, ["reference_value", "value"]].fillna(0.0)
        joined.insert(0, "reference", reference.label)
        joined.insert(0, "scenario", run.label)
        parts.append(joined)
    if not parts:
        raise DataError(
            f"nothing to compare: only the reference {reference.label} was given; pass at least one other run"
        )
    table = pd.concat(parts, ignore_index=True)
    table["change"] = table.value - table.reference_value
    denominator = table.reference_value.abs().where(table.reference_value.abs() > 1e-12)
    table["change_pct"] = 100.0 * table.change / denominator
    order = {
        m: i
        for i, m in enumerate((*COPIED[:1], "consumer_cost", *COPIED[1:6], "congestion_rent", *COPIED[6:], *EXPANSION))
    }
    table["_m"] = table.metric.map(order)
    table["_r"] = table.region.map(lambda r: ORDER.get(r, 50) if "-" not in r else 100 + sum(_corridor_order(r)))
    table["_s"] = table.scenario.map({r.label: i for i, r in enumerate(everyone)})
    table = table.sort_values(["_s", "_m", "_r", "carrier"], kind="stable").drop(columns=["_s", "_m", "_r"])
    return table[COMPARE_COLUMNS].reset_index(drop=True)


def _flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _flatten(v, f"{prefix}.{k}" if prefix else str(k))
    else:
        yield prefix, value


def inputs_diff(runs: list[Run], reference: Run) -> pd.DataFrame:
    """Return the scenario keys (dotted) whose resolved value differs from the reference's.

    Keys that always differ (``name``, ``description``, ``reference``) are left out; a key
    present in one scenario only shows ``None`` on the other side.
    """
    base = dict(_flatten(reference.scenario))
    rows = []
    for run in runs:
        if run.path == reference.path:
            continue
        mine = dict(_flatten(run.scenario))
        for key in sorted(set(base) | set(mine)):
            if key.split(".")[0] in IGNORED_KEYS:
                continue
            if base.get(key) != mine.get(key):
                rows.append((run.label, reference.label, key, _show(base.get(key)), _show(mine.get(key))))
    return pd.DataFrame(rows, columns=DIFF_COLUMNS)


def _show(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return str(int(value))
    return str(value)


def _markdown(frame: pd.DataFrame) -> str:
    def cell(v: Any) -> str:
        if isinstance(v, float):
            return "" if not np.isfinite(v) else f"{v:.6g}"
        return str(v).replace("|", "\\|")

    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def write_comparison(table: pd.DataFrame, diff: pd.DataFrame, path: Path) -> list[Path]:
    """Write the comparison to ``path`` (``.csv``, ``.md`` or ``.xlsx``), atomically.

    ``.csv`` writes the table and, beside it, ``<stem>.inputs.csv`` with the inputs diff;
    ``.md`` writes both as sections of one file; ``.xlsx`` as two sheets.

    Raises
    ------
    DataError
        If the suffix is not one of the three.
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".md", ".xlsx"):
        raise DataError(f"--out {path}: the file must end in .csv, .md or .xlsx, found {suffix or 'no suffix'!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    written = [path]
    if suffix == ".csv":
        write_atomic(path, lambda tmp: table.to_csv(tmp, index=False, float_format="%.6g"))
        side = path.with_name(f"{path.stem}.inputs.csv")
        written.append(write_atomic(side, lambda tmp: diff.to_csv(tmp, index=False)))
    elif suffix == ".md":
        refs = ", ".join(sorted(set(table.reference)))
        text = (
            f"# Comparison against {refs}\n\n## Changes\n\n{_markdown(table)}\n\n"
            f"## Inputs that differ\n\n{_markdown(diff) if len(diff) else 'None.'}\n"
        )
        write_text_atomic(path, text)
    else:

        def excel(tmp: Path) -> None:
            with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
                table.to_excel(writer, sheet_name="changes", index=False)
                diff.to_excel(writer, sheet_name="inputs", index=False)

        write_atomic(path, excel)
    return written
