"""The ``siepac batch`` command: many scenarios in parallel on Dask, with a progress bar and ETA."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

EXIT_RUNS_FAILED = 1
"""Exit code when the batch ran but at least one run failed (2 is bad input: nothing ran)."""
EXIT_INTERRUPTED = 130


def _short(text: str | None, width: int = 160) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= width else line[: width - 1] + "…"


def _shown(path: Path) -> str:
    """Return ``path`` relative to the working directory when it is inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def batch(
    files: Annotated[list[Path], typer.Argument(help="Scenario files; every variant of a sweep is a run.")],
    workers: Annotated[
        int | None,
        typer.Option("--workers", "-w", min=1, help="Worker processes of the local Dask cluster [default: cores]."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler", help="Address of a running Dask scheduler, e.g. tcp://host:8786, instead of a local cluster."
        ),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Parent folder of the batch folder <out>/batch-<name>.")] = Path(
        "results"
    ),
    name: Annotated[
        str | None, typer.Option("--name", help="Batch name [default: the file stems joined by '+'].")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Solve every run again, even those with a complete result.")
    ] = False,
    keep_going: Annotated[
        bool,
        typer.Option(
            "--keep-going/--fail-fast", help="Run the others when one fails (default), or stop at the first failure."
        ),
    ] = True,
) -> None:
    """Run scenario files (every sweep variant) in parallel on Dask, resumable, with one KPI table.

    Writes <out>/batch-<name>/: manifest.json (every run: key, status, failure reason, wall
    time, peak memory), kpis.parquet and kpis.csv (all runs' KPIs plus one column per swept
    parameter) and one run folder per run. Runs whose complete result has the same key
    (scenario, input data, packages) are skipped. Exit code 0 when every run is complete,
    1 when a run failed, 2 on bad input, 130 when interrupted.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from simulator.batch import FAILURES, RunRecord, execute, plan_batch
    from simulator.cli_common import check_out_dir, console, errors, fail, text
    from simulator.errors import SiepacError
    from simulator.solve import available_cores

    if scheduler is not None and workers is not None:
        raise fail(
            SiepacError("--workers sets the size of the local cluster; with --scheduler the cluster's workers run")
        )
    try:
        plan = plan_batch(files, out, name=name, force=force)
        check_out_dir(out)
    except SiepacError as exc:
        raise fail(exc) from None
    except KeyboardInterrupt:
        raise typer.Exit(EXIT_INTERRUPTED) from None

    variants = sum(j.role == "variant" for j in plan.jobs)
    references = len(plan.jobs) - variants
    extra = f", {references} reference{'s' if references != 1 else ''}" if references else ""
    console.print(
        f"Batch [bold]{text(plan.name)}[/]: {len(plan.jobs)} runs ({variants} variants{extra}) in {text(_shown(plan.path))}",
        highlight=False,
        soft_wrap=True,
    )
    if plan.reused:
        names = ", ".join(j.name for j in plan.reused)
        console.print(
            f"Skipping {len(plan.reused)} complete run{'s' if len(plan.reused) != 1 else ''} "
            f"(same scenario, input data and packages; --force to solve again): {text(_short(names))}",
            highlight=False,
            soft_wrap=True,
        )
    if plan.invalid:
        console.print(
            f"[red]{len(plan.invalid)} invalid variant{'s' if len(plan.invalid) != 1 else ''} will not run:[/] "
            + text(_short(", ".join(j.name for j in plan.invalid))),
            highlight=False,
        )
    todo = set() if plan.invalid and not keep_going else {j.name for j in plan.to_run}
    if plan.invalid and not keep_going:
        console.print("Nothing solved: --fail-fast stops at the first failure, and a variant is invalid.")
    elif not todo:
        console.print("Nothing to solve.")
    else:
        n_workers = workers or available_cores()
        cores = max(1, available_cores() // n_workers)
        where = (
            f"the Dask cluster at {scheduler}"
            if scheduler
            else f"a local Dask cluster of {n_workers} worker{'s' if n_workers != 1 else ''} "
            f"({cores} core{'s' if cores != 1 else ''} per run)"
        )
        console.print(f"Solving {len(todo)} run{'s' if len(todo) != 1 else ''} on {text(where)} ...", highlight=False)

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(bar_width=20),
        MofNCompleteColumn(),
        TextColumn("[red]{task.fields[failed]} failed[/]"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )
    task = progress.add_task("runs", total=len(todo), failed=0)
    failed = 0

    def on_result(record: RunRecord) -> None:
        nonlocal failed
        if record.scenario not in todo:
            return
        if record.status == "failed":
            failed += 1
            progress.console.print(f"[red]failed[/] {text(record.scenario)}: {text(record.failure)}", highlight=False)
        progress.update(task, advance=1, failed=failed, description=text(_short(record.scenario, 20)))

    started: list[bool] = []

    def on_start(cluster: dict[str, object]) -> None:
        progress.start()  # after the cluster is up: its start-up does not count in the ETA
        started.append(True)

    try:
        try:
            result = execute(
                plan,
                workers=workers,
                scheduler=scheduler,
                fail_fast=not keep_going,
                on_result=on_result,
                on_start=on_start,
                quiet=True,
            )
        finally:
            if started:
                progress.stop()
    except SiepacError as exc:
        raise fail(exc) from None
    except KeyboardInterrupt:
        errors.print(
            f"Interrupted. Complete runs are kept in {text(_shown(plan.path))}; run the same command again to resume.",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None

    counts = result.manifest["counts"]
    parts = [f"{counts['complete']} complete ({counts['solved']} solved, {counts['reused']} reused)"]
    if counts["failed"]:
        parts.append(f"[red]{counts['failed']} failed[/]")
    if counts["cancelled"]:
        parts.append(f"{counts['cancelled']} cancelled")
    console.print(
        f"Batch {text(plan.name)}: {', '.join(parts)} in {_duration(result.manifest['wall_time_s'])}",
        highlight=False,
        soft_wrap=True,
    )
    if result.failed:
        console.print("Failed runs:")
        for record in result.failed:
            meaning = FAILURES.get(record.failure or "", "")
            console.print(
                f"  [bold]{text(record.scenario)}[/]: {text(record.failure)} ({text(meaning)}): "
                f"{text(_short(record.reason, 300))}",
                highlight=False,
                soft_wrap=True,
            )
    if result.cancelled:
        console.print(
            "Stopped at the first failure (--fail-fast); not run: "
            + text(_short(", ".join(r.scenario for r in result.cancelled))),
            highlight=False,
        )
    unlisted = result.manifest["unlisted_folders"]
    if unlisted:
        console.print(
            f"{len(unlisted)} run folder{'s' if len(unlisted) != 1 else ''} in the batch folder "
            f"{'are' if len(unlisted) != 1 else 'is'} not part of this batch (an earlier definition?): "
            + text(_short(", ".join(unlisted))),
            highlight=False,
            soft_wrap=True,
        )
    console.print(
        f"Written {text(_shown(result.path))}/manifest.json, kpis.parquet and kpis.csv ({len(result.kpis):,} KPI rows)",
        highlight=False,
        soft_wrap=True,
    )
    if not result.ok:
        raise typer.Exit(EXIT_RUNS_FAILED)


def register(app: typer.Typer) -> None:
    """Add the ``batch`` command to the ``siepac`` application."""
    app.command(name="batch")(batch)
