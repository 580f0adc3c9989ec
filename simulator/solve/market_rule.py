"""The ``guatemala_only`` rule for Mexican energy: no hour with both a Mexican import and
Guatemalan net exports to its SIEPAC neighbours (so Guatemala never re-exports Mexican energy).

The rule is a complementarity, not convex, so it is solved in two passes. The model carries
one constraint per flow and snapshot, ``sum(sign * line flow) <= rhs``, whose right-hand
side starts at the lines' total rating (never binding). The first solve is a relaxation (a
lower bound on cost); :func:`market_rule_cut` then assigns each hour in which both flows
were positive to the larger of the two and sets the other flow's right-hand side to zero in
every hour of the first one's regime; the LP is solved again. The second solution obeys the
rule exactly; its cost minus the first bounds the distance to the optimum.

The functions here are pure (flows in, right-hand sides out): the monolithic solve applies
the cut through linopy, the week model straight into HiGHS.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pypsa

from simulator.network.meta import MarketRule, signed_flow

MARKET_RULE_CONSTRAINTS = {
    "guatemala_export_lines": "Market-guatemala_only-no_export",
    "mexico_import_lines": "Market-guatemala_only-no_mexico",
}
"""The two flows the rule may switch off in an hour, and the names of their constraints."""

CONFLICT_TOLERANCE_MW = 1e-3


def market_rule_conflicts(
    rule: MarketRule, line_flows: pd.DataFrame, tolerance_mw: float = CONFLICT_TOLERANCE_MW
) -> pd.Series:
    """Return True in the hours where Guatemala imports from Mexico and net-exports to SIEPAC
    at once, which the rule forbids (all False when the rule is off).

    ``line_flows`` is snapshot x line (MW, positive from bus0 to bus1), as ``n.lines_t.p0``.
    """
    if not rule.active:
        return pd.Series(False, index=line_flows.index)
    imports = signed_flow(line_flows, rule.mexico_import_lines)
    exports = signed_flow(line_flows, rule.guatemala_export_lines)
    return (imports > tolerance_mw) & (exports > tolerance_mw)


def market_rule_ratings(n: pypsa.Network, rule: MarketRule) -> dict[str, float]:
    """Return the never-binding right-hand side of each flow: its lines' total rating (MW)."""
    return {
        key: float((n.lines.s_nom[list(lines)] * n.lines.s_max_pu[list(lines)]).sum())
        for key, lines in rule.flows().items()
    }


@dataclass(frozen=True)
class MarketRuleCut:
    """The second pass of the rule: a right-hand side per flow and snapshot, and why."""

    rhs: dict[str, np.ndarray]
    """Flow (``mexico_import_lines``, ``guatemala_export_lines``) -> right-hand side by snapshot (MW)."""
    conflict_hours: int


def market_rule_cut(rule: MarketRule, line_flows: pd.DataFrame, ratings: dict[str, float]) -> MarketRuleCut | None:
    """Decide, from a relaxed solution's hourly flows, the hours in which each flow must stop.

    Returns
    -------
    MarketRuleCut or None
        None when the rule is off or no hour breaks it (the relaxed solution stands).
    """
    conflict = market_rule_conflicts(rule, line_flows)
    if not conflict.any():
        return None
    imports = signed_flow(line_flows, rule.mexico_import_lines).to_numpy()
    exports = signed_flow(line_flows, rule.guatemala_export_lines).to_numpy()
    mexico_hours = imports >= exports  # hours kept for Mexican imports; the others for exports
    rhs = {
        "guatemala_export_lines": np.where(mexico_hours, 0.0, ratings["guatemala_export_lines"]),
        "mexico_import_lines": np.where(mexico_hours, ratings["mexico_import_lines"], 0.0),
    }
    return MarketRuleCut(rhs=rhs, conflict_hours=int(conflict.sum()))
