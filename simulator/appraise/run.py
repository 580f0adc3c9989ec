"""Run an appraisal: every case through the batch machinery, then benefits, the identity check and economics.

The cases are one batch whose folder is ``DIR/appraisal-<name>/`` (the batch manifest,
KPI table and one run folder per case); a case whose complete run has the same key is
reused, so a second appraisal of the same file solves nothing. A failed case is named in
the result and leaves the other cases' runs in place; the pairs it belongs to are left out
of the economics (and said so).
"""

from __future__ import annotations

import dataclasses
import logging
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pypsa

from simulator.appraise.cases import Case, build_cases
from simulator.appraise.config import Appraisal, load_appraisal
from simulator.batch import BatchResult, execute, plan_batch
from simulator.batch.execute import OnResult, OnStart
from simulator.batch.plan import BatchPlan
from simulator.errors import ScenarioError
from simulator.results.reuse import folder_key
from simulator.scenario import Scenario

APPRAISAL_PREFIX = "appraisal-"
IDENTITY_REPORT_THRESHOLD = 1e-3
"""Relative gap of the cost identity above which a case is reported (0.1 %)."""

BENEFIT_COLUMNS = ("year", "hydrology", "region", "component", "value", "unit", "project_run", "reference_run")
"""Columns of ``benefits.csv``, in order."""

CARRIER_COLUMNS = ("year", "hydrology", "region", "carrier", "value", "unit")
"""Columns of ``producer_surplus_by_carrier.csv``."""

ECONOMIC_FIGURES = (
    "npv_musd",
    "benefit_cost_ratio",
    "irr_pct",
    "payback_year",
    "discounted_payback_year",
    "pv_benefits_musd",
    "pv_costs_musd",
)
"""What ``summary.csv`` keeps of :func:`simulator.appraise.economics.appraise_project`'s result."""

Pair = tuple[int, str, int | None]


@dataclass
class AppraisalResult:
    """A finished appraisal.

    Attributes
    ----------
    appraisal
        The validated file.
    path
        ``DIR/appraisal-<name>/``.
    cases
        Every case (central, then sampled draws).
    batch
        The batch result of the cases' runs (records say which were solved or reused).
    benefits
        Central cases' benefits, :data:`BENEFIT_COLUMNS` (MUSD a year).
    sample_benefits
        Sampled cases' benefits with a ``sample`` column (empty without ``sample:``).
    identity
        One row per (year, hydrology, sample) pair: ``gap`` (relative) and ``ok``.
    summary
        ``summary.csv``: NPV, B/C, IRR, payback by hydrology, weighted, variants, percentiles.
    producer_by_carrier
        Central cases' producer surplus change by carrier (:data:`CARRIER_COLUMNS`, MUSD a year).
    sample_npv
        NPV of every draw by hydrology and weighted (``sample, hydrology, npv_musd``; empty unsampled).
    failed
        ``case name -> reason`` of every case that did not finish.
    """

    appraisal: Appraisal
    path: Path
    cases: list[Case]
    batch: BatchResult
    benefits: pd.DataFrame
    sample_benefits: pd.DataFrame
    identity: pd.DataFrame
    summary: pd.DataFrame
    sample_npv: pd.DataFrame
    producer_by_carrier: pd.DataFrame
    failed: dict[str, str] = field(default_factory=dict)
    wall_time_s: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every case finished and every identity check passed."""
        return not self.failed and bool(self.identity.ok.all())


def draws_of(appraisal: Appraisal) -> list[dict[str, float]]:
    """Return the sampled values of the appraisal's ``sample:`` (none without it).

    Raises
    ------
    ScenarioError
        At the line of a distribution the sampler refuses.
    """
    sample = appraisal.config.sample
    if sample is None:
        return []
    from simulator.appraise.sampling import SampleSpecError, draw_samples

    try:
        return draw_samples(sample.parameters, sample.n, sample.seed)
    except SampleSpecError as exc:
        key, parameter = exc.key, exc.parameter
        loc = ("sample", "parameters", key, *(() if parameter is None else (parameter,)))
        shown = ".".join(("appraisal", "sample", "parameters", key, *(() if parameter is None else (parameter,))))
        message = str(exc).removeprefix(f"{key}.{parameter}: " if parameter else f"{key}: ")
        msg = f"{appraisal.locate(*loc)}: key `{shown}`: {message}"
        raise ScenarioError(msg) from None


def plan_appraisal(
    appraisal: Appraisal,
    out: str | Path = "results",
    *,
    force: bool = False,
    adjust: Callable[[Scenario], Scenario] | None = None,
) -> tuple[list[Case], BatchPlan]:
    """Return the cases of an appraisal and the batch plan that runs them in ``out/appraisal-<name>``.

    ``adjust`` changes every case's scenario before it is planned (a notebook cuts the span
    with it; the case keeps its name, so give the appraisal folder's parent ``out`` per span).

    Raises
    ------
    ScenarioError
        If a case is invalid (against the schema or the input data): nothing runs.
    """
    cases = build_cases(appraisal, draws_of(appraisal))
    if adjust is not None:
        cases = [dataclasses.replace(c, scenario=_adjusted(c.scenario, adjust)) for c in cases]
    plan = plan_batch([c.scenario for c in cases], out, name=appraisal.name, force=force)
    plan.path = Path(out).resolve() / f"{APPRAISAL_PREFIX}{appraisal.name}"
    for job in plan.jobs:  # completeness against the appraisal folder, not out/batch-<name>
        job.complete = not force and job.key is not None and folder_key(plan.path / job.name) == job.key
    if plan.invalid:
        problems = [f"case {j.name}: {line}" for j in plan.invalid for line in (j.problem or "").splitlines()]
        raise ScenarioError("\n".join(problems))
    return cases, plan


def _adjusted(scenario: Scenario, adjust: Callable[[Scenario], Scenario]) -> Scenario:
    changed = adjust(scenario)
    changed._origin, changed._swept = scenario._origin, scenario.swept
    return changed


def _read_network(path: Path) -> pypsa.Network:
    logger = logging.getLogger("pypsa")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            return pypsa.Network(path)
    finally:
        logger.setLevel(level)


def pair_benefits(
    project: pypsa.Network, reference: pypsa.Network, co2_usd_per_t: float
) -> tuple[pd.DataFrame, float, pd.DataFrame]:
    """Return the benefits of one (project, reference) pair, the relative gap of its cost identity
    and the producer surplus change by carrier."""
    from simulator.appraise.benefits import case_benefits, cost_identity_gap, producer_surplus_by_carrier

    benefits = case_benefits(project, reference, co2_usd_per_t=co2_usd_per_t)
    gap = float(cost_identity_gap(project, reference, benefits))
    return benefits, gap, producer_surplus_by_carrier(project, reference)


def totals_by_year(benefits: pd.DataFrame) -> dict[str, dict[int, float]]:
    """Return ``hydrology -> {year: total benefit (MUSD a year)}``: every region and component summed."""
    out: dict[str, dict[int, float]] = {}
    for (hydrology, year), group in benefits.groupby(["hydrology", "year"], sort=True):
        out.setdefault(str(hydrology), {})[int(year)] = float(group.value.sum())
    return out


def with_co2_value(benefits: pd.DataFrame, used: float, wanted: float) -> pd.DataFrame:
    """Return the benefits with the CO2 component valued at ``wanted`` instead of ``used`` USD/t
    (linear: the component is the change in tonnes times the value)."""
    if used == wanted:
        return benefits
    out = benefits.copy()
    co2 = out.component == "co2"
    out.loc[co2, "value"] = 0.0 if used == 0 else out.loc[co2, "value"] * (wanted / used)
    return out


def economics_rows(appraisal: Appraisal, totals: dict[str, dict[int, float]], rate: float) -> dict[str, dict[str, Any]]:
    """Return ``hydrology -> appraise_project(...)`` plus ``weighted`` for benefit totals by year."""
    from simulator.appraise.economics import appraise_project, weighted

    c = appraisal.costs
    results = {
        h: appraise_project(
            totals[h],
            c.capex_musd,
            c.fom_musd_per_year,
            c.lifetime_years,
            c.commissioning_year,
            rate,
            base_year=appraisal.economics.base_year,
        )
        for h in appraisal.weights
        if h in totals
    }
    if len(results) == len(appraisal.weights):
        results["weighted"] = weighted(results, appraisal.weights)
    return results


def _summary(
    appraisal: Appraisal, benefits: pd.DataFrame, sample_benefits: pd.DataFrame, co2_used: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the summary table and the NPV of every draw (``sample, hydrology, npv_musd``)."""
    e = appraisal.economics
    rows: list[dict[str, Any]] = []

    def add(case: str, rate: float, co2: float, frame: pd.DataFrame) -> None:
        totals = totals_by_year(with_co2_value(frame, co2_used, co2))
        for hydrology, values in economics_rows(appraisal, totals, rate).items():
            rows.append(
                {"case": case, "hydrology": hydrology, "discount_rate_pct": rate, "co2_usd_per_t": co2, **values}
            )

    if not benefits.empty:
        add("central", e.discount_rate_pct, e.co2_usd_per_t, benefits)
        if e.variants:
            add("discount_low", e.discount_rate_low_pct, e.co2_usd_per_t, benefits)
            add("discount_high", e.discount_rate_high_pct, e.co2_usd_per_t, benefits)
            add("co2_low", e.discount_rate_pct, e.co2_low_usd_per_t, benefits)
            add("co2_high", e.discount_rate_pct, e.co2_high_usd_per_t, benefits)
    draws: list[dict[str, Any]] = []
    for sample, frame in sample_benefits.groupby("sample") if not sample_benefits.empty else []:
        frame = with_co2_value(frame, co2_used, e.co2_usd_per_t)
        for hydrology, values in economics_rows(appraisal, totals_by_year(frame), e.discount_rate_pct).items():
            draws.append({"sample": int(sample), "hydrology": hydrology, "npv_musd": float(values["npv_musd"])})
    npvs = pd.DataFrame(draws, columns=["sample", "hydrology", "npv_musd"])
    weighted_npv = npvs[npvs.hydrology == "weighted"].npv_musd.tolist()
    if weighted_npv:
        from simulator.appraise.economics import percentiles

        marks = percentiles(weighted_npv, (10, 50, 90))
        for p in (10, 50, 90):
            value = marks[f"p{p}"]
            rows.append(
                {
                    "case": f"sample_p{p}",
                    "hydrology": "weighted",
                    "discount_rate_pct": e.discount_rate_pct,
                    "co2_usd_per_t": e.co2_usd_per_t,
                    "npv_musd": float(value),
                    "draws": len(weighted_npv),
                }
            )
    return pd.DataFrame(rows), npvs


def appraise(
    file: str | Path | Appraisal,
    out: str | Path = "results",
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any | None = None,
    force: bool = False,
    on_result: OnResult | None = None,
    on_start: OnStart | None = None,
    write: bool = True,
    adjust: Callable[[Scenario], Scenario] | None = None,
    planned: tuple[list[Case], BatchPlan] | None = None,
) -> AppraisalResult:
    """Run every case of an appraisal file (reusing complete runs), then appraise the project.

    Parameters
    ----------
    file
        Appraisal file, or one already loaded.
    out
        Parent folder of ``appraisal-<name>/``.
    workers, scheduler, client
        Where the runs are solved (as :func:`simulator.batch.run`).
    force
        Solve every case again.
    on_result, on_start
        Batch callbacks (progress).
    write
        Write benefits.csv, summary.csv, appraisal.md and appraisal.xlsx.
    adjust
        Applied to every case's scenario before planning (see :func:`plan_appraisal`).
    planned
        The cases and plan :func:`plan_appraisal` returned for this appraisal (not planned again).

    Returns
    -------
    AppraisalResult

    Raises
    ------
    ScenarioError
        If the file or a case is invalid (nothing is solved).
    """
    started = time.perf_counter()
    appraisal = file if isinstance(file, Appraisal) else load_appraisal(file)
    cases, plan = planned if planned is not None else plan_appraisal(appraisal, out, force=force, adjust=adjust)
    batch = execute(plan, workers=workers, scheduler=scheduler, client=client, on_result=on_result, on_start=on_start)
    by_name = {r.scenario: r for r in batch.records}
    failed = {
        c.name: f"{by_name[c.name].failure}: {by_name[c.name].reason}"
        for c in cases
        if by_name[c.name].status != "complete"
    }
    pairs: dict[Pair, dict[str, Case]] = {}
    for case in cases:
        pairs.setdefault(case.pair, {})[case.role] = case
    co2 = appraisal.economics.co2_usd_per_t
    frames, sampled, identity, by_carrier = [], [], [], []
    for (year, hydrology, sample), pair in pairs.items():
        project, reference = pair["project"], pair["reference"]
        if project.name in failed or reference.name in failed:
            continue
        paths = [plan.path / c.name / "network.nc" for c in (project, reference)]
        missing = [p for p in paths if not p.is_file()]
        if missing:
            for p in missing:
                failed[p.parent.name] = "no network.nc in its run folder (outputs.network: false?)"
            continue
        # valued at 1 USD/t: the CO2 rows are then the tonnes avoided (Mt), scaled to any value below
        benefits, gap, carriers = pair_benefits(_read_network(paths[0]), _read_network(paths[1]), 1.0)
        identity.append(
            {
                "year": year,
                "hydrology": hydrology,
                "sample": sample,
                "project_run": project.name,
                "reference_run": reference.name,
                "gap": gap,
                "ok": abs(gap) <= IDENTITY_REPORT_THRESHOLD,
            }
        )
        benefits = benefits.assign(
            year=year, hydrology=hydrology, project_run=project.name, reference_run=reference.name
        )
        if sample is None:
            frames.append(benefits[list(BENEFIT_COLUMNS)])
            by_carrier.append(carriers.assign(year=year, hydrology=hydrology)[list(CARRIER_COLUMNS)])
        else:
            sampled.append(benefits.assign(sample=sample)[[*BENEFIT_COLUMNS, "sample"]])
    benefits_table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(BENEFIT_COLUMNS))
    sample_table = (
        pd.concat(sampled, ignore_index=True) if sampled else pd.DataFrame(columns=[*BENEFIT_COLUMNS, "sample"])
    )
    carrier_table = (
        pd.concat(by_carrier, ignore_index=True) if by_carrier else pd.DataFrame(columns=list(CARRIER_COLUMNS))
    )
    identity_table = pd.DataFrame(
        identity, columns=["year", "hydrology", "sample", "project_run", "reference_run", "gap", "ok"]
    )
    summary, sample_npv = _summary(appraisal, benefits_table, sample_table, 1.0)
    benefits_table = with_co2_value(benefits_table, 1.0, co2)
    sample_table = with_co2_value(sample_table, 1.0, co2)
    result = AppraisalResult(
        appraisal,
        plan.path,
        cases,
        batch,
        benefits_table,
        sample_table,
        identity_table,
        summary,
        sample_npv,
        carrier_table,
        failed,
        time.perf_counter() - started,
    )
    if write:
        from simulator.appraise.output import write_outputs

        write_outputs(result)
    return result
