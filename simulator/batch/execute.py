"""Run a planned batch on Dask: a local cluster of worker processes or an existing scheduler.

One task per run (:func:`simulator.batch.tasks.run_job`). A variant that compares against a
reference depends on the reference's task, so a reference folder is written by one task only,
before the variants that reuse it. Records are written to the batch manifest as runs finish,
so a killed batch leaves a manifest that says how far it got; running the same batch again
skips every run whose complete result has the same key.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from simulator.batch.plan import BatchPlan, Job, folder_key
from simulator.batch.result import BatchResult, RunRecord
from simulator.batch.store import batch_lock, kpi_table, remove_leftovers, write_kpis, write_manifest
from simulator.batch.tasks import FAILURES, failure_record, now, run_job
from simulator.errors import SiepacError
from simulator.solve import available_cores

ALLOWED_FAILURES = 1
"""A task whose worker dies is retried once on another worker; a second death fails the run
(a run that kills its worker twice is out of memory or crashes the solver, and would again)."""

DASK_LOGGERS = ("distributed", "distributed.nanny", "distributed.scheduler", "distributed.worker", "tornado", "bokeh")

OnResult = Callable[[RunRecord], None]
OnStart = Callable[[dict[str, Any]], None]


class BatchConnectionError(SiepacError):
    """The Dask scheduler given with ``--scheduler`` could not be reached."""


def quiet_dask() -> None:
    """Keep Dask's informational logs and shutdown warnings off the terminal."""
    for name in DASK_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore Ctrl-C while worker processes are spawned (they inherit it; see ``worker_setup``)."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals are not ours to change
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def connect(
    workers: int | None, scheduler: str | None, client: Any | None, quiet: bool
) -> Iterator[tuple[Any, dict[str, Any]]]:
    """Yield a Dask client and a description of the cluster; close what was opened here.

    ``client`` is used as given (and left open); ``scheduler`` connects to a running cluster;
    otherwise a :class:`distributed.LocalCluster` of ``workers`` processes with one thread each.
    """
    import dask
    from distributed import Client, LocalCluster

    if client is not None:
        yield client, {"scheduler": str(client.scheduler.address), "workers": len(client.nthreads())}
        return
    if scheduler is not None:
        try:
            remote = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            msg = f"cannot reach the Dask scheduler at {scheduler}: {exc}"
            raise BatchConnectionError(msg) from None
        try:
            yield remote, {"scheduler": scheduler, "workers": len(remote.nthreads())}
        finally:
            remote.close()
        return
    n_workers = workers or available_cores()
    settings = {
        "distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
        # a run may fork processes of its own (the weekly strategy's parallel weeks)
        "distributed.worker.daemon": False,
        "distributed.admin.system-monitor.gil.enabled": False,
    }
    with dask.config.set(settings), _sigint_ignored():
        cluster = LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.CRITICAL if quiet else logging.WARNING,
            preload=["simulator.batch.worker_setup"],
        )
        local = Client(cluster)
    try:
        yield local, {"scheduler": "LocalCluster", "workers": n_workers}
    finally:
        with contextlib.suppress(Exception):
            local.close()
        with contextlib.suppress(Exception):
            cluster.close()


def _death_record(exc: BaseException, future_key: str, job: Job, client: Any, names: dict[str, str]) -> dict[str, Any]:
    """Return the record of a run whose task ended in a Dask error (its worker died)."""
    from distributed import KilledWorker

    if isinstance(exc, KilledWorker):
        if str(exc.task) != future_key:
            ref = names.get(str(exc.task), "its reference")
            return failure_record(
                "reference_failed", f"reference {ref} failed (worker_died): {FAILURES['worker_died']}"
            )
        address = getattr(exc.last_worker, "address", str(exc.last_worker))
        memory_events = []
        with contextlib.suppress(Exception):
            memory_events = [e for _, e in client.get_events("worker-restart-memory") if e.get("worker") == address]
        if memory_events:
            rss = max(e.get("rss", 0) for e in memory_events) / 1024**2
            reason = (
                f"the worker was restarted for exceeding its memory limit ({rss:,.0f} MB), {ALLOWED_FAILURES + 1} times"
            )
            return failure_record("out_of_memory", reason, worker=address)
        reason = (
            f"the worker process died while running it, {ALLOWED_FAILURES + 1} times (killed, crashed, or "
            "stopped by the system's out-of-memory killer)"
        )
        return failure_record("worker_died", reason, worker=address)
    return failure_record("error", f"{type(exc).__name__}: {exc}")


def _manifest(
    plan: BatchPlan, records: list[RunRecord], cluster: dict[str, Any], options: dict[str, Any], started: float
) -> dict[str, Any]:
    counts = {
        "runs": len(records),
        "complete": sum(r.status == "complete" for r in records),
        "solved": sum(r.action == "solved" for r in records),
        "reused": sum(r.action == "reused" for r in records),
        "failed": sum(r.status == "failed" for r in records),
        "cancelled": sum(r.status == "cancelled" for r in records),
        "pending": sum(r.status == "pending" for r in records),
    }
    return {
        "batch": plan.name,
        "format": 1,
        "created": options["created"],
        "updated": now(),
        "state": options.get("state", "running"),
        "files": plan.files,
        "input_data_sha256": plan.input_data_sha256,
        "packages": plan.packages,
        "cluster": cluster,
        "options": {k: v for k, v in options.items() if k not in ("created", "state")},
        "counts": counts,
        "wall_time_s": round(time.perf_counter() - started, 2),
        "swept_parameters": plan.swept_parameters,
        "runs": [r.to_dict() for r in records],
        "unlisted_folders": _unlisted(plan.path, records),
    }


def _unlisted(folder: Path, records: list[RunRecord]) -> list[str]:
    """Return run folders in the batch folder that are not runs of this batch (an earlier definition's)."""
    listed = {r.scenario for r in records}
    if not folder.is_dir():
        return []
    return sorted(
        p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name not in listed
    )


def _reuse_record(folder: Path) -> dict[str, Any]:
    """Return what a reused run folder says about its wall time and memory."""
    import json

    with contextlib.suppress(OSError, ValueError):
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return {
            "wall_time_s": manifest.get("timings_s", {}).get("total_before_write"),
            "peak_memory_mb": manifest.get("peak_memory_mb"),
            "finished": manifest.get("created"),
        }
    return {}


def execute(
    plan: BatchPlan,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any | None = None,
    cores_per_run: int | None = None,
    fail_fast: bool = False,
    on_result: OnResult | None = None,
    on_start: OnStart | None = None,
    quiet: bool = True,
) -> BatchResult:
    """Run every job of a plan that is not complete yet, and write the batch folder.

    Parameters
    ----------
    plan
        From :func:`simulator.batch.plan.plan_batch`.
    workers
        Worker processes of the local cluster (default: the cores this process may use).
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``) instead of a local cluster.
        Its workers must see the batch folder at the same path and have the same packages.
    client
        An open :class:`distributed.Client` to use instead (left open).
    cores_per_run
        Cores each run may use (solver threads). Default: cores // workers on a local cluster,
        1 on a scheduler or client (one run per worker thread).
    fail_fast
        Stop at the first failed run; the runs not finished are recorded as cancelled.
    on_result
        Called with each run's record as it is settled (reused, invalid, solved or failed).
    on_start
        Called with the cluster's description (``scheduler``, ``workers``) once it is up, before
        the first run is submitted (not called when there is nothing to solve).
    quiet
        Silence Dask's logs (the command line does).

    Returns
    -------
    BatchResult
        Records, the KPI table of every complete run and the manifest.
    """
    started = time.perf_counter()
    if quiet:
        quiet_dask()
    records = [RunRecord.from_job(job) for job in plan.jobs]
    by_name = {r.scenario: r for r, j in zip(records, plan.jobs, strict=True) if j.problem is None}
    local = client is None and scheduler is None
    n_workers = workers or available_cores()
    cores = cores_per_run or (max(1, available_cores() // n_workers) if local else 1)
    cluster: dict[str, Any] = {
        "scheduler": "LocalCluster" if local else scheduler,
        "workers": n_workers if local else None,
    }
    options: dict[str, Any] = {"created": now(), "force": plan.force, "fail_fast": fail_fast, "cores_per_run": cores}
    folder = plan.path

    def settle(record: RunRecord, values: dict[str, Any]) -> None:
        record.update(values)
        if record.status == "complete":
            record.path = record.scenario
        if on_result is not None:
            on_result(record)

    def save(state: str = "running") -> None:
        write_manifest(folder, _manifest(plan, records, cluster, {**options, "state": state}, started))

    with batch_lock(folder):
        remove_leftovers(folder)
        for record, job in zip(records, plan.jobs, strict=True):
            if job.problem is not None:
                settle(record, failure_record("invalid", job.problem))
            elif job.complete:
                settle(record, {"status": "complete", "action": "reused", **_reuse_record(folder / job.name)})
        stop = fail_fast and any(r.status == "failed" for r in records)
        todo = [] if stop else plan.to_run
        if not todo:
            cluster = {"scheduler": None, "workers": 0}  # nothing to solve: no cluster started
        save()
        state = "interrupted"  # unless the loop below ends
        try:
            if todo:
                where = (workers, scheduler, client, quiet)
                stop = _run_on_dask(plan, todo, by_name, where, cores, fail_fast, settle, save, cluster, on_start)
            state = "stopped" if stop else "finished"
        finally:
            for record, job in zip(records, plan.jobs, strict=True):
                if record.status == "pending":
                    # cancelled, or finished after the stop: trust the folder, not the bookkeeping
                    if folder_key(folder / job.name) == job.key:
                        record.update({"status": "complete", "action": "solved", "path": job.name})
                    else:
                        record.update({"status": "cancelled", "reason": "the batch stopped before this run finished"})
            remove_leftovers(folder)
            table = kpi_table(folder, records)
            write_kpis(folder, table)
            manifest = _manifest(plan, records, cluster, {**options, "state": state}, started)
            write_manifest(folder, manifest)
    return BatchResult(folder, plan.name, records, table, manifest)


def _run_on_dask(
    plan: BatchPlan,
    todo: list[Job],
    by_name: dict[str, RunRecord],
    where: tuple[int | None, str | None, Any | None, bool],
    cores: int,
    fail_fast: bool,
    settle: Callable[[RunRecord, dict[str, Any]], None],
    save: Callable[..., None],
    cluster: dict[str, Any],
    on_start: OnStart | None,
) -> bool:
    """Submit the jobs, settle records as tasks finish; return True if stopped early (fail-fast)."""
    from distributed import as_completed

    with connect(*where) as (dask_client, described):
        cluster.update(described)
        save()
        if on_start is not None:
            on_start(dict(described))
        futures: dict[str, Any] = {}
        jobs_by_key: dict[str, Job] = {}
        names: dict[str, str] = {}
        for job in todo:  # references first: variants depend on their futures
            payload = {
                "scenario": job.scenario,
                "out_dir": str(plan.path),
                "cores": cores,
                "input_data_sha256": plan.input_data_sha256,
                "packages": plan.packages,
            }
            reference = futures.get(job.reference) if job.reference else None
            key = f"siepac-{plan.name}-{job.name}-{job.key}"
            future = dask_client.submit(
                run_job, payload, reference, key=key, pure=False, priority=10 if job.role == "reference" else 0
            )
            futures[job.name], jobs_by_key[key], names[key] = future, job, job.name
        pending = as_completed(list(futures.values()))
        for future in pending:
            job = jobs_by_key[str(future.key)]
            record = by_name[job.name]
            if future.status == "finished":
                values = future.result()
            elif future.status == "cancelled":
                continue
            else:
                values = _death_record(future.exception(), str(future.key), job, dask_client, names)
            settle(record, values)
            save()
            if fail_fast and record.status == "failed":
                dask_client.cancel([f for f in futures.values() if not f.done()])
                return True
    return False
