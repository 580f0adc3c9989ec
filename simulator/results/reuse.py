"""When a run folder can stand in for a new solve: the one reuse rule of run, batch, backtest and charts.

A folder holds a *complete* run when its ``manifest.json`` (a readable JSON object) and
``kpis.csv`` are both there; :func:`~simulator.results.store.write_run` renames a folder
into place only once both are written, so a killed run leaves no complete folder behind.
A complete run is *reusable* for a new one when their keys agree: the key
(:func:`run_key`) covers the resolved scenario, the resolved scenario of its reference
(read from the reference's own folder), the input data hash and the package versions.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from simulator.scenario import Scenario


def scenario_json(scenario: Scenario) -> dict[str, Any]:
    """Return the resolved scenario as stored in a run manifest (JSON round trip included)."""
    dumped = scenario.model_dump(mode="json")
    # A batch worker rebuilds the scenario from this dict; what it writes is the dump of that.
    return Scenario.model_validate(dumped).model_dump(mode="json")


def run_key(
    scenario: dict[str, Any], input_data_sha256: str, packages: dict[str, str], reference: dict[str, Any] | None
) -> str:
    """Return the key of a run: SHA-256 (16 hex digits) of its resolved scenario, its resolved
    reference (if any), the input data hash and the package versions."""
    payload = {
        "scenario": scenario,
        "reference": reference,
        "input_data_sha256": input_data_sha256,
        "packages": packages,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def complete_run_manifest(folder: Path) -> dict[str, Any] | None:
    """Return the manifest of the complete run in ``folder`` (``None`` if it holds none)."""
    manifest = folder / "manifest.json"
    if not (manifest.is_file() and (folder / "kpis.csv").is_file()):
        return None
    try:
        loaded = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def is_complete_folder(folder: Path) -> bool:
    """True when ``folder`` holds a complete run (see :func:`complete_run_manifest`)."""
    return folder.is_dir() and complete_run_manifest(folder) is not None


def folder_key(folder: Path) -> str | None:
    """Return the key of the complete run in ``folder`` (``None`` if there is none).

    The reference part of the key comes from the reference's run folder, a sibling named in
    the manifest; if that folder is gone or incomplete, the run does not count as complete.
    """
    manifest = complete_run_manifest(folder)
    if manifest is None or "scenario" not in manifest:
        return None
    reference: dict[str, Any] | None = None
    if manifest.get("reference"):
        ref_manifest = complete_run_manifest(folder.parent / Path(str(manifest["reference"].get("path", ""))).name)
        if ref_manifest is None:
            return None
        reference = ref_manifest.get("scenario")
    return run_key(
        manifest["scenario"], str(manifest.get("input_data_sha256")), manifest.get("packages") or {}, reference
    )


def is_reusable_run(
    folder: Path,
    scenario: Scenario,
    input_data_sha256: str,
    packages: dict[str, str],
    reference: Scenario | None = None,
) -> bool:
    """True when ``folder`` holds a complete run with the key a new run of ``scenario`` would have."""
    ref_json = None if reference is None else scenario_json(reference)
    return folder_key(folder) == run_key(scenario_json(scenario), input_data_sha256, packages, ref_json)
