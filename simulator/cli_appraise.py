"""The ``siepac appraise`` command: a project's benefits by country and its NPV, B/C, IRR and payback."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer

EXIT_CASES_FAILED = 1
"""Exit code when the appraisal ran but a case failed or a cost identity is off (2 is bad input)."""
EXIT_INTERRUPTED = 130


def _number(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def appraise(
    file: Annotated[Path, typer.Argument(help="Appraisal file (YAML with a top-level `appraisal:` key).")],
    out: Annotated[
        Path, typer.Option("--out", help="Parent folder of the appraisal folder <out>/appraisal-<name>.")
    ] = Path("results"),
    workers: Annotated[
        int | None,
        typer.Option("--workers", "-w", min=1, help="Worker processes of the local Dask cluster [default: cores]."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Address of a running Dask scheduler (tcp://host:8786) instead."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Solve every case again, even complete ones.")] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Validate the file and every case without solving anything.")
    ] = False,
) -> None:
    """Appraise a project: every (study year x hydrology x project/reference) case as a batch run
    (complete runs reused), benefits by country and component, NPV, B/C, IRR and payback.

    Writes <out>/appraisal-<name>/: the run folders, benefits.csv, summary.csv, identity.csv,
    appraisal.md and appraisal.xlsx. Exit code 0 when every case finished and every cost
    identity holds within 0.1 %, 1 otherwise, 2 on bad input, 130 when interrupted.
    """
    from rich.table import Table

    from simulator.appraise.config import load_appraisal
    from simulator.appraise.run import appraise as run_appraisal
    from simulator.appraise.run import plan_appraisal
    from simulator.batch import RunRecord
    from simulator.cli_common import check_out_dir, console, errors, fail, text
    from simulator.errors import SiepacError

    if scheduler is not None and workers is not None:
        raise fail(
            SiepacError("--workers sets the size of the local cluster; with --scheduler the cluster's workers run")
        )
    try:
        appraisal = load_appraisal(file)
        cases, plan = plan_appraisal(appraisal, out, force=force)
        if not check:
            check_out_dir(out)
    except SiepacError as exc:
        raise fail(exc) from None
    except KeyboardInterrupt:
        raise typer.Exit(EXIT_INTERRUPTED) from None
    todo = {j.name for j in plan.to_run}
    console.print(
        f"Appraisal [bold]{text(appraisal.name)}[/]: {len(cases)} cases in {text(plan.path)} "
        f"({len(plan.reused)} complete, {len(todo)} to solve)",
        highlight=False,
        soft_wrap=True,
    )
    if check:
        console.print(f"ok: {text(file)}", highlight=False, soft_wrap=True)
        return

    def on_result(record: RunRecord) -> None:
        if record.scenario in todo:
            if record.status == "failed":
                console.print(f"[red]failed[/] {text(record.scenario)}: {text(record.failure)}", highlight=False)
            else:
                console.print(f"solved {text(record.scenario)}", highlight=False)

    try:
        result = run_appraisal(
            appraisal, out, workers=workers, scheduler=scheduler, on_result=on_result, planned=(cases, plan)
        )
    except SiepacError as exc:
        raise fail(exc) from None
    except KeyboardInterrupt:
        errors.print(
            f"Interrupted. Complete runs are kept in {text(plan.path)}; run the same command again to resume.",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None

    table = Table(title=f"{appraisal.name}: economics (MUSD)", title_justify="left")
    for column in ("case", "hydrology", "NPV", "B/C", "IRR %", "payback", "PV benefits", "PV costs"):
        text_column = column in ("case", "hydrology")
        table.add_column(column, justify="left" if text_column else "right", no_wrap=text_column)
    for row in result.summary.to_dict("records"):
        table.add_row(
            text(row.get("case")),
            text(row.get("hydrology")),
            _number(row.get("npv_musd")),
            _number(row.get("benefit_cost_ratio"), 2),
            _number(row.get("irr_pct")),
            _number(row.get("payback_year"), 0),
            _number(row.get("pv_benefits_musd")),
            _number(row.get("pv_costs_musd")),
        )
    if len(result.summary):
        console.print(table)
    off = result.identity[~result.identity.ok] if len(result.identity) else result.identity
    for row in off.itertuples():
        errors.print(
            f"cost identity off by {row.gap:.3%} (above 0.1 %) for {row.project_run} vs {row.reference_run}",
            highlight=False,
            soft_wrap=True,
            markup=False,
        )
    for name, reason in result.failed.items():
        errors.print(f"case {name} failed: {reason}", highlight=False, soft_wrap=True, markup=False)
    counts = result.batch.manifest["counts"]
    console.print(
        f"{counts['complete']} of {counts['runs']} runs complete ({counts['solved']} solved, {counts['reused']} "
        f"reused) in {result.wall_time_s:.1f} s; written {text(result.path)}/benefits.csv, summary.csv, "
        "identity.csv, appraisal.md, appraisal.xlsx",
        highlight=False,
        soft_wrap=True,
    )
    if not result.ok:
        raise typer.Exit(EXIT_CASES_FAILED)


def register(app: typer.Typer) -> None:
    """Add the ``appraise`` command to the ``siepac`` application."""
    app.command(name="appraise")(appraise)
