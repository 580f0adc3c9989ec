"""SIEPAC simulator: hourly dispatch of the Central American grid and the Mexico link.

Importing the package switches off every network request PyPSA could make (version
checks, example downloads): all inputs live in the repository's ``grids/`` folder.
"""

from __future__ import annotations

import os
import sys

# PyPSA reads this when it is first imported; if it already was, set the option directly.
os.environ.setdefault("PYPSA_GENERAL__ALLOW_NETWORK_REQUESTS", "false")
if "pypsa" in sys.modules:
    sys.modules["pypsa"].options.general.allow_network_requests = False

__version__ = "0.1.0"

COUNTRIES: tuple[str, ...] = ("GT", "SV", "HN", "NI", "CR", "PA")
"""The six SIEPAC countries, west to east (ISO 3166-1 alpha-2)."""

NEIGHBOURS: tuple[str, ...] = ("MX", "CO")
"""Price-taking neighbours: Mexico's southern system (at Guatemala) and Colombia (at Panama, an option)."""

ALL_REGIONS: tuple[str, ...] = (*COUNTRIES, *NEIGHBOURS)
"""SIEPAC countries plus the neighbours."""

CARRIERS: tuple[str, ...] = (
    "hydro",
    "geothermal",
    "wind",
    "solar",
    "biomass",
    "oil",
    "coal",
    "gas",
    "battery",
)
"""Generation carriers reported in the KPIs (batteries: their discharge)."""
