"""Running the weekly strategy's stages in worker processes forked from this one.

Each process keeps its own state (the whole-span network, the week models it built) in
:data:`_WORKER`; forked workers inherit it, so the network and a week model built before
the fork need not be pickled.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import numpy as np
import pypsa

from simulator.solve.coarse import Boundaries, coarse_stage, fix_capacities
from simulator.solve.highs import HighsOptions
from simulator.solve.week_model import WeekModel, WeekResult
from simulator.solve.weeks import Week, WeekTask, week_tasks

CHUNKS = 4
"""The weeks are cut into this many runs of consecutive weeks. A process solves a run week
after week, each warm-started from the previous one's basis (about 2.5 times faster than a
cold start); every run starts cold. A fixed cut keeps the answer independent of the number
of processes, and four runs share out evenly over one, two or four cores."""

_WORKER: dict[str, Any] = {}


def _init_worker(n: pypsa.Network) -> None:
    _WORKER.clear()
    _WORKER["network"] = n
    _WORKER["models"] = {}


def _coarse_task(options: HighsOptions) -> Boundaries:
    return coarse_stage(_WORKER["network"], options)


def _model_for(week: Week, capacities: dict[str, dict[str, float]], options: HighsOptions, reuse: bool) -> WeekModel:
    """This process's model for a week's shape, built on first use (or afresh when not reusable)."""
    models: dict[Any, WeekModel] = _WORKER.setdefault("models", {})
    block = week.snapshots
    key = (len(block), tuple(block.hour[:24]))
    model = models.get(key) if reuse else None
    if model is None:
        n = _WORKER["network"]
        if capacities and not _WORKER.get("fixed"):
            n = n.copy()
            fix_capacities(n, capacities)
            _WORKER["network"], _WORKER["fixed"] = n, True
        model = WeekModel(n, block, options)
        if reuse:
            models[key] = model
    return model


def _chunk_task(
    tasks: list[WeekTask], capacities: dict[str, dict[str, float]], options: HighsOptions, reuse: bool
) -> list[WeekResult]:
    results = []
    for position, task in enumerate(tasks):
        model = _model_for(task.week, capacities, options, reuse)
        results.append(
            model.solve(task.index, task.count, task.week, task.start_mwh, task.levels_mwh, cold=position == 0)
        )
    return results


def _fork_pool(processes: int) -> ProcessPoolExecutor:
    """Worker processes forked from this one: they inherit the network and any week model
    built so far (module state), and must be forked before this process runs a solver."""
    return ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork"))


def solve_stages(
    n: pypsa.Network,
    processes: int,
    weeks: list[Week],
    cuts: list[np.ndarray],
    coarse_options: HighsOptions,
    week_options: HighsOptions,
    reuse: bool,
    prebuild: bool,
) -> tuple[Boundaries, list[WeekResult], float]:
    """Run the coarse stage and the weeks; return the boundaries, the weeks and the coarse wall time.

    With more than one process the coarse stage runs in a process of its own, forked first;
    meanwhile this process builds the week model, and only then forks the week workers, so
    that they start with the model built and solve as soon as the coarse levels arrive.

    Parameters
    ----------
    n
        The whole-span network.
    processes
        Worker processes for the weeks; with one (or without ``fork``) all runs here.
    weeks, cuts
        The weeks, and the runs of consecutive week positions each worker solves in order.
    coarse_options, week_options
        HiGHS options of the two stages.
    reuse
        Re-solve one week model in place (see :func:`~simulator.solve.week_model.supports_in_place_updates`).
    prebuild
        Build the week model before forking (only when the coarse stage cannot change its
        shape, i.e. nothing is extendable).
    """
    started = time.perf_counter()
    _init_worker(n)
    try:
        if processes <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            boundaries = coarse_stage(n, coarse_options)
            coarse_wall = time.perf_counter() - started
            tasks = week_tasks(weeks, boundaries.daily_mwh, boundaries.initial_mwh)
            results = [
                r
                for cut in cuts
                for r in _chunk_task([tasks[i] for i in cut], boundaries.capacities, week_options, reuse)
            ]
            return boundaries, results, coarse_wall
        with _fork_pool(1) as coarse_pool:
            coarse = coarse_pool.submit(_coarse_task, coarse_options)
            if prebuild:  # the coarse stage does not change the model's shape: build it now
                _model_for(weeks[0], {}, week_options, reuse=True)
            with _fork_pool(processes) as pool:
                boundaries = coarse.result()
                coarse_wall = time.perf_counter() - started
                tasks = week_tasks(weeks, boundaries.daily_mwh, boundaries.initial_mwh)
                futures: list[Future[list[WeekResult]]] = [
                    pool.submit(_chunk_task, [tasks[i] for i in cut], boundaries.capacities, week_options, reuse)
                    for cut in cuts
                ]
                try:  # the first failure propagates; the chunks not yet started are cancelled
                    results = [r for future in futures for r in future.result()]
                except BaseException:
                    pool.shutdown(wait=True, cancel_futures=True)
                    raise
        return boundaries, results, coarse_wall
    finally:
        _WORKER.clear()
