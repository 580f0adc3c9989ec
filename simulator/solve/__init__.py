"""Solving a built network: the ``monolithic`` and ``weekly`` strategies and their checks.

Modules, in the order a solve goes through them:

- :mod:`~simulator.solve.assembly` — the one function that builds a network's linopy model
  (PyPSA's model, border limits, hurdle, market rule);
- :mod:`~simulator.solve.highs` — HiGHS options and one status-checked solve;
- :mod:`~simulator.solve.market_rule` — the ``guatemala_only`` rule's second pass, as a pure
  function of hourly flows;
- :mod:`~simulator.solve.monolithic` — one LP over the whole span;
- :mod:`~simulator.solve.coarse`, :mod:`~simulator.solve.weeks`,
  :mod:`~simulator.solve.week_model`, :mod:`~simulator.solve.parallel`,
  :mod:`~simulator.solve.weekly` — the weekly strategy;
- :mod:`~simulator.solve.checks` — the post-solve checks every result passes.
"""

from simulator.solve.checks import bus_balance_residual, check_solution, solution_figures
from simulator.solve.highs import DEFAULT_HIGHS_OPTIONS, HighsOptions, available_cores, native_stdout_silenced
from simulator.solve.market_rule import market_rule_conflicts
from simulator.solve.monolithic import solve_network
from simulator.solve.report import SolveReport
from simulator.solve.weekly import solve_weekly

__all__ = [
    "DEFAULT_HIGHS_OPTIONS",
    "HighsOptions",
    "SolveReport",
    "available_cores",
    "bus_balance_residual",
    "check_solution",
    "market_rule_conflicts",
    "native_stdout_silenced",
    "solution_figures",
    "solve_network",
    "solve_weekly",
]
