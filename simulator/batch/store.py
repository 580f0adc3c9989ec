"""The batch folder: ``DIR/batch-<name>/{manifest.json, kpis.parquet, kpis.csv, <run>/...}``.

Every file is written to a temporary name and renamed into place, so a reader never sees
half a file. A lock file keeps two batches from writing the same folder at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from simulator.batch.result import BatchResult, RunRecord
from simulator.errors import ScenarioError
from simulator.files import is_temporary, write_atomic
from simulator.results.kpis import KPI_COLUMNS
from simulator.results.store import read_kpis

MANIFEST_FORMAT = 1


def write_manifest(folder: Path, manifest: dict[str, Any]) -> Path:
    """Write ``manifest.json`` atomically."""
    path = folder / "manifest.json"
    text = json.dumps(manifest, indent=2, default=str) + "\n"
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return path


@contextlib.contextmanager
def batch_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the batch folder; raise if another batch holds it."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("w", encoding="ascii") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            msg = f"another batch is writing {folder}; wait for it to finish or choose another --out or --name"
            raise ScenarioError(msg) from None
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_leftovers(folder: Path) -> list[str]:
    """Remove temporary run folders that a killed run left behind (call with the lock held)."""
    removed = []
    for path in folder.glob(".*"):
        if path.is_dir() and path.name.endswith((".partial", ".replaced")):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
        elif path.is_file() and is_temporary(path):
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed


def _swept_column(values: list[Any]) -> pd.Series:
    """Return one swept-parameter column that Parquet can store (one type; lists as JSON)."""
    cells = [json.dumps(v) if isinstance(v, list | dict) else v for v in values]
    kinds = {type(v) for v in cells if v is not None}
    if kinds <= {int, float} and kinds:
        return pd.Series([float("nan") if v is None else v for v in cells], dtype="float64")
    if len(kinds) > 1:
        cells = [None if v is None else str(v) for v in cells]
    return pd.Series(cells, dtype="object")


def kpi_table(folder: Path, records: list[RunRecord]) -> pd.DataFrame:
    """Return the KPIs of every complete run, tidy, with one column per swept parameter."""
    keys = list(dict.fromkeys(k for r in records for k in r.swept))
    frames = []
    for record in records:
        if record.status != "complete":
            continue
        kpis = read_kpis(folder / record.scenario)
        for key in keys:
            kpis[key] = record.swept.get(key)
        frames.append(kpis)
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in [*KPI_COLUMNS, *keys]})
    table = pd.concat(frames, ignore_index=True)
    for key in keys:
        table[key] = _swept_column(table[key].tolist())
    return table[[*KPI_COLUMNS, *keys]]


def write_kpis(folder: Path, table: pd.DataFrame) -> None:
    """Write ``kpis.parquet`` and ``kpis.csv`` atomically."""
    write_atomic(folder / "kpis.parquet", lambda tmp: table.to_parquet(tmp, index=False))
    write_atomic(folder / "kpis.csv", lambda tmp: table.to_csv(tmp, index=False, float_format="%.10g"))


def load_batch(path: str | Path) -> BatchResult:
    """Open a batch folder written earlier (``DIR/batch-<name>``).

    Raises
    ------
    ScenarioError
        If the folder holds no batch manifest.
    """
    folder = Path(path)
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        msg = f"{folder} is not a batch folder (no manifest.json)"
        raise ScenarioError(msg)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if "runs" not in manifest or "batch" not in manifest:
        msg = f"{manifest_path} is not a batch manifest"
        raise ScenarioError(msg)
    fields = RunRecord.__dataclass_fields__
    records = [RunRecord(**{k: v for k, v in run.items() if k in fields}) for run in manifest["runs"]]
    parquet = folder / "kpis.parquet"
    kpis = pd.read_parquet(parquet) if parquet.is_file() else kpi_table(folder, records)
    return BatchResult(folder, str(manifest["batch"]), records, kpis, manifest)
