"""The task a Dask worker runs: one scenario into its run folder, every failure turned into a record.

A task never raises for a failure of the run itself (infeasible, solver status, invalid
scenario, bad data, out of memory, a bug): it returns a record with the reason, so that
one failure does not stop the batch. Only the death of the worker process reaches the
client as an exception (Dask's ``KilledWorker``), which :mod:`simulator.batch.execute` records.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import os
import time
import traceback
import warnings
from pathlib import Path
from typing import Any

FAILURES = {
    "invalid": "the scenario failed validation",
    "infeasible": "the problem is infeasible",
    "solver_status": "the solver did not end optimal, or the result failed a check",
    "reference_failed": "its reference run failed",
    "worker_died": "the worker process died while running it",
    "out_of_memory": "the run needed more memory than the worker had",
    "error": "an unexpected error",
}
"""Failure kinds recorded in the batch manifest, with what they mean."""


def now() -> str:
    """Return the current UTC time as ISO 8601 (seconds)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


SOLVER_LOGGERS = ("pypsa", "linopy", "highspy")


def _errors_only(record: logging.LogRecord) -> bool:
    """Logging filter that lets only errors through."""
    return record.levelno >= logging.ERROR


def quiet_solver_logs() -> None:
    """Keep PyPSA's, linopy's and HiGHS's warnings off the client's terminal (failures are recorded).

    ``run_scenario`` sets the top-level loggers back to WARNING, so those get a filter; their
    children (e.g. ``linopy.constants``, which warns on an infeasible solve) get level ERROR.
    """
    import linopy  # noqa: F401  (creates its loggers)
    import pypsa  # noqa: F401

    for name in [*SOLVER_LOGGERS, *logging.root.manager.loggerDict]:
        if name.split(".")[0] not in SOLVER_LOGGERS:
            continue
        logger = logging.getLogger(name)
        if "." in name:
            logger.setLevel(logging.ERROR)
        elif _errors_only not in logger.filters:
            logger.addFilter(_errors_only)


def failure_record(kind: str, reason: str, **extra: Any) -> dict[str, Any]:
    """Return a failed-run record."""
    return {"status": "failed", "action": None, "failure": kind, "reason": reason, "finished": now(), **extra}


def classify_solve_error(message: str) -> str:
    """Return ``infeasible`` or ``solver_status`` for a :class:`SolveError` message."""
    lowered = message.lower()
    return "infeasible" if "infeasible" in lowered else "solver_status"


def run_job(job: dict[str, Any], reference: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run one scenario into ``job["out_dir"]/<name>`` and return its record.

    Parameters
    ----------
    job
        ``scenario`` (resolved scenario dict), ``out_dir``, ``cores`` (cores the run may use),
        ``input_data_sha256`` and ``packages`` (what the client planned with).
    reference
        The record of the reference run this one depends on, if any (Dask passes it once that
        task has finished).

    Returns
    -------
    dict
        ``status`` (``complete`` or ``failed``), ``action``, ``failure``, ``reason``,
        ``wall_time_s``, ``cpu_time_s`` (CPU time of the worker process: well below the wall
        time when the run waited for a core), ``peak_memory_mb``, ``worker`` and ``finished``.
    """
    started, cpu_started = time.perf_counter(), time.process_time()
    worker = _worker_address()
    name = str(job["scenario"]["name"])
    if reference is not None and reference.get("status") != "complete":
        reason = f"reference {reference.get('scenario')} failed ({reference.get('failure')}): {reference.get('reason')}"
        return failure_record("reference_failed", reason, scenario=name, worker=worker, wall_time_s=0.0)
    from simulator.results.store import peak_memory_mb, reset_peak_memory

    reset_peak_memory()

    def finish(record: dict[str, Any]) -> dict[str, Any]:
        record.update(
            wall_time_s=round(time.perf_counter() - started, 2),
            cpu_time_s=round(time.process_time() - cpu_started, 2),
            peak_memory_mb=round(peak_memory_mb(), 1),
            worker=worker,
            scenario=name,
        )
        return record

    from simulator.data import data_hash, load_data
    from simulator.errors import ScenarioError, SiepacError, SolveError
    from simulator.results.store import package_versions
    from simulator.run import run_scenario
    from simulator.scenario import Scenario

    quiet_solver_logs()
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            data = load_data()
            if data_hash(data.root) != job["input_data_sha256"]:
                reason = f"the input data on worker {worker} ({data.root}) differ from the client's"
                return finish(failure_record("error", reason))
            versions = package_versions()
            if versions != job["packages"]:
                differ = ", ".join(
                    f"{k} {versions.get(k)} here, {v} on the client"
                    for k, v in job["packages"].items()
                    if versions.get(k) != v
                )
                return finish(failure_record("error", f"package versions on worker {worker} differ: {differ}"))
            scenario = Scenario.model_validate(job["scenario"])
            result = run_scenario(scenario, job["out_dir"], data, cores=job["cores"])
        except SolveError as exc:
            return finish(failure_record(classify_solve_error(str(exc)), str(exc)))
        except ScenarioError as exc:
            return finish(failure_record("invalid", str(exc)))
        except SiepacError as exc:
            return finish(failure_record("error", str(exc)))
        except MemoryError:
            return finish(failure_record("out_of_memory", "MemoryError: the run could not allocate memory"))
        except Exception as exc:  # a bug: record it with where it happened, keep the batch going
            where = traceback.extract_tb(exc.__traceback__)[-1]
            reason = f"{type(exc).__name__}: {exc} (at {Path(where.filename).name}:{where.lineno})"
            return finish(failure_record("error", reason, traceback=traceback.format_exc()))
    record = finish({"status": "complete", "action": "solved", "failure": None, "reason": None, "finished": now()})
    # a run that forks processes of its own (parallel week solves) reports their memory too
    record["peak_memory_all_processes_mb"] = result.manifest.get("peak_memory_all_processes_mb")
    return record
