"""User-facing error types.

Every error a user can cause (bad scenario, missing or inconsistent data, a solve that
is not optimal) is raised as a subclass of :class:`SiepacError`; the command line prints
its message as one paragraph and exits with :data:`EXIT_USER_ERROR`, without traceback.
"""

from __future__ import annotations

EXIT_USER_ERROR = 2
"""Exit code for bad input (scenario or data) and failed solves."""


class SiepacError(Exception):
    """Base class of errors whose message is meant for the user."""


class ScenarioError(SiepacError):
    """The scenario file is missing, unreadable or invalid."""


class DataError(SiepacError):
    """An input table under ``grids/`` is missing or inconsistent."""


class SolveError(SiepacError):
    """The optimisation did not end optimal, or its result failed a sanity check."""
