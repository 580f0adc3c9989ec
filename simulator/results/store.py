"""Run folders: ``DIR/<scenario name>/{network.nc, kpis.csv, manifest.json}``.

A run is written into a temporary sibling folder and renamed into place only when every
file is complete, so an interrupted or failed run never looks like a result and never
damages the previous result of the same name.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import threading
import time
import uuid
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pypsa

PACKAGES = ("siepac-simulator", "pypsa", "linopy", "highspy", "numpy", "pandas", "xarray", "pydantic", "pvlib")


def package_versions() -> dict[str, str]:
    """Return the versions of Python and of the packages that shape a result."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def reset_peak_memory() -> None:
    """Reset this process's peak resident memory, so that the next reading is from now on (Linux)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")


def peak_memory_mb(children: bool = False) -> float:
    """Return this process's peak resident memory (MB) since start or the last
    :func:`reset_peak_memory`, or with ``children`` the largest peak of any finished child
    process (e.g. the weekly strategy's workers)."""
    if not children:
        with contextlib.suppress(OSError, ValueError):
            for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024.0 if sys.platform != "darwin" else peak / 1024.0**2


def process_tree(pid: int) -> list[int]:
    """Return a process and all its descendants (Linux ``/proc``; just ``pid`` elsewhere)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            children = []
        queue.extend(int(c) for c in children)
    return found


def proportional_memory_mb(pid: int) -> float:
    """Proportional set size of a process (MB): pages shared with other processes (a forked
    worker's inherited model, say) count in shares, so a sum over processes is not inflated."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


class TreeMemorySampler:
    """Sample the memory of this process and its children (sum of proportional set sizes)
    every ``interval`` seconds in a background thread; ``peak_mb`` is the largest sum seen.

    Use as a context manager around work that forks workers (the weekly strategy).
    """

    def __init__(self, pid: int | None = None, interval: float = 0.05) -> None:
        self.pid = pid or os.getpid()
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, sum(proportional_memory_mb(p) for p in process_tree(self.pid)))
            time.sleep(self.interval)

    def __enter__(self) -> TreeMemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def write_run(
    out_dir: Path,
    name: str,
    network: pypsa.Network,
    kpis: pd.DataFrame,
    manifest: dict[str, Any],
    write_network: bool = True,
) -> Path:
    """Write a complete run folder atomically and return its path.

    Parameters
    ----------
    out_dir
        Parent folder of all runs (created if missing).
    name
        Scenario name; the run folder is ``out_dir / name``.
    network, kpis, manifest
        The solved network, the KPI table and the manifest to write.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / name
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".partial", dir=out_dir))
    staging.chmod(0o755)  # mkdtemp makes it private; results are meant to be shared
    try:
        if write_network:
            network.export_to_netcdf(staging / "network.nc")
        kpis.to_csv(staging / "kpis.csv", index=False, float_format="%.10g")
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
        swap_into_place(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


RENAME_EXCHANGE = 2
"""``renameat2`` flag (Linux): swap two paths atomically."""


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with Linux's ``renameat2``; False where it is unavailable."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), RENAME_EXCHANGE)
    if done != 0:
        errno = ctypes.get_errno()
        if errno in (38, 22, 95):  # ENOSYS, EINVAL, EOPNOTSUPP: no exchange on this kernel or file system
            return False
        raise OSError(errno, os.strerror(errno), str(b))
    return True


def swap_into_place(staging: Path, final: Path) -> None:
    """Move a fully written folder onto ``final``, replacing any folder there.

    Safe against concurrent writers and readers: a new ``final`` appears in one rename; an
    existing one is exchanged with the staging folder in one atomic step (Linux
    ``renameat2``), so ``final`` never disappears and two writers never share a temporary
    name (the last one wins, whole). Where the exchange is not available the old folder is
    first renamed to a unique retired name, leaving ``final`` absent for an instant.
    """
    for _ in range(100):
        try:
            staging.rename(final)
            return
        except OSError:
            if not final.exists():  # not a clash with an existing folder: a real error
                raise
        if _exchange(staging, final):
            shutil.rmtree(staging, ignore_errors=True)  # now holds the replaced run
            return
        retired = final.with_name(f".{final.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.replaced")
        try:
            final.rename(retired)
        except FileNotFoundError:  # another writer moved it first: try again
            continue
        shutil.rmtree(retired, ignore_errors=True)
    msg = f"could not move the new run into {final}: other writers kept replacing it"
    raise OSError(msg)


def read_kpis(run_dir: Path) -> pd.DataFrame:
    """Read the KPI table of a run folder."""
    return pd.read_csv(run_dir / "kpis.csv", keep_default_na=False, na_values=[""]).fillna({"carrier": ""})
