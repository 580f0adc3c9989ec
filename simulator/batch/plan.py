"""What a batch runs: every scenario and sweep variant, their references, keys and what is already done.

Planning reads and validates everything before anything is solved. A file that cannot be
read (missing, not YAML, a broken ``extends`` or ``sweep``) is a user error for the whole
batch; a *variant* that fails validation is recorded as a failed run (``invalid``) and the
others still run.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from simulator.data import InputData, data_hash, load_data
from simulator.errors import ScenarioError
from simulator.results.reuse import folder_key, run_key, scenario_json
from simulator.results.store import package_versions
from simulator.run import reference_scenario
from simulator.scenario import Scenario
from simulator.scenario.data_checks import check_scenario_data
from simulator.scenario.load import expand, resolve, validate

BATCH_PREFIX = "batch-"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
MAX_NAME_LENGTH = 80
MAX_REFERENCE_DEPTH = 4

Role = Literal["variant", "reference"]


@dataclass
class Job:
    """One run of a batch: a scenario (sweep variant or reference) and its run folder.

    Attributes
    ----------
    name
        Scenario name, also the run folder ``<batch folder>/<name>``.
    role
        ``variant`` (asked for) or ``reference`` (a reference run a variant compares against).
    source
        The scenario file it comes from (``None`` for a :class:`Scenario` given in Python).
    swept
        Swept parameters (dotted key -> value), empty if not a sweep variant.
    scenario
        The resolved scenario (``Scenario.model_dump(mode="json")``); ``None`` if invalid.
    reference
        Name of the job whose run folder this one's ``reference`` uses, if any.
    reference_scenario
        The resolved scenario of that reference (part of the key).
    problem
        Why the variant is invalid (validation message), else ``None``.
    key
        Hash of the resolved scenario, its reference, the input data and package versions.
    complete
        A complete run folder with this key exists (and ``force`` was not given).
    """

    name: str
    role: Role
    source: str | None
    swept: dict[str, Any] = field(default_factory=dict)
    scenario: dict[str, Any] | None = None
    reference: str | None = None
    reference_scenario: dict[str, Any] | None = None
    problem: str | None = None
    key: str | None = None
    complete: bool = False


@dataclass
class BatchPlan:
    """Every job of a batch and where it is written."""

    name: str
    path: Path
    jobs: list[Job]
    files: list[str]
    input_data_sha256: str
    packages: dict[str, str]
    force: bool = False

    @property
    def invalid(self) -> list[Job]:
        """Jobs that failed validation (never run)."""
        return [j for j in self.jobs if j.problem is not None]

    @property
    def reused(self) -> list[Job]:
        """Jobs whose complete result is reused."""
        return [j for j in self.jobs if j.problem is None and j.complete]

    @property
    def to_run(self) -> list[Job]:
        """Jobs to solve, each after the reference run it depends on (whose task must exist first);
        runs that others compare against come early."""
        referenced = {j.reference for j in self.jobs if j.reference is not None}
        todo = [j for j in self.jobs if j.problem is None and not j.complete]
        return sorted(todo, key=lambda j: (reference_level(j, self.jobs), j.name not in referenced))

    @property
    def swept_parameters(self) -> list[str]:
        """Every swept dotted key of the batch, in order of first appearance."""
        return list(dict.fromkeys(k for j in self.jobs for k in j.swept))


def reference_level(job: Job, jobs: list[Job]) -> int:
    """Return how many reference runs ``job`` depends on in a chain (0: none).

    Raises
    ------
    ScenarioError
        If the references form a cycle.
    """
    by_name = {j.name: j for j in jobs if j.problem is None}
    level, seen, current = 0, {job.name}, job
    while current.reference is not None and current.reference in by_name:
        current = by_name[current.reference]
        if current.name in seen:
            msg = f"cyclic references: {job.name} depends on itself through {current.name}"
            raise ScenarioError(msg)
        seen.add(current.name)
        level += 1
    return level


def batch_name(items: Sequence[str | Path | Scenario], name: str | None = None) -> str:
    """Return the batch name: ``name`` if given, else the file stems (or scenario names) joined by ``+``."""
    if name is not None:
        if not NAME_PATTERN.match(name) or len(name) > MAX_NAME_LENGTH:
            msg = (
                f"batch name {name!r}: use letters, digits, '_', '.', '+' or '-' (at most {MAX_NAME_LENGTH} characters)"
            )
            raise ScenarioError(msg)
        return name
    stems = [item.name if isinstance(item, Scenario) else Path(item).stem for item in items]
    stems = list(dict.fromkeys(re.sub(r"[^A-Za-z0-9_.-]+", "_", s).strip("._-") or "scenario" for s in stems))
    joined = "+".join(stems)
    if len(joined) <= MAX_NAME_LENGTH:
        return joined
    digest = hashlib.sha256(joined.encode()).hexdigest()[:8]
    return f"{stems[0][:40]}+{len(stems) - 1}-more-{digest}"


def _variants(item: str | Path | Scenario, data: InputData) -> list[Job]:
    """Return the jobs of one file or scenario; invalid variants carry their problem."""
    if isinstance(item, Scenario):
        try:
            check_scenario_data(item, data)
        except ScenarioError as exc:
            return [Job(item.name, "variant", None, item.swept, problem=str(exc))]
        return [Job(item.name, "variant", None, item.swept, scenario=scenario_json(item))]
    resolved = resolve(item)  # a file that cannot be read or expanded fails the whole batch
    jobs = []
    for name, data_dict, swept in expand(resolved):
        source = str(item)
        try:
            scenario = validate(data_dict, resolved)
            check_scenario_data(scenario, data)
        except ScenarioError as exc:
            prefix = f"variant {name}: " if swept else ""
            problem = "\n".join(prefix + line for line in str(exc).splitlines())
            jobs.append(Job(name or Path(item).stem, "variant", source, swept, problem=problem))
            continue
        scenario._swept = swept
        jobs.append(Job(scenario.name, "variant", source, swept, scenario=scenario_json(scenario)))
    return jobs


def plan_batch(
    items: Sequence[str | Path | Scenario] | str | Path | Scenario,
    out: str | Path = "results",
    *,
    name: str | None = None,
    force: bool = False,
    data: InputData | None = None,
) -> BatchPlan:
    """Read, expand and validate every scenario of a batch and decide what to run.

    Parameters
    ----------
    items
        Scenario files (sweeps expand to their variants) and/or :class:`Scenario` objects.
    out
        Parent folder of the batch folder ``out/batch-<name>``.
    name
        Batch name; default the file stems joined by ``+``.
    force
        Run everything again, even runs with a complete result of the same key.
    data
        Input tables; read from ``grids/`` when omitted.

    Returns
    -------
    BatchPlan
        The jobs (variants, then the references they need) with keys and completeness.

    Raises
    ------
    ScenarioError
        If a file cannot be read or expanded, two runs share a name, or nothing is given.
    """
    if isinstance(items, str | Path | Scenario):
        items = [items]
    unique: dict[object, str | Path | Scenario] = {}
    for item in items:  # the same file given twice is one set of runs
        unique.setdefault(id(item) if isinstance(item, Scenario) else Path(item).resolve(), item)
    items = list(unique.values())
    if not items:
        msg = "no scenario files given"
        raise ScenarioError(msg)
    data = data or load_data()
    jobs: list[Job] = []
    for item in items:
        jobs.extend(_variants(item, data))
    by_name: dict[str, Job] = {}
    for job in jobs:
        if job.problem is not None:  # no run folder: an invalid variant cannot clash
            continue
        if job.name in by_name:
            first, second = by_name[job.name].source or "a Python scenario", job.source or "a Python scenario"
            msg = f"two runs are named {job.name!r} ({first} and {second}); run names must be unique in a batch"
            raise ScenarioError(msg)
        by_name[job.name] = job
    depth = {id(job): 0 for job in jobs}
    for job in jobs:  # grows: a reference run may have a reference of its own
        if job.scenario is None or job.scenario.get("reference") is None:
            continue
        if depth[id(job)] >= MAX_REFERENCE_DEPTH:
            msg = f"references nested more than {MAX_REFERENCE_DEPTH} deep at {job.name} (a cycle?)"
            raise ScenarioError(msg)
        try:
            ref = reference_scenario(Scenario.model_validate(job.scenario))
        except ScenarioError as exc:
            job.problem, job.scenario = f"reference {job.scenario['reference']!r}: {exc}", None
            continue
        assert ref is not None
        ref_json = scenario_json(ref)
        existing = by_name.get(ref.name)
        if existing is None:
            existing = Job(ref.name, "reference", f"reference of {job.name}", scenario=ref_json)
            by_name[ref.name] = existing
            depth[id(existing)] = depth[id(job)] + 1
            jobs.append(existing)
        elif existing.scenario != ref_json:
            msg = (
                f"{job.name} compares against {ref.name!r}, but the batch also has a run of that name "
                "with another definition; rename it"
            )
            raise ScenarioError(msg)
        job.reference, job.reference_scenario = ref.name, ref_json
    for job in jobs:
        reference_level(job, jobs)  # no cycles
    digest, packages = data_hash(data.root), package_versions()
    path = Path(out).resolve() / f"{BATCH_PREFIX}{batch_name(items, name)}"
    for job in jobs:
        if job.scenario is None:
            continue
        job.key = run_key(job.scenario, digest, packages, job.reference_scenario)
        job.complete = not force and folder_key(path / job.name) == job.key
    files = [str(item) for item in items if not isinstance(item, Scenario)]
    return BatchPlan(path.name.removeprefix(BATCH_PREFIX), path, jobs, files, digest, packages, force)
