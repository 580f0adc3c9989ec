"""The report's own words in English and Spanish; chart titles and axes come from
:mod:`simulator.charts.style`, so the page and the static charts say the same thing."""

from __future__ import annotations

from typing import Any

from simulator.charts.style import LANGUAGES, check_language, metric_label

LABELS: dict[str, tuple[str, str]] = {
    "page_title": ("SIEPAC comparison: {runs}", "Comparación SIEPAC: {runs}"),
    "page_title_one": ("SIEPAC run: {run}", "Corrida SIEPAC: {run}"),
    "against": ("against the reference {reference}", "frente a la referencia {reference}"),
    "contents": ("Contents", "Contenido"),
    "scenarios": ("Scenarios", "Escenarios"),
    "map": ("Map of the network", "Mapa de la red"),
    "prices": ("Prices", "Precios"),
    "generation": ("Generation mix", "Matriz de generación"),
    "corridors": ("Corridors", "Corredores"),
    "gas": ("Pipeline and anchor plant", "Gasoducto y planta ancla"),
    "table": ("Comparison table", "Tabla comparativa"),
    "inputs": ("Inputs that differ", "Insumos que difieren"),
    "about": ("About this page", "Acerca de esta página"),
    "run": ("Run", "Corrida"),
    "role": ("Role", "Papel"),
    "reference": ("reference", "referencia"),
    "compared": ("compared", "comparada"),
    "description": ("Description", "Descripción"),
    "data_year": ("Data year", "Año de datos"),
    "weather_year": ("Weather year", "Año hidrológico"),
    "span": ("Span", "Periodo"),
    "hours": ("hours", "horas"),
    "status": ("Solver status", "Estado del solver"),
    "tool_version": ("Tool version", "Versión de la herramienta"),
    "data_hash": ("Input-data hash (SHA-256)", "Huella de los datos de entrada (SHA-256)"),
    "created": ("Created", "Creada"),
    "key": ("Scenario key", "Clave del escenario"),
    "reference_value": ("Reference", "Referencia"),
    "value": ("Value", "Valor"),
    "no_diff": (
        "No scenario key differs from {reference} (other than name and description).",
        "Ninguna clave del escenario difiere de {reference} (salvo nombre y descripción).",
    ),
    "scenario": ("Scenario", "Escenario"),
    "metric": ("Metric", "Indicador"),
    "region": ("Region", "Región"),
    "carrier": ("Carrier", "Tecnología"),
    "unit": ("Unit", "Unidad"),
    "change": ("Change", "Cambio"),
    "change_pct": ("Change (%)", "Cambio (%)"),
    "filter": ("Filter rows", "Filtrar filas"),
    "sort_hint": ("Click a column heading to sort.", "Haga clic en el encabezado de una columna para ordenar."),
    "no_network": (
        "No network.nc in {runs}: the map, duration curves and flows need the solved network "
        "(re-run with outputs.network: true).",
        "No hay network.nc en {runs}: el mapa, las curvas de duración y los flujos necesitan la red resuelta "
        "(vuelva a correr con outputs.network: true).",
    ),
    "one_run": (
        "One run only: give a second run (or --reference) for the changes and the comparison table.",
        "Una sola corrida: indique una segunda corrida (o --reference) para los cambios y la tabla comparativa.",
    ),
    "loading": (
        "Loading the charts…",
        "Cargando los gráficos…",
    ),
    "no_decompress": (
        "This browser cannot unpack the charts embedded in the page (it lacks DecompressionStream, "
        "in browsers since 2023); the tables below still hold every number.",
        "Este navegador no puede descomprimir los gráficos incluidos en la página (le falta DecompressionStream, "
        "disponible desde 2023); las tablas de abajo contienen todas las cifras.",
    ),
    "offline": (
        "Everything on this page is embedded in the file: it opens offline and fetches nothing. "
        "Charts are drawn with plotly.js {plotly}; country outlines from Natural Earth.",
        "Todo lo de esta página está incluido en el archivo: se abre sin conexión y no descarga nada. "
        "Gráficos dibujados con plotly.js {plotly}; contornos de países de Natural Earth.",
    ),
    "made_by": ("Written by {model} {version} on {date}.", "Escrita por {model} {version} el {date}."),
    # figures
    "gen_title": ("Generation by country and carrier", "Generación por país y tecnología"),
    "gen_axis": ("Generation (GWh)", "Generación (GWh)"),
    "gen_caption": (
        "Energy supplied in each country by carrier over the span (GWh, from each run's KPIs; "
        "the anchor plant counts as gas).",
        "Energía suministrada en cada país por tecnología en el periodo (GWh, de los indicadores de cada corrida; "
        "la planta ancla cuenta como gas).",
    ),
    "limit_title": ("Hours at limit by corridor", "Horas en el límite por corredor"),
    "limit_axis": ("Hours at limit (h)", "Horas en el límite (h)"),
    "limit_caption": (
        "Hours in which a corridor is at a limit: a crossing line at its rating, or a border limit "
        "containing one of its lines binding.",
        "Horas en que un corredor está en un límite: una línea que cruza en su capacidad, o un límite "
        "fronterizo que contiene una de sus líneas activo.",
    ),
    "gas_kpis": ("Pipeline and anchor figures", "Cifras del gasoducto y de la planta ancla"),
    "map_hover_flow": ("mean flow {flow:,.0f} MW {a} → {b}", "flujo medio {flow:,.0f} MW {a} → {b}"),
    "map_hover_loading": ("mean loading {pct:.0f} % of {limit:,.0f} MW", "carga media {pct:.0f} % de {limit:,.0f} MW"),
    "map_hover_price": ("mean price {price:,.1f} USD/MWh", "precio medio {price:,.1f} USD/MWh"),
    "hub": ("national hub", "nodo nacional"),
    "pipeline": ("gas pipeline", "gasoducto"),
    "mean_throughput": ("mean throughput {value:,.1f} MMcfd", "flujo medio {value:,.1f} MMcfd"),
    "lines_legend": ("Lines", "Líneas"),
    "buses_legend": ("Buses", "Nodos"),
}

EXTRA_METRICS: dict[str, tuple[str, str]] = {
    "consumer_cost": ("Consumer cost", "Costo para los consumidores"),
    "hours_at_limit": ("Hours at limit", "Horas en el límite"),
    "congestion_rent": ("Congestion rent", "Renta de congestión"),
    "pipeline_throughput": ("Pipeline throughput", "Flujo del gasoducto"),
    "pipeline_break_even_utilisation": ("Pipeline break-even utilisation", "Utilización de equilibrio del gasoducto"),
    "anchor_capacity": ("Anchor capacity", "Capacidad del ancla"),
    "anchor_generation": ("Anchor generation", "Generación del ancla"),
    "gas_use": ("Gas use", "Consumo de gas"),
    "fuel_displaced": ("Fuel displaced", "Combustible desplazado"),
}


def say(key: str, lang: str, **values: Any) -> str:
    """Return the report label ``key`` in ``lang``, formatted with ``values``."""
    pair = LABELS[key]
    return pair[LANGUAGES.index(check_language(lang))].format(**values)


def metric_name(metric: str, lang: str) -> str:
    """Return a KPI's display name in ``lang`` (the charts' names, plus the report's extra ones)."""
    if metric in EXTRA_METRICS:
        return EXTRA_METRICS[metric][LANGUAGES.index(check_language(lang))]
    return metric_label(metric, lang)
