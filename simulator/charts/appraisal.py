"""``appraisal``: the charts of an appraisal folder (``siepac chart appraisal DIR/appraisal-<name>``).

Three charts from the folder's tables (no network is read):

- ``appraisal-<name>-waterfall``: the annual benefit by component (every region, weighted over
  hydrology) building up to the total, one panel per study year, with the project's
  annualised cost (capex over the lifetime at the discount rate, plus fixed O&M) for scale;
- ``appraisal-<name>-countries``: gains and losses by country, the components stacked
  (gains up, losses down), one panel per study year;
- ``appraisal-<name>-npv``: the NPV: the distribution of the sampled draws with P10/P50/P90
  when the appraisal has ``sample:``, else NPV by hydrology for the central case and its
  discount-rate and CO2 variants.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.appraise.benefits import COMPONENTS
from simulator.charts.output import Chart
from simulator.charts.style import LANGUAGES, OKABE_ITO, country_name, finish, new_figure
from simulator.errors import DataError

COMPONENT_ORDER = COMPONENTS
"""Benefit components in the order the charts stack them (the order of ``benefits.csv``)."""
COMPONENT_COLORS = dict(zip(COMPONENT_ORDER, OKABE_ITO[1:], strict=False))
COMPONENT_HATCHES = dict(zip(COMPONENT_ORDER, ("", "//", "..", "xx", "\\\\", "oo", "--"), strict=True))

LABELS: dict[str, tuple[str, str]] = {
    "consumer_surplus": ("Consumer surplus", "Excedente del consumidor"),
    "producer_surplus": ("Producer surplus", "Excedente del productor"),
    "congestion_rent": ("Congestion rent", "Renta de congestión"),
    "storage_rent": ("Storage and hydro rent", "Renta de embalses y almacenamiento"),
    "mexico_trade": ("Trade with Mexico, Colombia", "Comercio con México, Colombia"),
    "co2": ("CO2 value", "Valor del CO2"),
    "investment": ("Investment (model)", "Inversión (modelo)"),
    "total": ("Total", "Total"),
    "per_year": ("MUSD/yr", "MUSD/año"),
    "annual_cost": ("Annualised project cost", "Costo anualizado del proyecto"),
    "benefit_axis": ("Annual benefit (MUSD/yr)", "Beneficio anual (MUSD/año)"),
    "npv_axis": ("NPV (MUSD)", "VPN (MUSD)"),
    "draws_axis": ("Draws", "Muestras"),
    "waterfall_title": ("{name}: annual benefit by component", "{name}: beneficio anual por componente"),
    "countries_title": ("{name}: gains and losses by country", "{name}: ganancias y pérdidas por país"),
    "npv_title": ("{name}: net present value", "{name}: valor presente neto"),
    "npv_draws_title": (
        "{name}: distribution of the NPV over {n} draws",
        "{name}: distribución del VPN en {n} muestras",
    ),
    "weighted": ("weighted over hydrology", "ponderado por hidrología"),
    "source": (
        "Source: SIEPAC simulator, appraisal {name} ({runs} runs); hydrology weights {weights}",
        "Fuente: simulador SIEPAC, evaluación {name} ({runs} corridas); pesos de hidrología {weights}",
    ),
    "central": ("central", "central"),
    "discount_low": ("low discount rate", "tasa de descuento baja"),
    "discount_high": ("high discount rate", "tasa de descuento alta"),
    "co2_low": ("low CO2 value", "valor del CO2 bajo"),
    "co2_high": ("high CO2 value", "valor del CO2 alto"),
}


def label(key: str, lang: str, **values: Any) -> str:
    """Return an appraisal chart label in ``lang`` (the key itself if unknown)."""
    pair = LABELS.get(key)
    return pair[LANGUAGES.index(lang)].format(**values) if pair else key


def _read(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    needed = [folder / n for n in ("benefits.csv", "summary.csv", "appraisal.json")]
    missing = [p.name for p in needed if not p.is_file()]
    if missing:
        msg = f"{folder} is not an appraisal folder (no {', '.join(missing)}); run `siepac appraise FILE` first"
        raise DataError(msg)
    benefits = pd.read_csv(folder / "benefits.csv")
    summary = pd.read_csv(folder / "summary.csv")
    samples = folder / "npv_samples.csv"
    npvs = pd.read_csv(samples) if samples.is_file() else pd.DataFrame(columns=["sample", "hydrology", "npv_musd"])
    record = json.loads((folder / "appraisal.json").read_text(encoding="utf-8"))
    if benefits.empty:
        msg = f"{folder}/benefits.csv has no rows: no case pair of the appraisal finished"
        raise DataError(msg)
    return benefits, summary, npvs, record


def weighted_benefits(benefits: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """Return the benefits weighted over hydrology: ``year, region, component, value`` (MUSD/yr)."""
    frame = benefits.assign(value=benefits.value * benefits.hydrology.astype(str).map(weights))
    return frame.groupby(["year", "region", "component"], as_index=False, sort=False).value.sum()


def annualised_cost_musd(record: dict[str, Any]) -> float:
    """Return the project's annual cost: capex times the capital recovery factor, plus fixed O&M."""
    costs, economics = record["costs"], record["economics"]
    r, years = economics["discount_rate_pct"] / 100.0, costs["lifetime_years"]
    crf = 1.0 / years if r == 0 else r * (1 + r) ** years / ((1 + r) ** years - 1)
    return float(costs["capex_musd"]) * crf + float(costs["fom_musd_per_year"])


def _source(record: dict[str, Any], lang: str) -> str:
    weights = ", ".join(f"{h} {w:g}" for h, w in record["hydrology_weights"].items())
    return label("source", lang, name=record["appraisal"], runs=len(record["cases"]), weights=weights)


def waterfall_chart(benefits: pd.DataFrame, record: dict[str, Any], lang: str) -> Chart:
    """Return the benefit waterfall by component, one panel per study year."""
    table = weighted_benefits(benefits, record["hydrology_weights"])
    by = table.groupby(["year", "component"], as_index=False).value.sum()
    years = sorted(by.year.unique())
    cost = annualised_cost_musd(record)
    fig = new_figure(4.2 * len(years) + 1.0, 4.8)
    axes = np.atleast_1d(fig.subplots(1, len(years), sharey=True))
    rows = []
    for ax, year in zip(axes, years, strict=True):
        values = by[by.year == year].set_index("component").value.reindex(COMPONENT_ORDER).fillna(0.0)
        level = 0.0
        for i, (component, value) in enumerate(values.items()):
            ax.bar(
                i,
                value,
                bottom=level,
                color=COMPONENT_COLORS[str(component)],
                hatch=COMPONENT_HATCHES[str(component)],
                edgecolor="black",
                linewidth=0.4,
            )
            rows.append({"year": year, "component": component, "value": value, "cumulative": level + value})
            level += value
        ax.bar(len(values), level, color="#555555", edgecolor="black", linewidth=0.4)
        rows.append({"year": year, "component": "total", "value": level, "cumulative": level})
        if cost > 0:
            ax.axhline(cost, color="black", linestyle="--", linewidth=0.8, label=label("annual_cost", lang))
        ax.axhline(0, color="black", linewidth=0.5)
        names = [label(c, lang) for c in (*COMPONENT_ORDER, "total")]
        ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
        ax.set_title(f"{year} ({label('weighted', lang)})")
    axes[0].set_ylabel(label("benefit_axis", lang))
    if cost > 0:
        axes[0].legend(loc="best")
    title = label("waterfall_title", lang, name=record["appraisal"])
    source = _source(record, lang)
    finish(fig, title, source)
    out = pd.DataFrame(rows).assign(unit="MUSD/yr", annualised_cost_musd=cost)
    parts = "; ".join(
        f"{r.year} {label(str(r.component), lang)} {r.value:+,.2f}" for r in out.itertuples() if r.value != 0
    )
    unit = label("per_year", lang)
    caption = f"{title} ({unit}). {parts}. {label('annual_cost', lang)} {cost:,.2f} {unit}. {source}"
    return Chart(f"appraisal-{record['appraisal']}-waterfall", fig, caption, out)


def countries_chart(benefits: pd.DataFrame, record: dict[str, Any], lang: str) -> Chart:
    """Return gains and losses by country, components stacked (gains up, losses down), per study year."""
    table = weighted_benefits(benefits, record["hydrology_weights"])
    years = sorted(table.year.unique())
    regions = list(dict.fromkeys(table.region))
    fig = new_figure(4.2 * len(years) + 1.0, 4.8)
    axes = np.atleast_1d(fig.subplots(1, len(years), sharey=True))
    for ax, year in zip(axes, years, strict=True):
        grid = (
            table[table.year == year]
            .pivot_table(index="region", columns="component", values="value", aggfunc="sum")
            .reindex(index=regions, columns=list(COMPONENT_ORDER))
            .fillna(0.0)
        )
        up, down = np.zeros(len(regions)), np.zeros(len(regions))
        for component in COMPONENT_ORDER:
            values = grid[component].to_numpy(float)
            bottom = np.where(values >= 0, up, down)
            ax.bar(
                range(len(regions)),
                values,
                bottom=bottom,
                color=COMPONENT_COLORS[component],
                hatch=COMPONENT_HATCHES[component],
                edgecolor="black",
                linewidth=0.4,
                label=label(component, lang) if year == years[0] else None,
            )
            up, down = up + np.maximum(values, 0), down + np.minimum(values, 0)
        ax.plot(range(len(regions)), grid.sum(axis=1).to_numpy(), "D", color="black", markersize=4)
        ax.axhline(0, color="black", linewidth=0.5)
        ax.set_xticks(range(len(regions)), [country_name(r, lang) for r in regions], rotation=45, ha="right")
        ax.set_title(f"{year} ({label('weighted', lang)})")
    axes[0].set_ylabel(label("benefit_axis", lang))
    fig.legend(loc="outside right center")
    title = label("countries_title", lang, name=record["appraisal"])
    source = _source(record, lang)
    finish(fig, title, source)
    totals = table.groupby(["year", "region"], sort=False).value.sum()
    parts = "; ".join(f"{year} {region} {value:+,.2f}" for (year, region), value in totals.items())
    caption = f"{title} ({label('per_year', lang)}, {label('total', lang).lower()} ◆). {parts}. {source}"
    return Chart(f"appraisal-{record['appraisal']}-countries", fig, caption, table.assign(unit="MUSD/yr"))


def npv_chart(summary: pd.DataFrame, npvs: pd.DataFrame, record: dict[str, Any], lang: str) -> Chart:
    """Return the NPV: the sampled distribution with P10/P50/P90, else NPV by hydrology and variant."""
    name = record["appraisal"]
    fig = new_figure(7.5, 4.6)
    ax = fig.subplots()
    source = _source(record, lang)
    weighted = npvs[npvs.hydrology == "weighted"] if len(npvs) else npvs
    if len(weighted):
        values = weighted.npv_musd.to_numpy(float)
        ax.hist(values, bins=min(20, max(5, len(values) // 2)), color=OKABE_ITO[4], edgecolor="black", linewidth=0.4)
        marks = summary[summary.case.astype(str).str.startswith("sample_p")]
        for row, style in zip(marks.itertuples(), (":", "-", "--"), strict=False):
            ax.axvline(
                row.npv_musd,
                color="black",
                linestyle=style,
                linewidth=1.0,
                label=f"{row.case[7:].upper()} {row.npv_musd:,.0f}",
            )
        ax.axvline(0, color="#D55E00", linewidth=0.8)
        ax.set_xlabel(label("npv_axis", lang))
        ax.set_ylabel(label("draws_axis", lang))
        ax.legend(loc="best")
        title = label("npv_draws_title", lang, name=name, n=len(values))
        out = weighted.assign(unit="MUSD")
        caption = (
            f"{title}. "
            + "; ".join(f"{r.case[7:].upper()} {r.npv_musd:,.1f} MUSD" for r in marks.itertuples())
            + f". {source}"
        )
    else:
        rows = summary[~summary.case.astype(str).str.startswith("sample_p")].dropna(subset=["npv_musd"])
        cases = list(dict.fromkeys(rows.case))
        hydrologies = list(dict.fromkeys(rows.hydrology))
        width = 0.8 / max(1, len(hydrologies))
        for j, hydrology in enumerate(hydrologies):
            mine = rows[rows.hydrology == hydrology].set_index("case").npv_musd.reindex(cases)
            ax.bar(
                np.arange(len(cases)) + (j - (len(hydrologies) - 1) / 2) * width,
                mine.to_numpy(float),
                width,
                color=OKABE_ITO[(j + 1) % len(OKABE_ITO)],
                edgecolor="black",
                linewidth=0.4,
                label=label(hydrology, lang) if hydrology == "weighted" else str(hydrology),
            )
        ax.axhline(0, color="black", linewidth=0.5)
        ax.set_xticks(range(len(cases)), [label(c, lang) for c in cases], rotation=20, ha="right")
        ax.set_ylabel(label("npv_axis", lang))
        ax.legend(loc="best")
        title = label("npv_title", lang, name=name)
        out = rows[["case", "hydrology", "npv_musd"]].assign(unit="MUSD")
        caption = (
            f"{title}. "
            + "; ".join(f"{label(str(r.case), lang)}, {r.hydrology}: {r.npv_musd:,.1f} MUSD" for r in out.itertuples())
            + f". {source}"
        )
    finish(fig, title, source)
    return Chart(f"appraisal-{name}-npv", fig, caption, out)


def appraisal_charts(paths: list[Path], lang: str) -> list[Chart]:
    """Return the three charts of each appraisal folder in ``paths``.

    Raises
    ------
    DataError
        If no folder is given, or one is not an appraisal folder.
    """
    if not paths:
        msg = "the appraisal chart takes appraisal folders (DIR/appraisal-<name>), found none"
        raise DataError(msg)
    charts = []
    for folder in paths:
        benefits, summary, npvs, record = _read(Path(folder))
        charts += [
            waterfall_chart(benefits, record, lang),
            countries_chart(benefits, record, lang),
            npv_chart(summary, npvs, record, lang),
        ]
    return charts
