"""Publication-ready charts of runs and batches: ``siepac chart KIND RUN...``.

Each kind is built by :func:`make_charts` into :class:`Chart` objects (a matplotlib
figure, a caption and the numbers behind it) and written by :func:`write_chart` as
``<name>.<png|svg|pdf>``, ``<name>.txt`` and ``<name>.csv``. The look (colours, hatches,
fixed axes, labels in English or Spanish, source line) is in :mod:`simulator.charts.style`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from simulator.charts.output import FORMATS, Chart, write_chart
from simulator.charts.style import LANGUAGES, check_language, styled
from simulator.errors import DataError

CHART_KINDS = ("map", "prices", "dispatch", "flows", "routes", "sweep", "gas", "capacity", "appraisal")

__all__ = ["CHART_KINDS", "FORMATS", "LANGUAGES", "Chart", "ChartOptions", "make_charts", "write_chart"]


@dataclass
class ChartOptions:
    """Options of ``siepac chart`` (each kind reads the ones it needs)."""

    lang: str = "en"
    reference: str | None = None
    """Run name the change charts compare against (default: the first run)."""
    country: str = "GT"
    """Country of the ``dispatch`` chart."""
    start: str | None = None
    """First day (YYYY-MM-DD) of the ``dispatch`` week (default: the run's first day)."""
    metric: str | None = None
    """KPI of the ``sweep`` heatmap (default: ``price_change`` if present, else ``price_load_weighted``)."""
    region: str = "GT"
    """Region of the ``sweep`` KPI."""
    carrier: str = ""
    """Carrier of the ``sweep`` KPI (e.g. ``coal`` for generation)."""
    x: str | None = None
    """Swept parameter on the heatmap's x axis (default: the first)."""
    y: str | None = None
    """Swept parameter on the heatmap's y axis (default: the second)."""
    year: int | None = None
    """Price year of the ``routes`` chart (default: the first run's data year, else 2022)."""


def make_charts(kind: str, paths: Sequence[Path], options: ChartOptions | None = None) -> list[Chart]:
    """Build the charts of ``kind`` for the run (or batch) folders ``paths``.

    Parameters
    ----------
    kind
        One of :data:`CHART_KINDS`.
    paths
        Run folders or batch folders (a batch stands for its variants); ``routes`` needs
        none, ``sweep`` exactly one batch folder.
    options
        Language, reference and the options of single kinds.

    Returns
    -------
    list of Chart
        One chart for most kinds; ``prices`` adds the price change bars and ``map`` one
        change map per run when several runs are given.

    Raises
    ------
    DataError
        If a folder is missing or not a run, or a run lacks what the chart needs.
    """
    options = options or ChartOptions()
    if kind not in CHART_KINDS:
        raise DataError(f"unknown chart kind {kind!r}; choose one of {', '.join(CHART_KINDS)}")
    try:
        lang = check_language(options.lang)
    except ValueError as exc:
        raise DataError(str(exc)) from None
    with styled():
        return _build(kind, list(paths), options, lang)


def _build(kind: str, paths: list[Path], options: ChartOptions, lang: str) -> list[Chart]:
    from simulator.results.runs import find_reference, load_runs, read_batch_table

    if kind == "routes":
        from simulator.charts.routes_map import routes_chart

        year = options.year or (int(load_runs(paths)[0].year) if paths else 2022)
        return [routes_chart(year, lang)]
    if kind == "sweep":
        from simulator.charts.sweep import sweep_chart

        if len(paths) != 1:
            raise DataError(f"the sweep chart takes one batch folder, found {len(paths)} folders")
        table, parameters = read_batch_table(paths[0])
        metric = options.metric or ("price_change" if "price_change" in set(table.metric) else "price_load_weighted")
        return [
            sweep_chart(
                table, parameters, paths[0].name, metric, options.region, options.carrier, options.x, options.y, lang
            )
        ]
    if kind == "appraisal":
        from simulator.charts.appraisal import appraisal_charts

        return appraisal_charts(paths, lang)
    runs = load_runs(paths)
    if kind == "prices":
        from simulator.charts.prices import price_change_chart, price_duration_chart

        charts = [price_duration_chart(runs, lang)]
        if len(runs) > 1 or options.reference is not None:
            charts.append(price_change_chart(runs, find_reference(runs, options.reference), lang))
        return charts
    if kind == "map":
        from simulator.charts.network_map import network_map_chart

        if len(runs) == 1 and options.reference is None:
            return [network_map_chart(runs[0], None, lang)]
        reference = find_reference(runs, options.reference)
        return [network_map_chart(run, reference, lang) for run in runs if run.path != reference.path]
    if kind == "dispatch":
        from simulator.charts.dispatch import dispatch_chart

        return [dispatch_chart(runs, options.country, options.start, lang)]
    if kind == "flows":
        from simulator.charts.flows import flows_chart

        return [flows_chart(runs, lang)]
    if kind == "capacity":
        from simulator.charts.capacity import capacity_chart

        return [capacity_chart(runs, lang)]
    from simulator.charts.gas import gas_chart

    return [gas_chart(runs, lang)]
