"""The ``siepac`` command. Parses arguments, prints, maps errors to exit codes; no modelling here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import yaml

from simulator.cli_common import check_out_dir, console, errors, fail, text, user_errors
from simulator.errors import EXIT_USER_ERROR, ScenarioError, SiepacError
from simulator.files import write_atomic, write_text_atomic

app = typer.Typer(
    help="Scenario simulator of the Central American power grid (SIEPAC) and the Mexico link.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@app.callback()
def main() -> None:
    """Scenario simulator of the Central American power grid (SIEPAC) and the Mexico link."""


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file, e.g. scenarios/base_2022.yaml.")],
    out: Annotated[Path, typer.Option("--out", help="Parent folder of the run folder <out>/<scenario name>.")] = Path(
        "results"
    ),
    strategy: Annotated[
        str | None,
        typer.Option(
            "--strategy",
            help="Solve strategy, overriding the scenario's solve.strategy: weekly (fast) or monolithic (one LP).",
        ),
    ] = None,
    cores: Annotated[
        int | None, typer.Option("--cores", min=1, help="CPU cores to use (default: all this process may use).")
    ] = None,
) -> None:
    """Validate, build, solve and store a scenario (every variant of a sweep, one after another)."""
    from simulator.data import load_data
    from simulator.run import run_scenario
    from simulator.scenario import load_scenarios
    from simulator.scenario.data_checks import check_scenario_data
    from simulator.summary import print_summary

    if strategy not in (None, "weekly", "monolithic"):
        raise fail(ScenarioError(f"option --strategy: expected 'weekly' or 'monolithic', found {strategy!r}"))
    with user_errors():
        scenarios = load_scenarios(scenario)
        data = load_data()
        for loaded in scenarios:  # validate every variant before the first solve
            check_scenario_data(loaded, data)
        check_out_dir(out)
        for loaded in scenarios:
            start, days = loaded.snapshots_span()
            console.print(
                f"Running [bold]{text(loaded.name)}[/]: {days} days from {start}, weather year {loaded.weather_year} ..."
            )
            result = run_scenario(loaded, out, data=data, cores=cores, strategy=strategy)
            timings = result.manifest["timings_s"]
            report = result.report
            how = (
                f"{report.details['weeks']} weeks in {report.details['processes']} processes"
                if report.strategy == "weekly"
                else "one LP"
            )
            memory = result.manifest.get("peak_memory_all_processes_mb", result.manifest["peak_memory_mb"])
            console.print(
                f"Solved ({report.strategy}, {how}): {report.condition} in {timings['solve']:.1f} s "
                f"(build {timings['read_and_build']:.1f} s), peak memory {memory:,.0f} MB"
            )
            print_summary(result.kpis, console, loaded.name, result.network)
            console.print(f"Results written to [bold]{text(result.path)}[/]")


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files to check (every sweep variant too).")],
) -> None:
    """Check scenario files without solving: one line per problem, exit code 2 on any."""
    from simulator.data import load_data
    from simulator.scenario import load_scenarios
    from simulator.scenario.data_checks import scenario_data_problems

    problems: list[str] = []
    try:
        data = load_data()
    except SiepacError as exc:
        raise fail(exc) from None
    for path in files:
        try:
            scenarios = load_scenarios(path)
        except SiepacError as exc:
            problems.extend(str(exc).splitlines())
            continue
        try:
            found = [p for s in scenarios for p in scenario_data_problems(s, data)]
        except SiepacError as exc:  # a table read only for some scenarios (the gas layer)
            found = str(exc).splitlines()
        problems.extend(dict.fromkeys(found))
        if not found:
            variants = f" ({len(scenarios)} variants)" if len(scenarios) > 1 else ""
            console.print(f"ok: {text(path)}{variants}", highlight=False, soft_wrap=True)
    for problem in problems:
        errors.print(problem, highlight=False, soft_wrap=True, markup=False)
    if problems:
        raise typer.Exit(EXIT_USER_ERROR)


@app.command()
def show(
    file: Annotated[Path, typer.Argument(help="Scenario file.")],
) -> None:
    """Print the fully resolved scenario (after extends and defaults), or the variants of a sweep."""
    from simulator.scenario import load_scenarios

    try:
        scenarios = load_scenarios(file)
    except SiepacError as exc:
        raise fail(exc) from None
    if len(scenarios) == 1:
        typer.echo(
            yaml.safe_dump(scenarios[0].model_dump(mode="json"), sort_keys=False, allow_unicode=True, width=10_000),
            nl=False,
        )
    else:
        typer.echo(f"{file}: sweep of {len(scenarios)} variants")
        for scenario in scenarios:
            values = ", ".join(f"{k} = {v}" for k, v in scenario.swept.items())
            typer.echo(f"  {scenario.name}: {values}")
    _show_estimates(sorted({s.year for s in scenarios}))


def _show_estimates(years: list[int]) -> None:
    """Print, as YAML comments, the inputs of each outlook year tagged ``estimate``."""
    from simulator.data import load_data
    from simulator.outlook import study_year

    with user_errors():
        base = load_data()
        for year in years:
            study = study_year(base, year)
            if not study.outlook:
                continue
            console.print(
                f"# Inputs of study year {year} that are estimates ({len(study.estimates)}; file:line under "
                f"{text(base.root)}, see grids/outlook/README.md for the ones that matter most):",
                soft_wrap=True,
                highlight=False,
            )
            for line in study.estimates:
                console.print(f"#   {text(line)}", soft_wrap=True, highlight=False)


@app.command()
def routes(
    output_format: Annotated[str, typer.Option("--format", help="table, json or geojson.")] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of the terminal.")] = None,
    year: Annotated[int, typer.Option("--year", help="Year of the Henry Hub and LNG prices.")] = 2022,
    henry_hub: Annotated[float | None, typer.Option("--henry-hub", help="Henry Hub price (USD/MMBtu).")] = None,
) -> None:
    """Compare the pipeline routes (and LNG): lengths by country, capacity, capex, tariffs, delivered cost."""
    import json

    from simulator.data import load_data
    from simulator.routes import load_gas_data, route_table, routes_geojson

    if output_format not in ("table", "json", "geojson"):
        raise fail(SiepacError(f"--format must be table, json or geojson, found {output_format!r}"))
    with user_errors():
        data = load_data()
        gas = load_gas_data(data.root)
        hh = henry_hub if henry_hub is not None else data.fuel_price_usd_per_mmbtu("henry_hub", year)
        table = route_table(gas, hh, data.fuel_price_usd_per_mmbtu("lng", year))
        if out is not None and out.is_dir():
            raise SiepacError(f"option --out: {out} is a folder; give a file name")
        if out is not None:
            check_out_dir(out.parent)
    if output_format == "geojson":
        body = json.dumps(routes_geojson(gas), indent=1, ensure_ascii=False) + "\n"
    elif output_format == "json":
        body = table.reset_index().to_json(orient="records", indent=1) + "\n"
    else:
        columns = {
            "length_mx_km": "MX km",
            "length_gt_km": "GT km",
            "length_km": "km (model)",
            "geometry_length_km": "km (drawn)",
            "diameter_in": "inch",
            "capacity_mmcfd": "MMcfd",
            "capex_musd": "capex MUSD",
            "tariff_50pct_usd_per_mmbtu": "tariff@50% USD/MMBtu",
            "tariff_90pct_usd_per_mmbtu": "tariff@90% USD/MMBtu",
            "delivered_usd_per_mmbtu": "delivered USD/MMBtu",
        }
        shown = table[list(columns)].rename(columns=columns).round(2)
        body = f"Henry Hub {hh:.2f} USD/MMBtu ({year if henry_hub is None else 'given'}); delivered = Henry Hub + basis + Mexican transport + tariff at 90 %\n"
        body += (
            "km (model): published segment lengths where published, else km (drawn) = waypoint chain x routing factor\n"
        )
        body += shown.to_string() + "\n"
    if out is None:
        typer.echo(body, nl=False)
    else:
        with user_errors():
            out.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(out, body)
        console.print(f"written {text(out)}", highlight=False)


@app.command()
def backtest(
    year: Annotated[
        int, typer.Option("--year", help="2022 (calibration, with observations) or 2023 (modelled only).")
    ] = 2022,
    out: Annotated[Path, typer.Option("--out", help="Results folder (the base run is reused from here).")] = Path(
        "results"
    ),
    rerun: Annotated[
        bool, typer.Option("--rerun", help="Solve the base run again even if a complete one exists.")
    ] = False,
) -> None:
    """Run (or reuse) base_<year> and compare it with observed history."""

    from rich.table import Table

    from simulator.backtest import (
        PRICE_JUDGED,
        backtest_table,
        load_history,
        modelled_only,
        monthly_prices,
        price_chart,
        score,
        share_chart,
    )
    from simulator.data import data_hash, load_data
    from simulator.paths import scenarios_dir
    from simulator.results.reuse import is_reusable_run
    from simulator.results.store import package_versions, read_kpis
    from simulator.run import reference_scenario, run_scenario
    from simulator.scenario import load_scenario

    with user_errors():
        scenario = load_scenario(scenarios_dir() / f"base_{year}.yaml")
        data = load_data()
        history = load_history(data.root)
        check_out_dir(out)
        run_dir = out / scenario.name
        reusable = not rerun and is_reusable_run(
            run_dir, scenario, data_hash(data.root), package_versions(), reference_scenario(scenario)
        )
        monthly = None
        if reusable:
            console.print(f"Reusing the complete run {text(run_dir)}", highlight=False)
            kpis = read_kpis(run_dir)
            if (run_dir / "network.nc").is_file():
                import pypsa

                monthly = monthly_prices(pypsa.Network(run_dir / "network.nc"))
        else:
            console.print(f"Running {text(scenario.name)} (full year) ...")
            result = run_scenario(scenario, out, data)
            kpis, monthly = result.kpis, monthly_prices(result.network)
    if monthly is None:
        console.print(
            f"No network.nc in {text(run_dir)}: the monthly price check is skipped (run with --rerun).", highlight=False
        )
    target = out / f"backtest-{year}"
    with user_errors():
        target.mkdir(parents=True, exist_ok=True)
    if year not in history.years():
        table = modelled_only(kpis, monthly)
        console.print(f"{year} is out of sample: no observations are shipped; modelled figures only.")
    else:
        table = backtest_table(kpis, history, year, monthly)
    csv = target / "backtest.csv"
    write_atomic(csv, lambda tmp: table.to_csv(tmp, index=False, float_format="%.6g"))
    view = Table(title=f"Back-test {year}: modelled against observed", title_justify="left")
    for column in ("check", "region", "carrier", "modelled", "observed", "unit", "error", "target", "ok"):
        view.add_column(column, justify="right" if column in ("modelled", "observed", "error") else "left")
    for row in table.itertuples():
        if row.check == "generation_share" and (year not in history.years() or row.target == "-"):
            continue
        month = getattr(row, "month", float("nan"))
        if row.check == "monthly_price" and (
            (year in history.years() and row.observed != row.observed)
            or (year not in history.years() and row.region not in PRICE_JUDGED)
        ):
            continue  # the CSV has every country's months; the screen the checked ones
        observed = getattr(row, "observed", float("nan"))
        error = getattr(row, "error", float("nan"))
        ok = getattr(row, "within_target", None)
        view.add_row(
            row.check,
            row.region,
            row.carrier if month != month else MONTH_NAMES[int(month) - 1],
            f"{row.modelled:,.1f}",
            "-" if observed != observed else f"{observed:,.1f}",
            row.unit,
            "-" if error != error else f"{error:+.1f} {row.error_unit}",
            getattr(row, "target", "-"),
            "-" if ok is None or ok != ok else ("yes" if ok else "NO"),
        )
    console.print(view)
    if year in history.years():
        within, judged = score(table)
        console.print(
            f"Score: {within} of {judged} checks within target (generation shares of carriers above 5 %, net positions, regional trade, Mexico imports, El Salvador's monthly prices)"
        )
        chart = share_chart(
            table, target / "generation_shares.png", f"Generation shares {year}: observed (hatched) and modelled"
        )
        charts = [chart]
        if monthly is not None:
            charts.append(
                price_chart(
                    monthly, table, target / "monthly_prices.png", f"Monthly prices {year}: modelled and observed"
                )
            )
        console.print(f"Written {text(csv)} and {', '.join(text(c) for c in charts)}", highlight=False)
    else:
        console.print(f"Written {text(csv)}", highlight=False)


@app.command()
def schema() -> None:
    """Regenerate scenarios/schema.json and scenarios/defaults.yaml from the scenario models."""
    from simulator.scenario.generate import write

    for path in write():
        console.print(f"written {text(path)}", highlight=False)


def _register_command_groups() -> None:
    """Add the commands that live in their own modules (charts, compare, batch, appraise)."""
    from simulator.cli_appraise import register as register_appraise
    from simulator.cli_batch import register as register_batch
    from simulator.cli_charts import register as register_charts

    register_charts(app)
    register_batch(app)
    register_appraise(app)


_register_command_groups()

if __name__ == "__main__":
    app()
