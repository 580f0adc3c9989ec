"""Dask worker preload: a batch's worker processes ignore Ctrl-C.

The terminal sends SIGINT to the whole process group. The client stops the batch and shuts
the cluster down cleanly; workers that also caught it would die mid-run with tracebacks.
"""

from __future__ import annotations

import contextlib
import signal
from typing import Any


def dask_setup(worker: Any) -> None:
    """Ignore SIGINT in this worker process (called by Dask when the worker starts)."""
    with contextlib.suppress(ValueError):  # not the main thread: nothing to do
        signal.signal(signal.SIGINT, signal.SIG_IGN)
