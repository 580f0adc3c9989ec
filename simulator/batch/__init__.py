"""Batches: many scenarios and sweep variants in parallel on Dask, resumable, with one KPI table.

From a notebook::

    from simulator import batch

    result = batch.run(["scenarios/sweep_anchor_henry_hub.yaml"], out="results", workers=2)
    result.kpis.query("metric == 'price_load_weighted' and region == 'GT'")
    networks = result.networks()  # pypsa.NetworkCollection indexed by scenario and swept values

The batch folder ``out/batch-<name>/`` holds ``manifest.json`` (every run with its key,
status, failure reason, wall time and peak memory), ``kpis.parquet`` and ``kpis.csv`` (all
runs' KPIs, tidy, plus one column per swept parameter) and one run folder per run. See
``docs/BATCH.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from simulator.batch.execute import OnResult, OnStart, execute
from simulator.batch.plan import BatchPlan, Job, plan_batch, run_key
from simulator.batch.result import BatchResult, RunRecord
from simulator.batch.store import load_batch
from simulator.batch.tasks import FAILURES
from simulator.scenario import Scenario

__all__ = [
    "FAILURES",
    "BatchPlan",
    "BatchResult",
    "Job",
    "RunRecord",
    "execute",
    "load_batch",
    "plan_batch",
    "run",
    "run_key",
]


def run(
    items: Sequence[str | Path | Scenario] | str | Path | Scenario,
    out: str | Path = "results",
    *,
    name: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any | None = None,
    cores_per_run: int | None = None,
    force: bool = False,
    fail_fast: bool = False,
    on_result: OnResult | None = None,
    on_start: OnStart | None = None,
) -> BatchResult:
    """Run scenario files (every sweep variant) and scenarios as one batch on Dask.

    Parameters
    ----------
    items
        Scenario files and/or :class:`Scenario` objects.
    out
        Parent folder of the batch folder ``out/batch-<name>``.
    name
        Batch name; default the file stems joined by ``+``.
    workers
        Worker processes of the local Dask cluster (default: the machine's cores).
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``) instead of a local cluster.
    client
        An open :class:`distributed.Client` to run on (left open).
    cores_per_run
        Cores each run may use; default cores // workers locally, 1 on a scheduler or client.
    force
        Solve every run again, even those with a complete result of the same key.
    fail_fast
        Stop at the first failed run (the rest are recorded as cancelled).
    on_result
        Called with each :class:`RunRecord` as it is settled.
    on_start
        Called with the cluster's description once it is up (not when nothing is solved).

    Returns
    -------
    BatchResult
        ``.kpis``, ``.networks()``, ``.records``, ``.failed``. Failed runs do not raise: check
        ``result.ok`` or ``result.failed``.

    Raises
    ------
    simulator.errors.ScenarioError
        If a file cannot be read, two runs share a name, or another batch holds the folder.
    """
    plan = plan_batch(items, out, name=name, force=force)
    return execute(
        plan,
        workers=workers,
        scheduler=scheduler,
        client=client,
        cores_per_run=cores_per_run,
        fail_fast=fail_fast,
        on_result=on_result,
        on_start=on_start,
    )
