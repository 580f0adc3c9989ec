"""The ``siepac`` command. Parses arguments, prints, maps errors to exit codes; no modelling here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from simulator.errors import EXIT_USER_ERROR, SiepacError

app = typer.Typer(
    help="Scenario simulator of the Central American power grid (SIEPAC) and the Mexico link.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
errors = Console(stderr=True)


@app.callback()
def main() -> None:
    """Scenario simulator of the Central American power grid (SIEPAC) and the Mexico link."""


def fail(exc: SiepacError) -> typer.Exit:
    """Print a user error as one paragraph and return the exit to raise."""
    errors.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    return typer.Exit(EXIT_USER_ERROR)


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file, e.g. scenarios/base_2022.yaml.")],
    out: Annotated[Path, typer.Option("--out", help="Parent folder of the run folder <out>/<scenario name>.")] = Path(
        "results"
    ),
) -> None:
    """Build, solve and store one scenario; print its summary."""
    from simulator.run import run_scenario
    from simulator.scenario import load_scenario
    from simulator.summary import print_summary

    try:
        loaded = load_scenario(scenario)
        start, days = loaded.snapshots_span()
        console.print(
            f"Running [bold]{loaded.name}[/]: {days} days from {start}, weather year {loaded.weather_year} ..."
        )
        result = run_scenario(loaded, out)
    except SiepacError as exc:
        raise fail(exc) from None
    timings = result.manifest["timings_s"]
    console.print(
        f"Solved: {result.report.condition} in {timings['solve']:.0f} s (build {timings['read_and_build']:.0f} s), peak memory {result.manifest['peak_memory_mb']:,.0f} MB"
    )
    print_summary(result.kpis, console, loaded.name)
    console.print(f"Results written to [bold]{result.path}[/]")


if __name__ == "__main__":
    app()
