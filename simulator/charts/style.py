"""One look for every chart: colours, hatches, line styles, fixed axes, labels, source line.

- Carrier colours come from the network's ``carriers.color`` (set from
  :data:`simulator.network.carriers.CARRIER_COLORS`, Okabe-Ito based), with a hatch per
  carrier so that stacked areas stay apart in grey-scale print.
- Runs overlaid on one axis get a colour, a line style and a marker each
  (:func:`run_style`), so they stay apart without colour.
- Axes are fixed per chart kind (:data:`FIXED_AXES`) and widen only in fixed steps when the
  data exceed them (:func:`fixed_limits`), so the same chart of two runs can be laid side by side.
- Labels exist in English and Spanish (:func:`text`); every chart carries a source line
  naming the scenarios and their data year (:func:`source_line`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from simulator import __version__
from simulator.network.carriers import CARRIER_COLORS

LANGUAGES = ("en", "es")
OKABE_ITO = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442")
"""Colour-blind-safe qualitative palette (Okabe & Ito 2008), black first."""
LINE_STYLES: tuple[Any, ...] = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 1)), (0, (8, 2)), (0, (3, 3)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
RUN_HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "++", "--")
SEQUENTIAL_CMAP = "cividis"
"""Colour-blind safe and monotonic in lightness, so it also reads in grey-scale."""
DIVERGING_CMAP = "PuOr_r"
"""ColorBrewer purple-orange: colour-blind safe; changes are also written as numbers."""

CARRIER_HATCHES: dict[str, str] = {
    "hydro": "",
    "geothermal": "++",
    "wind": "//",
    "solar": "..",
    "biomass": "\\\\",
    "oil": "xx",
    "coal": "--",
    "gas": "oo",
    "mexico": "O",
    "load_shedding": "**",
    "imports": "||",
}

FIXED_AXES: dict[str, tuple[float, float]] = {
    "price": (0.0, 250.0),
    "price_change": (-20.0, 20.0),
    "flow": (-600.0, 600.0),
    "map_price": (80.0, 200.0),
    "map_price_change": (-20.0, 20.0),
}
"""Base axis (or colour) range per quantity; see :func:`fixed_limits`."""
AXIS_STEPS: dict[str, float] = {
    "price": 250.0,
    "price_change": 20.0,
    "flow": 300.0,
    "map_price": 60.0,
    "map_price_change": 20.0,
    "dispatch": 500.0,
    "gas": 50.0,
}

STYLE: dict[str, Any] = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.5,
    "svg.hashsalt": "siepac",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
}

LABELS: dict[str, tuple[str, str]] = {
    # chart titles and axis labels: key -> (English, Spanish)
    "prices_title": ("Price duration curves by country", "Curvas de duración de precios por país"),
    "price_axis": ("Price (USD/MWh)", "Precio (USD/MWh)"),
    "time_share": ("Share of hours (%)", "Porcentaje de horas (%)"),
    "price_change_title": (
        "Change in load-weighted price against {reference}",
        "Cambio del precio ponderado por demanda frente a {reference}",
    ),
    "price_change_axis": ("Price change (USD/MWh)", "Cambio de precio (USD/MWh)"),
    "above_axis": ("{hours:,.0f} h above {limit:,.0f}", "{hours:,.0f} h sobre {limit:,.0f}"),
    "flows_title": ("Interconnector flow duration curves", "Curvas de duración de flujos en las interconexiones"),
    "flow_axis": ("Flow (MW, + = {a} to {b})", "Flujo (MW, + = de {a} a {b})"),
    "rating": ("line rating", "capacidad de línea"),
    "limit": ("border limit", "límite fronterizo"),
    "dispatch_title": ("Hourly dispatch in {country}", "Despacho horario en {country}"),
    "power_axis": ("Power (MW)", "Potencia (MW)"),
    "load": ("Load", "Demanda"),
    "imports": ("Net imports", "Importaciones netas"),
    "exports": ("Net exports", "Exportaciones netas"),
    "map_title": ("Load-weighted price and mean flows", "Precio ponderado por demanda y flujos medios"),
    "map_change_title": (
        "Price change and mean flows: {run} against {reference}",
        "Cambio de precio y flujos medios: {run} frente a {reference}",
    ),
    "map_price_bar": ("Load-weighted price (USD/MWh)", "Precio ponderado por demanda (USD/MWh)"),
    "map_change_bar": ("Price change (USD/MWh)", "Cambio de precio (USD/MWh)"),
    "map_lines": (
        "Lines: width and label = mean loading (% of rating or border limit); arrow = mean flow direction",
        "Líneas: grosor y etiqueta = carga media (% de la capacidad o del límite fronterizo); flecha = sentido del flujo medio",
    ),
    "lon": ("Longitude (°)", "Longitud (°)"),
    "lat": ("Latitude (°)", "Latitud (°)"),
    "routes_title": ("Candidate gas pipeline routes to Guatemala", "Rutas candidatas de gasoducto hacia Guatemala"),
    "existing_pipelines": ("Existing Mexican pipelines (CNH 2018)", "Gasoductos mexicanos existentes (CNH 2018)"),
    "border_crossing": ("Border crossing", "Cruce fronterizo"),
    "anchor_site": ("Anchor plant site", "Sitio de la planta ancla"),
    "lng_terminal": ("LNG terminal, FSRU", "Terminal de GNL, FSRU"),
    "gas_hub": ("Gas hub", "Centro de gas"),
    "sweep_title": ("{metric} in {region} across the sweep", "{metric} en {region} a lo largo del barrido"),
    "capacity_title": ("New capacity by country and technology", "Capacidad nueva por país y tecnología"),
    "capacity_axis": ("New capacity (MW)", "Capacidad nueva (MW)"),
    "investment_note": ("investment", "inversión"),
    "gas_title": ("Pipeline throughput duration curve", "Curva de duración del flujo del gasoducto"),
    "throughput_axis": ("Throughput (MMcfd)", "Flujo (MMcfd)"),
    "capacity": ("capacity", "capacidad"),
    "break_even": ("break-even utilisation", "utilización de equilibrio"),
    "source": ("Source", "Fuente"),
    "scenario": ("scenario", "escenario"),
    "scenarios": ("scenarios", "escenarios"),
    "data_year": ("data year", "año de datos"),
    "weather_year": ("weather", "hidrología"),
    "model": ("SIEPAC simulator", "simulador SIEPAC"),
}

COUNTRY_NAMES: dict[str, tuple[str, str]] = {
    "GT": ("Guatemala", "Guatemala"),
    "SV": ("El Salvador", "El Salvador"),
    "HN": ("Honduras", "Honduras"),
    "NI": ("Nicaragua", "Nicaragua"),
    "CR": ("Costa Rica", "Costa Rica"),
    "PA": ("Panama", "Panamá"),
    "MX": ("Mexico", "México"),
}

CARRIER_LABELS: dict[str, tuple[str, str]] = {
    "hydro": ("Hydro", "Hidroeléctrica"),
    "geothermal": ("Geothermal", "Geotérmica"),
    "wind": ("Wind", "Eólica"),
    "solar": ("Solar", "Solar"),
    "biomass": ("Biomass", "Biomasa"),
    "oil": ("Oil", "Petróleo"),
    "coal": ("Coal", "Carbón"),
    "gas": ("Natural gas", "Gas natural"),
    "mexico": ("Mexico", "México"),
    "load_shedding": ("Unserved energy", "Energía no servida"),
    "battery": ("Batteries", "Baterías"),
    "solar_pv": ("Utility PV", "Solar FV"),
    "onshore_wind": ("Onshore wind", "Eólica terrestre"),
    "battery_4h": ("Battery (4 h)", "Batería (4 h)"),
    "ccgt_lng": ("CCGT on LNG", "Ciclo combinado con GNL"),
    "ocgt_lng": ("OCGT on LNG", "Turbina de gas con GNL"),
    "ccgt_pipeline_gas": ("CCGT on pipeline gas", "Ciclo combinado con gas de gasoducto"),
    "ocgt_pipeline_gas": ("OCGT on pipeline gas", "Turbina de gas con gas de gasoducto"),
}

METRIC_LABELS: dict[str, tuple[str, str]] = {
    "price_load_weighted": ("Load-weighted price", "Precio ponderado por demanda"),
    "price_mean": ("Mean price", "Precio medio"),
    "price_change": ("Price change", "Cambio de precio"),
    "price_change_pct": ("Price change", "Cambio de precio"),
    "system_cost": ("System cost", "Costo del sistema"),
    "co2": ("CO2 emissions", "Emisiones de CO2"),
    "generation": ("Generation", "Generación"),
    "pipeline_utilisation": ("Pipeline utilisation", "Utilización del gasoducto"),
    "anchor_capacity_factor": ("Anchor capacity factor", "Factor de planta del ancla"),
    "unserved_energy": ("Unserved energy", "Energía no servida"),
    "demand": ("Demand", "Demanda"),
    "imports": ("Imports", "Importaciones"),
    "exports": ("Exports", "Exportaciones"),
    "net_exports": ("Net exports", "Exportaciones netas"),
    "capacity_new": ("New capacity", "Capacidad nueva"),
    "investment_cost": ("Investment (annualised)", "Inversión (anualizada)"),
    "total_cost": ("Total cost", "Costo total"),
}


def check_language(lang: str) -> str:
    """Return ``lang`` if it is a supported language, else raise ``ValueError``."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, found {lang!r}")
    return lang


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[LANGUAGES.index(check_language(lang))]


def text(key: str, lang: str, **values: Any) -> str:
    """Return the label ``key`` in ``lang`` (``en`` or ``es``), formatted with ``values``."""
    return _pick(LABELS[key], lang).format(**values)


def country_name(code: str, lang: str) -> str:
    """Return a country's name in ``lang`` (the code itself if unknown)."""
    return _pick(COUNTRY_NAMES[code], lang) if code in COUNTRY_NAMES else code


def carrier_label(carrier: str, lang: str) -> str:
    """Return a carrier's display name in ``lang``."""
    return _pick(CARRIER_LABELS[carrier], lang) if carrier in CARRIER_LABELS else carrier


def metric_label(metric: str, lang: str) -> str:
    """Return a KPI metric's display name in ``lang`` (the metric name if unknown)."""
    return _pick(METRIC_LABELS[metric], lang) if metric in METRIC_LABELS else metric.replace("_", " ")


def carrier_color(carrier: str, colors: dict[str, str] | None = None) -> str:
    """Return a carrier's colour, from the network's carriers when given, else the shipped one."""
    if colors and isinstance(colors.get(carrier), str) and colors[carrier]:
        return colors[carrier]
    return CARRIER_COLORS.get(carrier, "#999999")


def hatch_color(fill: str) -> str:
    """Return black or white, whichever shows better on ``fill`` (hatches on dark fills are white)."""
    r, g, b = mpl.colors.to_rgb(fill)
    return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.45 else "black"


def run_style(i: int) -> dict[str, Any]:
    """Return the line style of the ``i``-th run on an axis: colour, line style and marker."""
    k = i % len(OKABE_ITO)
    return {"color": OKABE_ITO[k], "linestyle": LINE_STYLES[k], "marker": MARKERS[k], "markersize": 4}


def fixed_limits(kind: str, values: Iterable[float]) -> tuple[float, float]:
    """Return the axis range of ``kind``: its fixed base range, widened in fixed steps to fit ``values``.

    Kinds without a base range (``dispatch``, ``gas``) start from zero and round outwards to
    their step, so two runs of similar size land on the same axis.
    """
    finite = [v for v in values if math.isfinite(v)]
    low, high = FIXED_AXES.get(kind, (0.0, 0.0))
    step = AXIS_STEPS.get(kind, 1.0)
    if finite:
        if min(finite) < low:
            low = step * math.floor(min(finite) / step)
        if max(finite) > high:
            high = step * math.ceil(max(finite) / step)
    if high <= low:
        high = low + step
    return low, high


def new_figure(width: float = 8.0, height: float = 5.0) -> Figure:
    """Return a figure in the house style (no pyplot state; safe in tests and threads)."""
    with mpl.rc_context(STYLE):  # type: ignore[arg-type]
        fig = Figure(figsize=(width, height))
        fig.set_layout_engine(ConstrainedLayoutEngine(rect=(0, 0.035, 1, 0.965)))
        return fig


def styled() -> Any:
    """Return a context manager that applies the house style while a chart is drawn."""
    return mpl.rc_context(STYLE)  # type: ignore[arg-type]


def source_line(runs: Sequence[Any], lang: str, extra: str = "") -> str:
    """Return the source line: model, scenario names with data year and weather year, and ``extra``.

    ``runs`` are :class:`simulator.results.runs.Run` objects (anything with ``name``,
    ``year`` and ``weather``).
    """
    parts = []
    for run in runs:
        parts.append(f"{run.name} ({text('data_year', lang)} {run.year}, {text('weather_year', lang)} {run.weather})")
    head = f"{text('source', lang)}: {text('model', lang)} {__version__}"
    if parts:
        key = "scenario" if len(parts) == 1 else "scenarios"
        head += f"; {text(key, lang)} " + ", ".join(parts)
    return head + (f"; {extra}" if extra else "")


def finish(fig: Figure, title: str, source: str) -> Figure:
    """Add the title and the source line (bottom left, small) to a figure."""
    fig.suptitle(title, fontsize=11, fontweight="bold")
    fig.text(0.005, 0.002, source, fontsize=6.5, ha="left", va="bottom", color="#333333", wrap=True)
    return fig
