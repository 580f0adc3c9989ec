"""What a solve reports back: status, objective, timings, check figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class SolveReport:
    """What happened in a solve: status, objective and timings."""

    status: str
    condition: str
    objective_usd: float
    solver: str
    solver_options: dict[str, Any]
    seconds_build: float
    seconds_solve: float
    checks: dict[str, float] = field(default_factory=dict)
    market_rule: dict[str, float] = field(default_factory=dict)
    strategy: str = "monolithic"
    details: dict[str, Any] = field(default_factory=dict)
