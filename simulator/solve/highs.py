"""HiGHS: the options the strategies start from, and one checked solve of a linopy model.

Every solve checks the solver status: anything but optimal raises
:class:`~simulator.errors.SolveError` with the solver's own words.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

import highspy
import pypsa

from simulator.errors import SolveError

HighsOptions = dict[str, float | int | str | bool]

DEFAULT_HIGHS_OPTIONS: HighsOptions = {
    "solver": "ipm",
    "run_crossover": "on",
    "threads": 2,
    "primal_feasibility_tolerance": 1e-7,
    "dual_feasibility_tolerance": 1e-7,
    "random_seed": 123,
    "output_flag": False,
}
"""HiGHS interior point with crossover: a vertex solution, so prices (duals) are exact
marginal costs; on a full year it is several times faster than dual simplex."""


def available_cores(requested: int | None = None) -> int:
    """Return the cores a run may use: ``requested`` if given, else those this process may run on."""
    if requested is not None:
        return max(1, int(requested))
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextlib.contextmanager
def native_stdout_silenced() -> Iterator[None]:
    """Send the C-level standard output to /dev/null (HiGHS prints a banner there even with
    ``output_flag`` off); Python's own output is unaffected."""
    sys.stdout.flush()
    try:
        fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else 1
        saved = os.dup(fd)
    except (OSError, ValueError):  # no real file descriptor (e.g. captured output)
        yield
        return
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), fd)
        try:
            yield
        finally:
            os.dup2(saved, fd)
            os.close(saved)


INFEASIBLE_HINT = (
    " The problem is infeasible: some demand cannot be met even with load shedding, "
    "or must-run output exceeds what can be absorbed; check must-run shares and limits."
)


def check_options(options: HighsOptions) -> None:
    """Ask HiGHS whether it takes every option and value (HiGHS itself only warns and goes on).

    Raises
    ------
    SolveError
        Naming the first option HiGHS refuses, unknown or with a value of the wrong type or range.
    """
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    for key, value in options.items():
        with native_stdout_silenced():
            status = highs.setOptionValue(key, value)
        if status != highspy.HighsStatus.kOk:
            msg = f"HiGHS refuses the solver option {key} = {value!r} (unknown option, or a value of the wrong type or range)"
            raise SolveError(msg)


def options_in_effect(highs: highspy.Highs, options: HighsOptions) -> dict[str, Any]:
    """Return the value HiGHS holds for each of ``options`` (what the solve used, as HiGHS reports it)."""
    in_effect: dict[str, Any] = {}
    for key in options:
        status, value = highs.getOptionValue(key)
        in_effect[key] = value if status == highspy.HighsStatus.kOk else None
    return in_effect


def solve_model(n: pypsa.Network, options: HighsOptions) -> dict[str, Any]:
    """Solve the network's current linopy model with HiGHS; PyPSA writes the solution into ``n``.

    Returns
    -------
    dict
        The options as HiGHS held them for the solve (:func:`options_in_effect`).

    Raises
    ------
    SolveError
        If HiGHS refuses an option, the solver fails or does not report an optimal solution.
    """
    check_options(options)
    try:
        with native_stdout_silenced():
            status, condition = n.optimize.solve_model(
                solver_name="highs", solver_options=options, log_to_console=False, io_api="direct"
            )
    except Exception as exc:  # the solver or linopy failed before returning a status
        msg = f"the solver failed on network {n.name!r}: {exc}"
        raise SolveError(msg) from exc
    if status != "ok" or condition != "optimal":
        hint = INFEASIBLE_HINT if "infeasible" in str(condition) else ""
        msg = f"solve of {n.name!r} ended with status {status!r}, condition {condition!r}; no result written.{hint}"
        raise SolveError(msg)
    solver = getattr(n.model, "solver_model", None)
    return options_in_effect(solver, options) if isinstance(solver, highspy.Highs) else dict(options)
