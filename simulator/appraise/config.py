"""Appraisal files: their schema (pydantic v2), the cost defaults of ``grids/appraisal/`` and the loader.

An appraisal file is YAML with one top-level key, ``appraisal:``, which is what tells it
from a scenario file (the scenario loader refuses it with a pointer to ``siepac appraise``).
It names the reference scenario, the project (a scenario file and/or scenario-key changes),
the study years, the hydrologies with their weights, the project's costs (a row of
``grids/appraisal/projects.csv`` and/or explicit figures), the discount rate and CO2 value
(defaults and low/high variants in ``grids/appraisal/parameters.csv``) and, optionally, a
``sample:`` of seeded draws of numeric scenario keys. Read with the scenario files' safe
loader (:mod:`simulator.scenario.yaml_file`), so that every problem names the file, the line
and the key, and the command exits 2.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from simulator.errors import ScenarioError
from simulator.paths import grids_dir
from simulator.scenario.load import Resolved, _check_path, _inner_model
from simulator.scenario.schema import HYDROLOGY_ALIASES, WEATHER_YEARS, study_years
from simulator.scenario.yaml_file import read_document
from simulator.tables import read_table

APPRAISAL_KEY = "appraisal"
"""Top-level key of an appraisal file (a scenario file never has it)."""

PROJECTS_TABLE = "appraisal/projects.csv"
PARAMETERS_TABLE = "appraisal/parameters.csv"
APPRAISAL_TABLES: dict[str, tuple[str, ...]] = {
    PROJECTS_TABLE: ("project", "capex_musd", "fom_musd_per_year", "lifetime_years", "commissioning_year"),
    PARAMETERS_TABLE: ("parameter", "value", "unit"),
}
"""Tables of ``grids/appraisal/`` and their columns (besides source, tag and note)."""

PARAMETERS = (
    "discount_rate_pct",
    "discount_rate_low_pct",
    "discount_rate_high_pct",
    "co2_usd_per_t",
    "co2_low_usd_per_t",
    "co2_high_usd_per_t",
    "lifetime_years",
)
"""Rows ``grids/appraisal/parameters.csv`` must have."""

WEIGHT_TOLERANCE = 1e-6
"""How far from 1 the hydrology weights may sum (rounding of decimal fractions)."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScenarioSpec(_Section):
    """A scenario file and changes to it (dotted scenario keys, e.g. ``grid.second_circuit``)."""

    scenario: str | None = Field(
        None,
        description="Scenario file (relative to the appraisal file, or a file of scenarios/), with or without .yaml.",
        examples=["base_2030.yaml"],
    )
    changes: dict[str, Any] = Field(
        default_factory=dict,
        description="Scenario keys changed (dotted key: value), applied after the file.",
        examples=[{"grid.second_circuit": True}],
    )


class CostsConfig(_Section):
    """The project's costs; unset figures come from the rows of grids/appraisal/projects.csv named in `projects`."""

    projects: list[str] = Field(
        default_factory=list,
        description="Rows (`project`) of grids/appraisal/projects.csv; several add up (capex and fixed O&M summed, "
        "the shortest lifetime, the latest commissioning year).",
        examples=[["pipeline_tapachula", "anchor_ccgt_500mw"]],
    )
    capex_musd: float | None = Field(None, ge=0, le=100_000, description="Investment (MUSD).", examples=[370.0])
    fom_musd_per_year: float | None = Field(None, ge=0, le=10_000, description="Fixed O&M (MUSD a year).")
    lifetime_years: int | None = Field(None, ge=1, le=100, description="Economic lifetime (years).", examples=[40])
    commissioning_year: int | None = Field(
        None, ge=2000, le=2100, description="First year of operation: benefits and fixed O&M from it, capex paid in it."
    )


class EconomicsConfig(_Section):
    """Discounting and the value of CO2; unset values are the defaults of grids/appraisal/parameters.csv."""

    discount_rate_pct: float | None = Field(None, ge=0, le=50, description="Real discount rate (%).", examples=[8.0])
    co2_usd_per_t: float | None = Field(None, ge=0, le=2000, description="Value of a tonne of CO2 (USD/t).")
    base_year: int | None = Field(
        None, ge=2000, le=2100, description="Year values are discounted to; default the commissioning year."
    )
    variants: bool = Field(True, description="Also report NPV at the low and high discount rates and CO2 values.")


class SampleConfig(_Section):
    """Seeded draws of numeric scenario keys; the appraisal then reports P10/P50/P90 of the NPV."""

    n: int = Field(
        ..., ge=2, le=1000, description="Number of draws (each adds a project and a reference run per case)."
    )
    seed: int = Field(0, ge=0, description="Seed of the draws.")
    parameters: dict[str, dict[str, Any]] = Field(
        ...,
        min_length=1,
        description="Dotted scenario key -> {distribution: normal|lognormal|uniform|triangular, ...parameters}.",
        examples=[{"fuels.prices.lng.usd_per_mmbtu": {"distribution": "triangular", "low": 8, "mode": 11, "high": 15}}],
    )


class AppraisalConfig(_Section):
    """A complete appraisal file (the mapping under ``appraisal:``)."""

    name: str = Field(
        ...,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        max_length=60,
        description="Appraisal name: the folder DIR/appraisal-<name>/ and the prefix of every run.",
    )
    description: str = Field("", description="The question the appraisal answers.")
    reference: ScenarioSpec = Field(..., description="The case without the project (a file, and changes).")
    project: ScenarioSpec = Field(
        ..., description="The case with the project: a scenario file (default the reference's) and/or changes."
    )
    overrides: dict[str, Any] = Field(
        default_factory=dict,
        description="Scenario keys set in every run, project and reference (e.g. solve.days for a quick look).",
        examples=[{"solve.days": 7}],
    )
    years: list[int] = Field(..., min_length=1, description="Study years (each a year with input data).")
    hydrology: dict[str, float] = Field(
        ...,
        min_length=1,
        description="Weather years (wet, dry, 2022 or 2023, quoted) and their weights, summing to 1.",
        examples=[{"wet": 0.5, "dry": 0.5}],
    )
    costs: CostsConfig = Field(default_factory=CostsConfig)
    economics: EconomicsConfig = Field(default_factory=EconomicsConfig)
    sample: SampleConfig | None = Field(None, description="Draws for P10/P50/P90 of the NPV.")

    @field_validator("reference", mode="before")
    @classmethod
    def _file_shorthand(cls, value: Any) -> Any:
        return {"scenario": value} if isinstance(value, str) else value

    @field_validator("reference")
    @classmethod
    def _reference_file(cls, value: ScenarioSpec) -> ScenarioSpec:
        if value.scenario is None:
            msg = "the reference needs a scenario file (key `scenario`)"
            raise ValueError(msg)
        return value

    @field_validator("project", mode="before")
    @classmethod
    def _project_shorthand(cls, value: Any) -> Any:
        return {"scenario": value} if isinstance(value, str) else value

    @field_validator("project")
    @classmethod
    def _project_changes_something(cls, value: ScenarioSpec) -> ScenarioSpec:
        if value.scenario is None and not value.changes:
            msg = "the project needs a scenario file (key `scenario`) or scenario-key changes (key `changes`)"
            raise ValueError(msg)
        return value

    @field_validator("years")
    @classmethod
    def _known_years(cls, years: list[int]) -> list[int]:
        known = study_years()
        for year in years:
            if year not in known:
                msg = f"no input data for study year {year}; available years: {', '.join(map(str, known))}"
                raise ValueError(msg)
        if len(set(years)) != len(years):
            msg = f"a study year is listed twice: {years}"
            raise ValueError(msg)
        return sorted(years)

    @field_validator("hydrology")
    @classmethod
    def _known_hydrology(cls, weights: dict[str, float]) -> dict[str, float]:
        names = [*HYDROLOGY_ALIASES, *map(str, WEATHER_YEARS)]
        for label, weight in weights.items():
            if label not in names:
                close = difflib.get_close_matches(label, names, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                msg = f"unknown hydrology {label!r}; use {', '.join(map(repr, names))}{hint}"
                raise ValueError(msg)
            if not (math.isfinite(weight) and 0 < weight <= 1):
                msg = f"weight of {label} must be above 0 and at most 1, found {weight}"
                raise ValueError(msg)
        years = [weather_year(label) for label in weights]
        if len(set(years)) != len(years):
            msg = f"the same weather year is listed twice ({', '.join(weights)})"
            raise ValueError(msg)
        total = sum(weights.values())
        if abs(total - 1.0) > WEIGHT_TOLERANCE:
            shown = " + ".join(f"{w:g}" for w in weights.values())
            msg = f"weights must sum to 1, found {shown} = {total:g}"
            raise ValueError(msg)
        return weights

    @field_validator("overrides")
    @classmethod
    def _override_keys(cls, overrides: dict[str, Any]) -> dict[str, Any]:
        for key in overrides:
            if key.split(".")[0] in ("name", "year", "hydrology", "reference"):
                msg = f"`{key}` is set by the appraisal for every case; it cannot be overridden"
                raise ValueError(msg)
        return overrides


def weather_year(label: str) -> int:
    """Return the weather year of a hydrology label (``wet`` → 2022, ``"2023"`` → 2023)."""
    return HYDROLOGY_ALIASES[label] if label in HYDROLOGY_ALIASES else int(label)


# -- costs and parameters ---------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectCosts:
    """The costs an appraisal discounts (resolved from the file and grids/appraisal/)."""

    capex_musd: float
    fom_musd_per_year: float
    lifetime_years: int
    commissioning_year: int
    rows: tuple[str, ...] = ()


@dataclass(frozen=True)
class Economics:
    """Discount rate and CO2 value with their low/high variants."""

    discount_rate_pct: float
    discount_rate_low_pct: float
    discount_rate_high_pct: float
    co2_usd_per_t: float
    co2_low_usd_per_t: float
    co2_high_usd_per_t: float
    base_year: int | None
    variants: bool


def read_projects(root: Path | None = None) -> pd.DataFrame:
    """Read ``grids/appraisal/projects.csv`` (one row per project, costs in MUSD)."""
    columns = APPRAISAL_TABLES[PROJECTS_TABLE]
    table = read_table(PROJECTS_TABLE, root, columns, numeric=columns[1:], blank_allowed=())
    table["project"] = table.project.astype(str).str.strip()
    duplicated = table[table.project.duplicated()]
    if not duplicated.empty:
        row = duplicated.iloc[0]
        msg = f"{(root or grids_dir()) / PROJECTS_TABLE}:{row.csv_line}: project `{row.project}` is listed twice"
        raise ScenarioError(msg)
    return table


def read_parameters(root: Path | None = None) -> dict[str, float]:
    """Read ``grids/appraisal/parameters.csv`` as ``{parameter: value}`` (every row of :data:`PARAMETERS`)."""
    table = read_table(PARAMETERS_TABLE, root, APPRAISAL_TABLES[PARAMETERS_TABLE], numeric=("value",))
    values = dict(zip(table.parameter.astype(str).str.strip(), table.value.astype(float), strict=True))
    missing = [p for p in PARAMETERS if p not in values]
    if missing:
        msg = f"{(root or grids_dir()) / PARAMETERS_TABLE}: no row for parameter(s) {', '.join(missing)}"
        raise ScenarioError(msg)
    return values


# -- the file ----------------------------------------------------------------------------------


@dataclass
class Appraisal:
    """A validated appraisal file: its configuration, resolved costs and economics, and where it came from."""

    config: AppraisalConfig
    path: Path
    origin: Resolved
    costs: ProjectCosts
    economics: Economics

    @property
    def name(self) -> str:
        """Return the appraisal name."""
        return self.config.name

    def locate(self, *loc: int | str, key: bool = False) -> str:
        """Return ``file:line`` of a key under ``appraisal:``."""
        return self.origin.locate((APPRAISAL_KEY, *loc), key=key)

    @property
    def weights(self) -> dict[str, float]:
        """Return the hydrology labels and their weights."""
        return dict(self.config.hydrology)


def is_appraisal_data(data: Any) -> bool:
    """True when parsed YAML is an appraisal file (its top level has the ``appraisal`` key)."""
    return isinstance(data, dict) and APPRAISAL_KEY in data


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] = AppraisalConfig
    for part in loc:
        if isinstance(part, int):
            continue
        field_info = model.model_fields.get(str(part))
        inner = _inner_model(getattr(field_info, "annotation", None))
        if inner is None:
            return None
        model = inner
    return model


def _describe(error: dict[str, Any], appraisal_locate: Any) -> str:
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        key = str(loc[-1])
        model = _model_at(loc[:-1])
        known = list(model.model_fields) if model else []
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"; did you mean `{close[0]}`?" if close else f"; known keys: {', '.join(known)}"
        under = " under " + ".".join(map(str, (APPRAISAL_KEY, *loc[:-1])))
        return f"{appraisal_locate(loc, True)}: unknown key `{key}`{under}{hint}"
    path = ".".join(str(p) for p in loc if not str(p).startswith("function-") and str(p) != "[key]")
    found = error.get("input")
    found_text = "" if isinstance(found, dict | list) or error["type"] == "missing" else f"; found {found!r}"
    message = str(error["msg"]).removeprefix("Value error, ")
    shown = f"{APPRAISAL_KEY}.{path}" if path else APPRAISAL_KEY
    return f"{appraisal_locate(loc, False)}: key `{shown}`: {message}{found_text}"


def _resolve_costs(config: AppraisalConfig, origin: Resolved, root: Path | None) -> ProjectCosts:
    costs = config.costs
    rows: list[pd.Series] = []
    if costs.projects:
        table = read_projects(root).set_index("project")
        for i, name in enumerate(costs.projects):
            if name not in table.index:
                close = difflib.get_close_matches(name, list(table.index), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(table.index)}"
                where = origin.locate((APPRAISAL_KEY, "costs", "projects", i))
                msg = f"{where}: key `appraisal.costs.projects`: no project {name!r} in grids/{PROJECTS_TABLE}{hint}"
                raise ScenarioError(msg)
            rows.append(table.loc[name])
    defaults = read_parameters(root)
    capex = costs.capex_musd if costs.capex_musd is not None else sum((float(r.capex_musd) for r in rows), 0.0)
    fom = (
        costs.fom_musd_per_year
        if costs.fom_musd_per_year is not None
        else sum((float(r.fom_musd_per_year) for r in rows), 0.0)
    )
    if costs.lifetime_years is not None:
        lifetime = costs.lifetime_years
    elif rows:
        lifetime = min(int(r.lifetime_years) for r in rows)  # the shortest-lived asset ends the benefits
    else:
        lifetime = int(defaults["lifetime_years"])
    if costs.commissioning_year is not None:
        commissioning = costs.commissioning_year
    elif rows:
        commissioning = max(int(r.commissioning_year) for r in rows)  # benefits need every part in service
    else:
        commissioning = config.years[0]
    base = config.economics.base_year
    if base is not None and base > commissioning:
        where = origin.locate((APPRAISAL_KEY, "economics", "base_year"))
        msg = f"{where}: key `appraisal.economics.base_year`: {base} is after the commissioning year {commissioning}"
        raise ScenarioError(msg)
    return ProjectCosts(capex, fom, lifetime, commissioning, tuple(costs.projects))


def _resolve_economics(config: AppraisalConfig, root: Path | None) -> Economics:
    p = read_parameters(root)
    e = config.economics
    rate = e.discount_rate_pct if e.discount_rate_pct is not None else p["discount_rate_pct"]
    co2 = e.co2_usd_per_t if e.co2_usd_per_t is not None else p["co2_usd_per_t"]
    return Economics(
        discount_rate_pct=rate,
        discount_rate_low_pct=p["discount_rate_low_pct"],
        discount_rate_high_pct=p["discount_rate_high_pct"],
        co2_usd_per_t=co2,
        co2_low_usd_per_t=p["co2_low_usd_per_t"],
        co2_high_usd_per_t=p["co2_high_usd_per_t"],
        base_year=e.base_year,
        variants=e.variants,
    )


def _check_dotted_keys(config: AppraisalConfig, origin: Resolved) -> None:
    """Raise if a changed, overridden or sampled key is not a scenario key (at its line)."""
    groups: list[tuple[tuple[str, ...], dict[str, Any]]] = [
        (("reference", "changes"), config.reference.changes),
        (("project", "changes"), config.project.changes),
        (("overrides",), config.overrides),
    ]
    if config.sample is not None:
        groups.append((("sample", "parameters"), config.sample.parameters))
    problems = []
    for loc, mapping in groups:
        for dotted in mapping:
            try:
                _check_path(dotted)
            except ValueError as exc:
                where = origin.locate((APPRAISAL_KEY, *loc, dotted), key=True)
                problems.append(f"{where}: key `{APPRAISAL_KEY}.{'.'.join(loc)}`: `{dotted}`: {exc}")
    if problems:
        raise ScenarioError("\n".join(problems))


def load_appraisal(path: str | Path, root: Path | None = None) -> Appraisal:
    """Read and validate an appraisal file.

    Parameters
    ----------
    path
        YAML file with one top-level key ``appraisal``.
    root
        Data folder of the cost defaults; default ``grids/``.

    Raises
    ------
    ScenarioError
        Listing every problem with file, line and key (unknown keys, weights that do not sum
        to 1, a year without data, a missing reference, an unknown cost row ...).
    """
    file = Path(path)
    doc = read_document(file)
    origin = Resolved(data=doc.data, chain=[doc])
    if not is_appraisal_data(doc.data):
        msg = (
            f"{file}:1: not an appraisal file: expected one top-level key `{APPRAISAL_KEY}` "
            "(a scenario file is run with `siepac run` or `siepac batch`)"
        )
        raise ScenarioError(msg)
    others = [k for k in doc.data if k != APPRAISAL_KEY]
    if others:
        where = origin.locate((others[0],), key=True)
        msg = f"{where}: unknown top-level key `{others[0]}`: an appraisal file holds only `{APPRAISAL_KEY}:`"
        raise ScenarioError(msg)
    body = doc.data[APPRAISAL_KEY]
    if not isinstance(body, dict):
        where = origin.locate((APPRAISAL_KEY,))
        msg = f"{where}: key `{APPRAISAL_KEY}`: expected a mapping (name, reference, project, years, ...)"
        raise ScenarioError(msg)

    def locate(loc: tuple[int | str, ...], key: bool) -> str:
        return origin.locate((APPRAISAL_KEY, *loc), key=key)

    try:
        config = AppraisalConfig.model_validate(body)
    except ValidationError as exc:
        raise ScenarioError("\n".join(dict.fromkeys(_describe(dict(e), locate) for e in exc.errors()))) from None
    _check_dotted_keys(config, origin)
    return Appraisal(config, file, origin, _resolve_costs(config, origin, root), _resolve_economics(config, root))
