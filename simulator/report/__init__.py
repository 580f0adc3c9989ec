"""``siepac report RUN...``: one self-contained HTML page per comparison, for readers without a notebook.

The page (:func:`build_report`) holds the scenarios with their descriptions, tool version and
input-data hash; an interactive map (:mod:`simulator.report.network_map`); prices, generation,
corridor and pipeline figures (:mod:`simulator.report.figures`, drawn from the numbers and
captions of :mod:`simulator.charts`); the sortable comparison table and the inputs diff of
:mod:`simulator.compare`. Everything is embedded (:mod:`simulator.report.page`): it opens
offline, from a file or an e-mail attachment.

Sections from elsewhere (the appraisal summary and gains and losses by country, once
``siepac appraise`` writes them) are passed to :func:`build_report` as ``extra_sections``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from simulator import __version__
from simulator.charts.style import carrier_label, check_language
from simulator.charts.style import text as chart_text
from simulator.errors import DataError
from simulator.files import write_text_atomic
from simulator.report.page import Section, esc, render_page, table_html
from simulator.report.texts import metric_name, say
from simulator.results.runs import Run, find_reference, load_runs

__all__ = ["Section", "build_report", "default_report_path", "report_html", "resolve_runs", "write_report"]

SUFFIXES = (".html", ".htm")


def check_out_path(path: Path) -> Path:
    """Return ``path`` if it names an HTML file that can be written; raise :class:`DataError` if not."""
    if path.is_dir():
        raise DataError(f"--out {path} is a folder; give a file name ending in .html")
    if path.suffix.lower() not in SUFFIXES:
        raise DataError(
            f"--out {path}: the report is an HTML file and must end in .html, found {path.suffix or 'no suffix'!r}"
        )
    existing = path.parent
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        raise DataError(f"--out {path}: {existing} is a file, not a folder")
    return path


def default_report_path(runs: Sequence[Run], reference: Run | None) -> Path:
    """Return ``results/reports/report-<run>-vs-<reference>.html`` (or ``report-<run>.html`` for one run)."""
    others = [r for r in runs if reference is None or r.path != reference.path]
    head = others[0].path.name if others else runs[0].path.name
    more = f"-and-{len(others) - 1}-more" if len(others) > 1 else ""
    against = f"-vs-{reference.path.name}" if reference is not None else ""
    return Path("results") / "reports" / f"report-{head}{more}{against}.html"


def _span(run: Run) -> str:
    snapshots = run.manifest.get("snapshots") or {}
    first, last, count = snapshots.get("first"), snapshots.get("last"), snapshots.get("count")
    if not first:
        return "-"
    return f"{str(first)[:10]} … {str(last)[:10]} ({count})"


def _scenarios_section(everyone: list[Run], reference: Run | None, lang: str) -> Section:
    rows, provenance = [], []
    for run in everyone:
        role = say("reference", lang) if reference is not None and run.path == reference.path else say("compared", lang)
        packages = run.manifest.get("packages") or {}
        rows.append(
            (
                run.label,
                role,
                str(run.scenario.get("description") or ""),
                run.year,
                run.weather,
                _span(run),
                str(run.manifest.get("status", "-")),
            )
        )
        provenance.append(
            (
                run.label,
                str(packages.get("siepac-simulator", "-")),
                str(run.manifest.get("input_data_sha256", "-")),
                str(run.manifest.get("created", "-")),
            )
        )
    headers = [say(k, lang) for k in ("run", "role", "description", "data_year", "weather_year", "span", "status")]
    headers[5] = f"{headers[5]} ({say('hours', lang)})"
    body = table_html(pd.DataFrame(rows), headers, "scenarios-table")
    headers = [say(k, lang) for k in ("run", "tool_version", "data_hash", "created")]
    body += table_html(pd.DataFrame(provenance), headers, "provenance-table")
    missing = [r.label for r in everyone if not r.has_network]
    if missing:
        body += f'<p class="note">{esc(say("no_network", lang, runs=", ".join(missing)))}</p>'
    if reference is None:
        body += f'<p class="note">{esc(say("one_run", lang))}</p>'
    return Section("scenarios", say("scenarios", lang), body)


def _compare_sections(everyone: list[Run], reference: Run, lang: str) -> list[Section]:
    from simulator.compare import COMPARE_COLUMNS, compare_runs, inputs_diff

    table = compare_runs(everyone, reference)
    diff = inputs_diff(everyone, reference)
    shown = table.assign(
        metric=table.metric.map(lambda m: metric_name(m, lang)),
        carrier=table.carrier.map(lambda c: carrier_label(c, lang) if c else ""),
    )
    headers = [say(k, lang) for k in COMPARE_COLUMNS]
    headers[1] = say("reference_value", lang) + " (" + say("run", lang).lower() + ")"
    headers[6] = say("reference_value", lang)
    digits = {"reference_value": 3, "value": 3, "change": 3, "change_pct": 1}
    body = (
        f'<p class="muted">{esc(say("sort_hint", lang))}</p>'
        f'<input type="search" data-filter="compare-table" placeholder="{esc(say("filter", lang))}" '
        f'aria-label="{esc(say("filter", lang))}">' + table_html(shown, headers, "compare-table", digits, sortable=True)
    )
    sections = [Section("table", say("table", lang), body)]
    parts = []
    for run in everyone:
        if run.path == reference.path:
            continue
        mine = diff[diff.scenario == run.label]
        parts.append(f"<h3>{esc(run.label)}</h3>")
        if mine.empty:
            parts.append(f"<p>{esc(say('no_diff', lang, reference=reference.label))}</p>")
        else:
            frame = mine[["key", "reference_value", "value"]]
            heads = [
                say("key", lang),
                f"{say('reference_value', lang)} ({reference.label})",
                f"{say('value', lang)} ({run.label})",
            ]
            parts.append(table_html(frame, heads, f"inputs-{len(parts)}", sortable=True))
    sections.append(Section("inputs", say("inputs", lang), "".join(parts)))
    return sections


def _gas_table(everyone: list[Run], lang: str) -> str:
    metrics = (
        "pipeline_throughput",
        "pipeline_utilisation",
        "pipeline_break_even_utilisation",
        "anchor_capacity",
        "anchor_generation",
        "anchor_capacity_factor",
        "fuel_displaced",
    )
    frames = [r.kpis[r.kpis.metric.isin(metrics)].assign(scenario=r.label) for r in everyone]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if rows.empty:
        return ""
    rows = rows.assign(metric=rows.metric.map(lambda m: metric_name(m, lang)))[
        ["scenario", "metric", "region", "carrier", "unit", "value"]
    ]
    headers = [say(k, lang) for k in ("scenario", "metric", "region", "carrier", "unit", "value")]
    return f"<h3>{esc(say('gas_kpis', lang))}</h3>" + table_html(
        rows, headers, "gas-table", {"value": 2}, sortable=True
    )


def build_report(
    paths: Sequence[Path],
    reference: str | None = None,
    lang: str = "en",
    extra_sections: Sequence[Section] = (),
    today: dt.date | None = None,
) -> str:
    """Return the HTML page comparing the runs in ``paths`` against ``reference``.

    Parameters
    ----------
    paths
        Run folders or batch folders (a batch stands for its variants), as for ``siepac compare``.
    reference
        Name of the reference run (default: the first run); looked up beside the runs if not
        among them. With a single run and no reference, the page shows that run alone.
    lang
        ``en`` or ``es``: headings, labels, captions and country names.
    extra_sections
        Sections placed after the figures and before the comparison table: the hook for the
        appraisal summary and the gains and losses by country (``siepac appraise``, to come).
    today
        Date written in the footer (default: today).

    Raises
    ------
    DataError
        If a folder is missing or not a run, the reference is unknown, ``lang`` is not
        supported, or a run lacks a KPI the page needs.
    """
    lang = _language(lang)
    everyone, base = resolve_runs(paths, reference)
    return report_html(everyone, base, lang, extra_sections, today)


def _language(lang: str) -> str:
    try:
        return check_language(lang)
    except ValueError as exc:
        raise DataError(f"--lang: {exc}") from None


def resolve_runs(paths: Sequence[Path], reference: str | None) -> tuple[list[Run], Run | None]:
    """Return the runs of the page, reference first, and the reference (None for one run alone).

    Raises
    ------
    DataError
        If a folder is missing or not a run, the reference is unknown, or only the reference is given.
    """
    runs = load_runs(paths)
    base = find_reference(runs, reference) if (len(runs) > 1 or reference is not None) else None
    everyone = runs if base is None else [base, *[r for r in runs if r.path != base.path]]
    if base is not None and len(everyone) < 2:
        raise DataError(f"nothing to compare: only the reference {base.label} was given; pass at least one other run")
    return everyone, base


def report_html(
    everyone: list[Run],
    base: Run | None,
    lang: str = "en",
    extra_sections: Sequence[Section] = (),
    today: dt.date | None = None,
) -> str:
    """Return the page of runs already read (:func:`resolve_runs`); see :func:`build_report`."""
    from simulator.report.figures import corridor_figures, gas_figure, generation_figure, has_pipeline, price_figures
    from simulator.report.network_map import map_figure

    sections = [_scenarios_section(everyone, base, lang)]
    shaded = [(r, base) for r in everyone if r.has_network and (base is None or r.path != base.path)]
    if base is not None and base.has_network:
        shaded.append((base, None))
    if shaded:
        maps = [map_figure(run, against, lang, f"fig-map-{i}") for i, (run, against) in enumerate(shaded)]
        sections.append(Section("map", say("map", lang), figures=maps))
    sections.append(Section("prices", say("prices", lang), figures=price_figures(everyone, base, lang)))
    sections.append(Section("generation", say("generation", lang), figures=[generation_figure(everyone, lang)]))
    sections.append(Section("corridors", say("corridors", lang), figures=corridor_figures(everyone, lang)))
    if any(has_pipeline(r) for r in everyone):
        gas = gas_figure(everyone, lang)
        sections.append(Section("gas", say("gas", lang), _gas_table(everyone, lang), [gas] if gas else []))
    sections.extend(extra_sections)
    if base is not None:
        sections.extend(_compare_sections(everyone, base, lang))
    from plotly.offline import get_plotlyjs_version

    sections.append(
        Section(
            "about",
            say("about", lang),
            f"<p>{esc(say('offline', lang, plotly=get_plotlyjs_version()))}</p>",
        )
    )
    labels = ", ".join(r.label for r in everyone)
    if base is None:
        title, subtitle = say("page_title_one", lang, run=labels), ""
    else:
        others = ", ".join(r.label for r in everyone[1:])
        title, subtitle = say("page_title", lang, runs=others), say("against", lang, reference=base.label)
    footer = say(
        "made_by",
        lang,
        model=chart_text("model", lang),
        version=__version__,
        date=(today or dt.date.today()).isoformat(),
    )
    return render_page(title, subtitle, sections, footer, lang, say("loading", lang), say("no_decompress", lang))


def write_report(
    paths: Sequence[Path],
    out: Path | None = None,
    reference: str | None = None,
    lang: str = "en",
    extra_sections: Sequence[Section] = (),
) -> Path:
    """Build the report (:func:`build_report`) and write it atomically to ``out`` (default:
    :func:`default_report_path`); nothing is written if building fails. Returns the path."""
    lang = _language(lang)
    if out is not None:
        check_out_path(out)
    everyone, base = resolve_runs(paths, reference)
    page = report_html(everyone, base, lang, extra_sections)
    out = out if out is not None else default_report_path(everyone, base)
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_text_atomic(out, page)
