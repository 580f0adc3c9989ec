"""What capacity chosen by the solve costs: the span's length and the capital cost of what was built.

Shared by the builder (candidates and the extendable anchor pay their annual capital cost times
the span), the solve strategies (objective = operating cost + capital), the KPIs
(``investment_cost``) and the appraisal (the ``investment`` component).
"""

from __future__ import annotations

import pandas as pd
import pypsa

HOURS_PER_YEAR = 8760.0

NOMINAL = {
    "Generator": "p_nom",
    "StorageUnit": "p_nom",
    "Store": "e_nom",
    "Link": "p_nom",
    "Line": "s_nom",
    "Transformer": "s_nom",
}
"""Capacity attribute of each component that can carry a capital cost."""


def span_years(n: pypsa.Network) -> float:
    """Return the span a network's costs cover, in years (objective weights summed / 8,760 h)."""
    return float(n.snapshot_weightings.objective.sum()) / HOURS_PER_YEAR


def investment_usd(n: pypsa.Network) -> pd.Series:
    """Return the capital cost (USD for the span) of every component with ``capital_cost`` > 0,
    indexed by (component, name): capital cost times optimal capacity.

    Only capacity the solve decides carries a capital cost (expansion candidates, an extendable
    anchor plant; the existing fleet has none), so this is the investment whether or not the
    components are still flagged extendable (the strategies fix them after choosing).
    """
    parts = {}
    for component, attr in NOMINAL.items():
        static = n.components[component].static
        built = static.index[static.capital_cost > 0] if "capital_cost" in static else pd.Index([])
        if len(built):
            capacity = static[f"{attr}_opt"].reindex(built).fillna(static[attr].reindex(built))
            parts[component] = static.capital_cost[built] * capacity
    return pd.concat(parts) if parts else pd.Series(dtype=float)
