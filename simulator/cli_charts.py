"""The ``siepac compare``, ``siepac chart`` and ``siepac report`` commands (registered on the main app by :func:`register`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from simulator import COUNTRIES
from simulator.cli_common import console, fail, text, user_errors
from simulator.errors import SiepacError

DETAILED_UP_TO = 3
"""Print the per-country and per-corridor tables for up to this many compared runs."""


def _fmt(value: float, digits: int = 1, sign: bool = True) -> str:
    if value != value:  # NaN
        return "-"
    return f"{value:+,.{digits}f}" if sign else f"{value:,.{digits}f}"


def _pivot(table: pd.DataFrame, metric: str, column: str = "change") -> pd.Series:
    rows = table[table.metric == metric]
    return rows.set_index("region")[column]


def print_comparison(table: pd.DataFrame, diff: pd.DataFrame, reference: str, out: Console) -> None:
    """Print the comparison: price changes of all runs, then per-run detail tables and the inputs diff."""
    scenarios = list(dict.fromkeys(table.scenario))
    prices = Table(title=f"Change in load-weighted price against {text(reference)} (USD/MWh, %)", title_justify="left")
    prices.add_column("Scenario", no_wrap=True)
    for country in COUNTRIES:
        prices.add_column(country, justify="right")
    prices.add_column("System cost MUSD", justify="right")
    for scenario in scenarios:
        mine = table[table.scenario == scenario]
        change, pct = _pivot(mine, "price_load_weighted"), _pivot(mine, "price_load_weighted", "change_pct")
        cost = _pivot(mine, "system_cost").get("ALL", float("nan"))
        prices.add_row(
            text(scenario),
            *[f"{_fmt(change.get(c, float('nan')))}\n{_fmt(pct.get(c, float('nan')))}%" for c in COUNTRIES],
            _fmt(float(cost)),
        )
    out.print(prices)
    if len(scenarios) > DETAILED_UP_TO:
        out.print(f"{len(scenarios)} runs compared: write the full table with --out FILE.csv|.md|.xlsx for the detail")
        return
    for scenario in scenarios:
        mine = table[table.scenario == scenario]
        countries = Table(title=f"{text(scenario)} against {text(reference)}: change by country", title_justify="left")
        columns = {
            "consumer_cost": ("Consumer cost", "MUSD", 2),
            "imports": ("Imports", "GWh", 1),
            "exports": ("Exports", "GWh", 1),
            "unserved_energy": ("Unserved", "GWh", 2),
            "co2": ("CO2", "Mt", 3),
        }
        countries.add_column("Country")
        for label, unit, _ in columns.values():
            countries.add_column(f"{label}\n{unit}", justify="right")
        for country in COUNTRIES:
            countries.add_row(
                country,
                *[_fmt(float(_pivot(mine, m).get(country, float("nan"))), d) for m, (_, _, d) in columns.items()],
            )
        out.print(countries)
        generation = mine[mine.metric == "generation"].pivot_table(
            index="region", columns="carrier", values="change", aggfunc="sum"
        )
        gen = Table(title=f"{text(scenario)}: change in generation (GWh)", title_justify="left")
        gen.add_column("Country")
        for carrier in generation.columns:
            gen.add_column(text(carrier), justify="right")
        for country in [c for c in COUNTRIES if c in generation.index]:
            gen.add_row(country, *[_fmt(float(v), 1) for v in generation.loc[country]])
        out.print(gen)
        corridors = Table(title=f"{text(scenario)}: change by corridor", title_justify="left")
        for name in ("Corridor", "Hours at limit (h)", "Congestion rent (MUSD)"):
            corridors.add_column(name, justify="left" if name == "Corridor" else "right")
        hours, rent = _pivot(mine, "hours_at_limit"), _pivot(mine, "congestion_rent")
        for corridor in hours.index:
            corridors.add_row(
                text(corridor), _fmt(float(hours[corridor]), 0), _fmt(float(rent.get(corridor, float("nan"))), 3)
            )
        out.print(corridors)
        print_capacity_change(mine, scenario, reference, out)
        changed = diff[diff.scenario == scenario]
        if changed.empty:
            out.print(f"Inputs: no scenario key differs from {text(reference)} (other than name and description)")
        else:
            out.print(f"Inputs that differ from {text(reference)}:")
            for row in changed.itertuples():
                out.print(f"  {text(row.key)}: {text(row.reference_value)} -> {text(row.value)}", highlight=False)


def print_capacity_change(mine: pd.DataFrame, scenario: str, reference: str, out: Console) -> None:
    """Print new capacity by country in the run and the reference and what the run defers (MW), when
    either built any."""
    totals = mine[(mine.metric == "capacity_new") & (mine.carrier == "")].set_index("region")
    if totals.empty or float(totals[["value", "reference_value"]].abs().to_numpy().sum()) == 0:
        return
    table = Table(
        title=f"{text(scenario)} against {text(reference)}: new capacity (MW) and capacity deferred",
        title_justify="left",
        caption="Deferred = built in the reference but not in this run (negative: this run builds more); "
        "investment in MUSD/yr, annualised",
        caption_justify="left",
    )
    for name in ("Country", "Reference MW", "This run MW", "Deferred MW", "Investment change"):
        table.add_column(name, justify="left" if name == "Country" else "right")
    investment = _pivot(mine, "investment_cost")
    for region, row in totals.iterrows():
        table.add_row(
            text(str(region)),
            _fmt(float(row.reference_value), 0, sign=False),
            _fmt(float(row.value), 0, sign=False),
            _fmt(-float(row.change), 0),
            _fmt(float(investment.get(region, float("nan"))), 1),
        )
    out.print(table)


def compare(
    runs: Annotated[list[Path], typer.Argument(help="Run folders or batch folders, e.g. results/base_2022.")],
    reference: Annotated[
        str | None,
        typer.Option("--reference", help="Name of the run to compare against (default: the first run)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write the full table to FILE.csv, FILE.md or FILE.xlsx.")
    ] = None,
) -> None:
    """Compare runs against a reference: prices, consumer cost, generation, trade, limits, rent, CO2, cost."""
    from simulator.compare import compare_runs, inputs_diff, write_comparison
    from simulator.results.runs import find_reference, load_runs

    try:
        loaded = load_runs(runs)
        base = find_reference(loaded, reference)
        table = compare_runs(loaded, base)
        diff = inputs_diff(loaded, base)
        written = write_comparison(table, diff, out) if out is not None else []
    except SiepacError as exc:
        raise fail(exc) from None
    print_comparison(table, diff, base.label, console)
    missing = [r.label for r in [base, *loaded] if not r.has_network]
    if missing:
        console.print(
            f"No network.nc in {text(', '.join(dict.fromkeys(missing)))}: congestion rent not computed for them",
            highlight=False,
        )
    for path in written:
        console.print(f"written {text(path)}", highlight=False)


def chart(
    kind: Annotated[
        str, typer.Argument(help="map, prices, dispatch, flows, routes, sweep, gas, capacity or appraisal.")
    ],
    runs: Annotated[
        list[Path] | None, typer.Argument(help="Run folders or batch folders (none for routes; one batch for sweep).")
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="png, svg or pdf.")] = "png",
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the chart, its caption (.txt) and numbers (.csv).")
    ] = Path("results/charts"),
    lang: Annotated[str, typer.Option("--lang", help="Labels in en (English) or es (Spanish).")] = "en",
    reference: Annotated[
        str | None, typer.Option("--reference", help="Run the change charts compare against (default: the first).")
    ] = None,
    country: Annotated[str, typer.Option("--country", help="dispatch: country code.")] = "GT",
    start: Annotated[
        str | None, typer.Option("--start", help="dispatch: first day YYYY-MM-DD of the week (default: first day).")
    ] = None,
    metric: Annotated[
        str | None, typer.Option("--metric", help="sweep: KPI metric (default price_change, else price_load_weighted).")
    ] = None,
    region: Annotated[str, typer.Option("--region", help="sweep: region of the KPI.")] = "GT",
    carrier: Annotated[str, typer.Option("--carrier", help="sweep: carrier of the KPI (e.g. coal).")] = "",
    x: Annotated[str | None, typer.Option("--x", help="sweep: swept parameter on the x axis (dotted key).")] = None,
    y: Annotated[str | None, typer.Option("--y", help="sweep: swept parameter on the y axis (dotted key).")] = None,
    year: Annotated[int | None, typer.Option("--year", help="routes: year of the gas prices.")] = None,
) -> None:
    """Draw a publication-ready chart (PNG, SVG or PDF) with a caption (.txt) and its numbers (.csv)."""
    from simulator.charts import FORMATS, LANGUAGES, ChartOptions, make_charts, write_chart

    if output_format not in FORMATS:
        raise fail(SiepacError(f"--format must be one of {', '.join(FORMATS)}, found {output_format!r}"))
    if lang not in LANGUAGES:
        raise fail(SiepacError(f"--lang must be one of {', '.join(LANGUAGES)}, found {lang!r}"))
    options = ChartOptions(
        lang=lang,
        reference=reference,
        country=country,
        start=start,
        metric=metric,
        region=region,
        carrier=carrier,
        x=x,
        y=y,
        year=year,
    )
    try:
        charts = make_charts(kind, runs or [], options)
        for item in charts:
            paths = write_chart(item, out, output_format)
            console.print(
                f"written {text(paths[0])} (caption {text(paths[1].name)}, numbers {text(paths[2].name)})",
                highlight=False,
            )
    except SiepacError as exc:
        raise fail(exc) from None


def report(
    runs: Annotated[list[Path], typer.Argument(help="Run folders or batch folders, e.g. results/base_2022.")],
    reference: Annotated[
        str | None, typer.Option("--reference", help="Name of the run to compare against (default: the first run).")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Page in en (English) or es (Spanish).")] = "en",
    out: Annotated[
        Path | None,
        typer.Option("--out", help="The HTML file (default results/reports/report-<run>-vs-<reference>.html)."),
    ] = None,
) -> None:
    """Write one self-contained HTML page (map, prices, generation, corridors, tables) that opens offline."""
    from simulator.report import write_report

    with user_errors():
        path = write_report(runs, out, reference, lang)
    console.print(f"written {text(path)} ({path.stat().st_size / 1e6:.1f} MB)", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``compare``, ``chart`` and ``report`` commands to the ``siepac`` app."""
    app.command("compare")(compare)
    app.command("chart")(chart)
    app.command("report")(report)
