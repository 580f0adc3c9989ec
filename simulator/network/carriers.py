"""Carriers: names, colours (colour-blind-safe, Okabe-Ito based) and CO2 intensity."""

from __future__ import annotations

CARRIER_COLORS: dict[str, str] = {
    "hydro": "#0072B2",
    "geothermal": "#CC79A7",
    "wind": "#56B4E9",
    "solar": "#F0E442",
    "biomass": "#009E73",
    "oil": "#D55E00",
    "coal": "#4D4D4D",
    "gas": "#E69F00",
    "battery": "#332288",
    "mexico": "#8C6D31",
    "colombia": "#6B4C9A",
    "load_shedding": "#FF0000",
    "AC": "#999999",
}

CARRIER_NICE_NAMES: dict[str, str] = {
    "hydro": "Hydro",
    "geothermal": "Geothermal",
    "wind": "Wind",
    "solar": "Solar",
    "biomass": "Biomass (bagasse)",
    "oil": "Oil (bunker, diesel)",
    "coal": "Coal and petcoke",
    "gas": "Natural gas (LNG)",
    "battery": "Batteries (discharge)",
    "mexico": "Mexico (imports)",
    "colombia": "Colombia (imports)",
    "load_shedding": "Unserved energy",
    "AC": "AC transmission",
}
