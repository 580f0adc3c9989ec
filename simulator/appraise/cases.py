"""The cases of an appraisal: study year x hydrology (x sample draw) x {project, reference}, as scenarios.

Each case is a :class:`~simulator.scenario.Scenario` built from a scenario file (its
``extends`` chain resolved as for ``siepac run``), the appraisal's changes and overrides,
and the case's ``year`` and ``hydrology``. Its name says the case:
``<appraisal>-<year>-<hydrology>[-s<draw>]-<project|reference>``. A case never names a
``reference`` of its own: the appraisal compares the pair itself, and a scenario file's
reference would add a full-year run of another span to the batch.

Problems point at the line that set the key: the appraisal file for its changes,
overrides, years and hydrologies, the scenario file for everything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from simulator.appraise.config import Appraisal
from simulator.errors import ScenarioError
from simulator.paths import scenarios_dir
from simulator.scenario import Scenario
from simulator.scenario.load import Resolved, _describe, _set_path, resolve

Role = Literal["project", "reference"]
ROLES: tuple[Role, ...] = ("project", "reference")


@dataclass
class _CaseOrigin(Resolved):
    """Where a case's keys were set: keys the appraisal set point at the appraisal file."""

    set_at: dict[str, str] = field(default_factory=dict)

    def locate(self, loc: tuple[int | str, ...], key: bool = False) -> str:
        dotted = ".".join(map(str, loc))
        for prefix, where in self.set_at.items():
            if dotted == prefix or dotted.startswith(prefix + "."):
                return where
        return super().locate(loc, key)


@dataclass(frozen=True)
class Case:
    """One run of an appraisal."""

    year: int
    hydrology: str
    role: Role
    sample: int | None
    scenario: Scenario

    @property
    def name(self) -> str:
        """Return the run name (also its folder in the appraisal folder)."""
        return self.scenario.name

    @property
    def pair(self) -> tuple[int, str, int | None]:
        """Return what a project case and its reference case share: (year, hydrology, draw)."""
        return (self.year, self.hydrology, self.sample)


def case_name(appraisal: str, year: int, hydrology: str, role: Role, sample: int | None = None) -> str:
    """Return the run name of a case, e.g. ``second_circuit-2030-wet-project``."""
    draw = "" if sample is None else f"-s{sample:03d}"
    return f"{appraisal}-{year}-{hydrology}{draw}-{role}"


def scenario_file(spec: str, appraisal_file: Path, where: str) -> Path:
    """Return the scenario file ``spec`` names: relative to the appraisal file, else in ``scenarios/``."""
    names = [spec] if spec.endswith((".yaml", ".yml")) else [f"{spec}.yaml", spec]
    for name in names:
        for folder in (appraisal_file.parent, scenarios_dir()):
            candidate = folder / name if not Path(name).is_absolute() else Path(name)
            if candidate.is_file():
                return candidate
    known = sorted(p.stem for p in scenarios_dir().glob("*.yaml") if not p.stem.startswith("appraisal_"))
    msg = (
        f"{where}: scenario file {spec!r} not found next to {appraisal_file} or in {scenarios_dir()} "
        f"(shipped: {', '.join(known)})"
    )
    raise ScenarioError(msg)


def _read(appraisal: Appraisal, role: Role) -> tuple[Resolved, dict[str, Any], dict[str, str]]:
    """Return the resolved scenario file of a role, its data with the role's changes, and where they were set."""
    config = appraisal.config
    spec = config.reference if role == "reference" else config.project
    changes: list[tuple[tuple[str, ...], dict[str, Any]]] = []
    if role == "project" and spec.scenario is None:  # the reference case plus the project's changes
        file_spec, file_loc = config.reference.scenario, ("reference", "scenario")
        changes.append((("reference", "changes"), config.reference.changes))
    else:
        file_spec, file_loc = spec.scenario, (role, "scenario")
    changes.append(((role, "changes"), spec.changes))
    assert file_spec is not None  # the schema requires the reference's file
    path = scenario_file(file_spec, appraisal.path, appraisal.locate(*file_loc))
    try:
        resolved = resolve(path)
    except ScenarioError as exc:
        msg = f"{appraisal.locate(*file_loc)}: key `appraisal.{'.'.join(file_loc)}`: {path}: {exc}"
        raise ScenarioError(msg) from None
    if resolved.sweep is not None:
        msg = (
            f"{appraisal.locate(*file_loc)}: key `appraisal.{'.'.join(file_loc)}`: {path} is a sweep; name one scenario"
        )
        raise ScenarioError(msg)
    data, set_at = resolved.data, {}
    for loc, mapping in changes:
        for dotted, value in mapping.items():
            data = _set_path(data, dotted, value)
            set_at[dotted] = appraisal.locate(*loc, dotted)
    return resolved, data, set_at


def build_cases(appraisal: Appraisal, draws: list[dict[str, float]] | None = None) -> list[Case]:
    """Return every case of an appraisal, validated: the central cases, then those of each draw.

    Parameters
    ----------
    appraisal
        From :func:`~simulator.appraise.config.load_appraisal`.
    draws
        Sampled values (dotted key -> value), one mapping per draw, applied to project and
        reference alike (see :func:`simulator.appraise.sampling.draw_samples`).

    Raises
    ------
    ScenarioError
        Listing every invalid case by name, with file, line and key.
    """
    config = appraisal.config
    read = {role: _read(appraisal, role) for role in ROLES}
    common = {dotted: appraisal.locate("overrides", dotted) for dotted in config.overrides}
    common |= {"year": appraisal.locate("years"), "hydrology": appraisal.locate("hydrology")}
    common |= {"name": appraisal.locate("name"), "reference": appraisal.locate("name")}
    samples: list[tuple[int | None, dict[str, float]]] = [(None, {})]
    samples += list(enumerate(draws or []))
    cases: list[Case] = []
    problems: list[str] = []
    for sample, drawn in samples:
        sampled_at = {k: appraisal.locate("sample", "parameters", k) for k in drawn}
        for year in config.years:
            for label in config.hydrology:
                for role in ROLES:
                    resolved, data, set_at = read[role]
                    name = case_name(config.name, year, label, role, sample)
                    for dotted, value in {**config.overrides, **drawn}.items():
                        data = _set_path(data, dotted, value)
                    hydrology: int | str = label if label in ("wet", "dry") else int(label)
                    description = f"{config.description} ({role}, {year}, {label} weather".rstrip()
                    description += ")" if sample is None else f", draw {sample})"
                    data = {
                        **data,
                        "name": name,
                        "year": year,
                        "hydrology": hydrology,
                        "reference": None,
                        "description": description,
                    }
                    origin = _CaseOrigin(resolved.data, resolved.chain, None, {**set_at, **common, **sampled_at})
                    try:
                        scenario = Scenario.model_validate(data)
                    except ValidationError as exc:
                        problems.extend(f"case {name}: {_describe(dict(e), origin)}" for e in exc.errors())
                        continue
                    scenario._origin = origin
                    scenario._swept = {"case": role, "year": year, "hydrology": label, **drawn}
                    cases.append(Case(year, label, role, sample, scenario))
    if problems:
        raise ScenarioError("\n".join(dict.fromkeys(problems)))
    return cases
