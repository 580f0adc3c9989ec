"""What an appraisal writes in ``DIR/appraisal-<name>/``: benefits.csv, summary.csv, appraisal.md and .xlsx.

Every file is written to a temporary name and renamed into place
(:func:`simulator.files.write_atomic`), so a reader never sees half of one.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from simulator import ALL_REGIONS
from simulator.appraise.benefits import COMPONENTS
from simulator.files import write_atomic, write_text_atomic

if TYPE_CHECKING:
    from simulator.appraise.run import AppraisalResult

SUMMARY_COLUMNS = (
    "case",
    "hydrology",
    "discount_rate_pct",
    "co2_usd_per_t",
    "npv_musd",
    "benefit_cost_ratio",
    "irr_pct",
    "payback_year",
    "discounted_payback_year",
    "pv_benefits_musd",
    "pv_costs_musd",
    "draws",
)
"""Columns of ``summary.csv``: one row per (case, hydrology); ``case`` is central, a low/high variant
of the discount rate or CO2 value, or a percentile of the sampled NPV (``sample_p10`` ...)."""

FLOAT_FORMAT = "%.6g"


def summary_table(result: AppraisalResult) -> pd.DataFrame:
    """Return ``summary.csv``'s table (every :data:`SUMMARY_COLUMNS`, empty cells where not defined)."""
    return result.summary.reindex(columns=list(SUMMARY_COLUMNS))


def components_table(result: AppraisalResult) -> pd.DataFrame:
    """Return the weighted annual benefit (MUSD a year) by component and year (rows) and region (columns)."""
    benefits = result.benefits
    if benefits.empty:
        return pd.DataFrame()
    weights = result.appraisal.weights
    weighted = benefits.assign(value=benefits.value * benefits.hydrology.map(weights))
    table = weighted.pivot_table(index=["year", "component"], columns="region", values="value", aggfunc="sum")
    regions = [r for r in ALL_REGIONS if r in table.columns] + [r for r in table.columns if r not in ALL_REGIONS]
    order = {c: i for i, c in enumerate(COMPONENTS)}
    rows = sorted(table.index, key=lambda k: (k[0], order.get(k[1], len(order))))
    table = table.reindex(index=pd.MultiIndex.from_tuples(rows, names=table.index.names), columns=regions)
    table["total"] = table.sum(axis=1)
    return table


def _cell(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def _markdown(frame: pd.DataFrame, digits: int = 1) -> str:
    columns = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v, digits) for v in row) + " |")
    return "\n".join(lines)


def appraisal_markdown(result: AppraisalResult) -> str:
    """Return ``appraisal.md``: the question, costs, economics, identity check and benefits by country."""
    a = result.appraisal
    c, e = a.costs, a.economics
    out = [f"# Appraisal {a.name}", ""]
    if a.config.description:
        out += [a.config.description, ""]
    out += [
        f"File `{a.path}`; study years {', '.join(map(str, a.config.years))}; hydrology "
        + ", ".join(f"{h} ({w:g})" for h, w in a.weights.items())
        + ".",
        "",
        f"Costs: capex {c.capex_musd:,.1f} MUSD, fixed O&M {c.fom_musd_per_year:,.2f} MUSD/yr, lifetime "
        f"{c.lifetime_years} yr from {c.commissioning_year}"
        + (f" (grids/appraisal/projects.csv: {', '.join(c.rows)})" if c.rows else "")
        + f". Discount rate {e.discount_rate_pct:g} % (variants {e.discount_rate_low_pct:g} / "
        f"{e.discount_rate_high_pct:g} %); CO2 {e.co2_usd_per_t:g} USD/t (variants {e.co2_low_usd_per_t:g} / "
        f"{e.co2_high_usd_per_t:g}).",
        "",
        "## Economics (MUSD)",
        "",
    ]
    summary = summary_table(result).dropna(axis=1, how="all")
    out += [_markdown(summary, 2) if not summary.empty else "No pair of cases finished: nothing to appraise.", ""]
    out += ["## Annual benefits, weighted over hydrology (MUSD/yr)", ""]
    components = components_table(result)
    if not components.empty:
        out += [_markdown(components.reset_index(), 2), ""]
    out += [
        "Benefits are changes against the reference (positive: a gain). Consumer surplus is minus the change "
        "in payments for served load (unserved energy at VOLL); congestion rent is split half to each end "
        "of a corridor; the total over all regions is minus the change in total cost plus the CO2 value.",
        "",
        "## Cost identity",
        "",
    ]
    bad = result.identity[~result.identity.ok] if len(result.identity) else result.identity
    if len(result.identity) and bad.empty:
        worst = float(result.identity.gap.abs().max())
        out += [f"Every pair adds up to minus the change in total cost within 0.1 % (largest gap {worst:.2e}).", ""]
    for row in bad.itertuples():
        out.append(f"- **{row.project_run}** vs {row.reference_run}: gap {row.gap:.3%} (above 0.1 %)")
    if result.failed:
        out += ["", "## Failed cases", ""]
        out += [f"- **{name}**: {reason}" for name, reason in result.failed.items()]
    runs = result.batch.manifest.get("counts", {})
    out += [
        "",
        f"Runs: {runs.get('runs', 0)} ({runs.get('solved', 0)} solved, {runs.get('reused', 0)} reused, "
        f"{runs.get('failed', 0)} failed), in this folder.",
        "",
    ]
    return "\n".join(out)


def _write_xlsx(result: AppraisalResult, path: Any) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        summary_table(result).to_excel(writer, sheet_name="summary", index=False)
        result.benefits.to_excel(writer, sheet_name="benefits", index=False)
        components = components_table(result)
        if not components.empty:
            components.reset_index().to_excel(writer, sheet_name="weighted by component", index=False)
        result.producer_by_carrier.to_excel(writer, sheet_name="producers by carrier", index=False)
        result.identity.to_excel(writer, sheet_name="identity", index=False)
        if not result.sample_benefits.empty:
            result.sample_benefits.to_excel(writer, sheet_name="sampled benefits", index=False)


def appraisal_record(result: AppraisalResult) -> dict[str, Any]:
    """Return ``appraisal.json``: the resolved appraisal (costs, economics, years, weights) and its runs."""
    a = result.appraisal
    return {
        "appraisal": a.name,
        "description": a.config.description,
        "file": str(a.path),
        "years": a.config.years,
        "hydrology_weights": a.weights,
        "costs": dataclasses.asdict(a.costs),
        "economics": dataclasses.asdict(a.economics),
        "sample": None if a.config.sample is None else a.config.sample.model_dump(mode="json"),
        "cases": [
            {"name": c.name, "year": c.year, "hydrology": c.hydrology, "role": c.role, "sample": c.sample}
            for c in result.cases
        ],
        "failed": result.failed,
        "identity_gap_max": float(result.identity.gap.abs().max()) if len(result.identity) else None,
        "wall_time_s": round(result.wall_time_s, 2),
    }


def write_outputs(result: AppraisalResult) -> list[str]:
    """Write the appraisal's tables and report next to its run folders; return the file names."""
    folder = result.path
    folder.mkdir(parents=True, exist_ok=True)
    written = ["benefits.csv", "summary.csv", "identity.csv", "appraisal.md", "appraisal.xlsx"]
    result.path.mkdir(parents=True, exist_ok=True)
    write_atomic(
        folder / "benefits.csv", lambda tmp: result.benefits.to_csv(tmp, index=False, float_format=FLOAT_FORMAT)
    )
    write_atomic(
        folder / "summary.csv", lambda tmp: summary_table(result).to_csv(tmp, index=False, float_format=FLOAT_FORMAT)
    )
    write_atomic(
        folder / "producer_surplus_by_carrier.csv",
        lambda tmp: result.producer_by_carrier.to_csv(tmp, index=False, float_format=FLOAT_FORMAT),
    )
    written.append("producer_surplus_by_carrier.csv")
    write_atomic(folder / "identity.csv", lambda tmp: result.identity.to_csv(tmp, index=False, float_format="%.3e"))
    write_text_atomic(folder / "appraisal.json", json.dumps(appraisal_record(result), indent=2) + "\n")
    written.append("appraisal.json")
    if not result.sample_benefits.empty:
        write_atomic(
            folder / "npv_samples.csv",
            lambda tmp: result.sample_npv.to_csv(tmp, index=False, float_format=FLOAT_FORMAT),
        )
        written.append("npv_samples.csv")
        write_atomic(
            folder / "benefits_sampled.csv",
            lambda tmp: result.sample_benefits.to_csv(tmp, index=False, float_format=FLOAT_FORMAT),
        )
        written.append("benefits_sampled.csv")
    write_text_atomic(folder / "appraisal.md", appraisal_markdown(result))
    write_atomic(folder / "appraisal.xlsx", lambda tmp: _write_xlsx(result, tmp))
    return written
