"""What a batch leaves: one record per run, the KPI table of all runs, and the solved networks."""

from __future__ import annotations

import logging
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pypsa

from simulator.batch.plan import Job

NOT_SWEPT = "-"
"""Index value of a swept parameter in :meth:`BatchResult.networks` for a run that does not sweep it."""

Status = Literal["pending", "complete", "failed", "cancelled"]


@dataclass
class RunRecord:
    """One run of a batch as the batch manifest lists it.

    ``status`` is ``complete`` (its run folder holds a complete result, ``action`` says whether
    it was ``solved`` by this batch or ``reused``), ``failed`` (``failure`` is one of
    :data:`simulator.batch.tasks.FAILURES`, ``reason`` the message), ``cancelled`` (not run: the
    batch stopped first) or ``pending`` (still running, in a manifest written mid-batch).
    """

    scenario: str
    role: str
    source: str | None
    swept: dict[str, Any]
    key: str | None
    reference: str | None
    status: Status = "pending"
    action: str | None = None
    failure: str | None = None
    reason: str | None = None
    wall_time_s: float | None = None
    cpu_time_s: float | None = None
    peak_memory_mb: float | None = None
    peak_memory_all_processes_mb: float | None = None
    worker: str | None = None
    finished: str | None = None
    path: str | None = None
    traceback: str | None = field(default=None, repr=False)

    @classmethod
    def from_job(cls, job: Job) -> RunRecord:
        """Return the pending record of a planned job."""
        return cls(job.name, job.role, job.source, dict(job.swept), job.key, job.reference)

    def update(self, values: dict[str, Any]) -> None:
        """Set the fields a task or the client reported."""
        for name, value in values.items():
            if name in self.__dataclass_fields__:
                setattr(self, name, value)

    def to_dict(self) -> dict[str, Any]:
        """Return the record as written to ``manifest.json`` (no traceback unless there is one)."""
        out = asdict(self)
        if out["traceback"] is None:
            del out["traceback"]
        return out


@dataclass
class BatchResult:
    """A finished (or stopped) batch.

    Attributes
    ----------
    path
        The batch folder ``DIR/batch-<name>``.
    name
        The batch name.
    records
        One :class:`RunRecord` per run (variants and the references they need).
    kpis
        Every complete run's KPIs, tidy (``scenario, metric, region, carrier, value, unit``)
        plus one column per swept parameter (dotted key; empty where not swept).
    manifest
        The batch manifest as written to ``manifest.json``.
    """

    path: Path
    name: str
    records: list[RunRecord]
    kpis: pd.DataFrame
    manifest: dict[str, Any]

    @property
    def complete(self) -> list[RunRecord]:
        """Runs with a complete result (solved now or reused)."""
        return [r for r in self.records if r.status == "complete"]

    @property
    def failed(self) -> list[RunRecord]:
        """Runs that failed, with ``failure`` and ``reason``."""
        return [r for r in self.records if r.status == "failed"]

    @property
    def cancelled(self) -> list[RunRecord]:
        """Runs not run because the batch stopped first (``--fail-fast`` or an interrupt)."""
        return [r for r in self.records if r.status == "cancelled"]

    @property
    def ok(self) -> bool:
        """True when every run is complete."""
        return all(r.status == "complete" for r in self.records)

    def networks(self, scenarios: list[str] | None = None) -> pypsa.NetworkCollection:
        """Return the solved networks of the complete runs as a :class:`pypsa.NetworkCollection`.

        The collection is indexed by ``scenario`` and, for a batch with sweeps, every swept
        parameter (dotted key; ``"-"`` where a run does not sweep it, e.g. a reference run:
        PyPSA cannot index a collection by NaN). Runs written without
        ``network.nc`` (``outputs.network: false``) are left out.

        Parameters
        ----------
        scenarios
            Only these runs (default: every complete run). Each network is read from disk.
        """
        chosen = [r for r in self.complete if scenarios is None or r.scenario in scenarios]
        chosen = [r for r in chosen if (self.path / r.scenario / "network.nc").is_file()]
        if not chosen:
            msg = f"no solved network to load in {self.path}"
            raise ValueError(msg)
        keys = list(dict.fromkeys(k for r in self.records for k in r.swept))
        paths = [self.path / r.scenario / "network.nc" for r in chosen]
        if not keys:
            index: pd.Index = pd.Index([r.scenario for r in chosen], name="scenario")
        else:
            rows = [(r.scenario, *(_index_value(r.swept.get(k)) for k in keys)) for r in chosen]
            index = pd.MultiIndex.from_tuples(rows, names=["scenario", *keys])
        pypsa_logger = logging.getLogger("pypsa")
        level = pypsa_logger.level
        pypsa_logger.setLevel(logging.WARNING)  # one "Imported network" line per run is noise
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                networks = [pypsa.Network(p) for p in paths]
        finally:
            pypsa_logger.setLevel(level)
        return pypsa.NetworkCollection(networks, index=index)


def _index_value(value: Any) -> Any:
    if value is None:
        return NOT_SWEPT
    if isinstance(value, list | dict):
        return str(value)
    return value
