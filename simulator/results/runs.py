"""Run folders and batch folders as inputs of ``siepac compare`` and ``siepac chart``.

A run folder is ``DIR/<scenario name>/{network.nc, kpis.csv, manifest.json}``
(:mod:`simulator.results.store`). A batch folder ``DIR/batch-<name>/`` holds a
``manifest.json``, a ``kpis.csv`` of every variant (tidy KPI columns plus one column per
swept parameter, named by its dotted key) and one run folder per variant; wherever runs
are expected, a batch folder stands for its run folders.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import pypsa

from simulator.errors import DataError
from simulator.results.kpis import KPI_COLUMNS
from simulator.results.reuse import is_complete_folder
from simulator.results.store import read_kpis


def _run_subfolders(path: Path) -> list[Path]:
    return sorted(d for d in path.iterdir() if not d.name.startswith(".") and is_complete_folder(d))


def is_batch_folder(path: Path) -> bool:
    """Return True if ``path`` is a batch folder: a manifest, a KPI table and run subfolders."""
    return path.is_dir() and (path / "manifest.json").is_file() and bool(_run_subfolders(path))


def batch_variants(path: Path) -> list[Path]:
    """Return a batch folder's variant run folders, in the order of its manifest.

    The manifest of ``siepac batch`` lists every run with its ``role``; reference runs (run
    only so that variants can compare against them) and runs that did not complete are
    left out. Without such a list, every run subfolder counts.
    """
    folders = _run_subfolders(path)
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"{path / 'manifest.json'} could not be read: {exc}") from None
    records = manifest.get("runs") if isinstance(manifest, dict) else None
    if not isinstance(records, list):
        return folders
    by_name = {f.name: f for f in folders}
    chosen = [
        by_name[str(r.get("scenario"))]
        for r in records
        if isinstance(r, dict)
        and r.get("role", "variant") == "variant"
        and r.get("status", "complete") == "complete"
        and str(r.get("scenario")) in by_name
    ]
    if not chosen:
        raise DataError(f"batch folder {path} has no complete variant run (see its manifest.json)")
    return chosen


def expand_run_folders(paths: Sequence[Path]) -> list[Path]:
    """Return the run folders named by ``paths``, a batch folder standing for its variants.

    Raises
    ------
    DataError
        If a path does not exist or is neither a run folder nor a batch folder.
    """
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise DataError(f"run folder {path} not found: expected a folder written by `siepac run` or `siepac batch`")
        if not path.is_dir():
            raise DataError(
                f"{path} is a file, not a run folder: pass the folder that holds kpis.csv and manifest.json"
            )
        if is_batch_folder(path):
            found.extend(batch_variants(path))
            continue
        missing = [name for name in ("kpis.csv", "manifest.json") if not (path / name).is_file()]
        if missing:
            inside = _run_subfolders(path)
            hint = (
                f"; it contains the run folders {', '.join(d.name for d in inside[:8])}{' ...' if len(inside) > 8 else ''}: pass those"
                if inside
                else ""
            )
            raise DataError(f"{path} is not a run folder: {' and '.join(missing)} missing{hint}")
        found.append(path)
    return list(dict.fromkeys(p.resolve() for p in found))


@dataclass
class Run:
    """A finished run read from its folder: KPIs, resolved scenario and (on demand) the network."""

    path: Path
    kpis: pd.DataFrame
    manifest: dict[str, Any]
    label: str = field(default="")

    def __post_init__(self) -> None:
        if not self.label:
            self.label = self.name

    @property
    def scenario(self) -> dict[str, Any]:
        """The resolved scenario recorded in the manifest."""
        return dict(self.manifest.get("scenario") or {})

    @property
    def name(self) -> str:
        """Scenario name (the folder name if the manifest has none)."""
        return str(self.scenario.get("name") or self.path.name)

    @property
    def year(self) -> str:
        """Data year (demand, fleet, fuels) of the scenario."""
        return str(self.scenario.get("year", "?"))

    @property
    def weather(self) -> str:
        """Weather (hydrology) year of the scenario."""
        return str(self.scenario.get("hydrology", self.year))

    @property
    def has_network(self) -> bool:
        """True if the run folder holds ``network.nc``."""
        return (self.path / "network.nc").is_file()

    @cached_property
    def network(self) -> pypsa.Network:
        """The solved network of ``network.nc`` (read on first use)."""
        file = self.path / "network.nc"
        if not file.is_file():
            raise DataError(
                f"{file} not found: this chart needs the solved network; re-run {self.name} with outputs.network: true"
            )
        logging.getLogger("pypsa").setLevel(logging.WARNING)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            try:
                return pypsa.Network(file)
            except (OSError, ValueError, KeyError) as exc:
                raise DataError(f"{file} could not be read as a PyPSA network: {exc}") from None

    def metric(self, metric: str, carrier: str | None = "") -> pd.Series:
        """Return one metric's values by region (and carrier, if ``carrier`` is None).

        Raises
        ------
        DataError
            If the run's ``kpis.csv`` has no row of this metric.
        """
        rows = self.kpis[self.kpis.metric == metric]
        if carrier is not None:
            rows = rows[rows.carrier == carrier]
        if rows.empty:
            have = ", ".join(sorted(set(self.kpis.metric)))
            raise DataError(
                f"{self.path / 'kpis.csv'} has no `{metric}` rows{f' for carrier {carrier!r}' if carrier else ''}; "
                f"it has: {have}"
            )
        if carrier is None:
            return rows.set_index(["region", "carrier"]).value.astype(float)
        return rows.set_index("region").value.astype(float)

    def kpi(self, metric: str, region: str, carrier: str = "") -> float:
        """Return one KPI value; raise :class:`DataError` naming the file if it is absent."""
        values = self.metric(metric, carrier)
        if region not in values.index:
            raise DataError(f"{self.path / 'kpis.csv'} has no `{metric}` row for region {region}")
        return float(values[region])


def load_run(path: Path) -> Run:
    """Read a run folder (its ``kpis.csv`` and ``manifest.json``)."""
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"{path / 'manifest.json'} could not be read: {exc}") from None
    try:
        kpis = read_kpis(path)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{path / 'kpis.csv'} could not be read: {exc}") from None
    missing = [c for c in KPI_COLUMNS if c not in kpis.columns]
    if missing:
        raise DataError(
            f"{path / 'kpis.csv'} lacks the columns {', '.join(missing)}; expected {', '.join(KPI_COLUMNS)}"
        )
    return Run(path=path, kpis=kpis, manifest=manifest if isinstance(manifest, dict) else {})


def load_runs(paths: Sequence[Path]) -> list[Run]:
    """Read the runs named by ``paths`` (batch folders expanded); labels are unique.

    Raises
    ------
    DataError
        If no run is given, or a path is missing or not a run or batch folder.
    """
    if not paths:
        raise DataError("no run folder given: pass one or more run folders, e.g. results/base_2022")
    runs = [load_run(p) for p in expand_run_folders(paths)]
    names = [r.name for r in runs]
    for run in runs:
        if names.count(run.name) > 1:
            run.label = f"{run.path.parent.name}/{run.path.name}"
    return runs


def find_reference(runs: list[Run], name: str | None) -> Run:
    """Return the run called ``name`` (first run if None), looking next to the given runs if needed.

    Raises
    ------
    DataError
        If no run of that name is given or found beside them.
    """
    if name is None:
        return runs[0]
    for run in runs:
        if name in (run.name, run.label, run.path.name):
            return run
    for parent in dict.fromkeys(r.path.parent for r in runs):
        candidate = parent / name
        if (candidate / "kpis.csv").is_file() and (candidate / "manifest.json").is_file():
            return load_run(candidate)
    raise DataError(
        f"reference {name!r} is not among the runs ({', '.join(r.label for r in runs)}) "
        f"and no run folder {name} was found beside them"
    )


def read_batch_table(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Return a batch folder's KPI table and the names of its swept-parameter columns.

    Raises
    ------
    DataError
        If ``path`` is not a batch folder or its table has no swept-parameter column.
    """
    file = path / "kpis.csv"
    if not path.is_dir() or not file.is_file():
        raise DataError(f"{path} is not a batch folder: expected {file} (written by `siepac batch`)")
    try:
        table = pd.read_csv(file, keep_default_na=False, na_values=[""]).fillna({"carrier": ""})
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{file} could not be read: {exc}") from None
    missing = [c for c in KPI_COLUMNS if c not in table.columns]
    if missing:
        raise DataError(f"{file} lacks the columns {', '.join(missing)}; expected {', '.join(KPI_COLUMNS)}")
    parameters = [c for c in table.columns if c not in KPI_COLUMNS]
    if not parameters:
        raise DataError(
            f"{file} has no swept-parameter columns (dotted scenario keys beside {', '.join(KPI_COLUMNS)}): "
            "pass the folder of a batch run of a sweep"
        )
    return table, parameters
