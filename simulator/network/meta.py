"""What a built network carries besides its components: border limits, hurdle, market rule, gas.

PyPSA keeps a free-form ``n.meta`` dict (stored in ``network.nc``). The builder writes it
once with :func:`store_meta`; everything downstream (model assembly, checks, KPIs,
charts) reads it back through :func:`network_meta` as a typed :class:`NetworkMeta`, so
that its shape is defined here and nowhere else.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pypsa


def in_window(hours: np.ndarray, start: int, end: int) -> np.ndarray:
    """Return True for hours (0-23) in the inclusive window start..end, which may wrap midnight."""
    if start <= end:
        return (hours >= start) & (hours <= end)
    return (hours >= start) | (hours <= end)


@dataclass(frozen=True)
class BorderLimit:
    """A limit on the sum of flows across a border, in one direction, in some hours."""

    limit_id: str
    lines: dict[str, float]
    """Line name -> +1 if a positive flow (bus0 to bus1) crosses in the limited direction, -1 if against."""
    limit_mw: float
    hour_start: int
    hour_end: int

    def applies(self, hours: np.ndarray) -> np.ndarray:
        """Return True for the hours (0-23) inside the limit's window (which may wrap midnight)."""
        return in_window(hours, self.hour_start, self.hour_end)


@dataclass(frozen=True)
class Hurdle:
    """A charge (USD/MWh) on the flow of the SIEPAC border lines, in both directions."""

    usd_per_mwh: float = 0.0
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class MarketRule:
    """The Mexico trade regime and the signed lines of the flows the ``guatemala_only`` rule limits.

    Signs are +1 when a positive line flow (bus0 to bus1) goes the way the flow is counted:
    from Mexico into Guatemala for imports, from Guatemala to its SIEPAC neighbours for exports.
    """

    mexico_trade: str = "none"
    mexico_import_lines: dict[str, float] = field(default_factory=dict)
    guatemala_export_lines: dict[str, float] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        """True when the hourly ``guatemala_only`` rule applies (and both flows have lines)."""
        return self.mexico_trade == "guatemala_only" and bool(self.mexico_import_lines and self.guatemala_export_lines)

    def flows(self) -> dict[str, dict[str, float]]:
        """The two limited flows by name (``mexico_import_lines``, ``guatemala_export_lines``)."""
        return {"mexico_import_lines": self.mexico_import_lines, "guatemala_export_lines": self.guatemala_export_lines}


@dataclass(frozen=True)
class ReserveRow:
    """One country's planning reserve-margin row for one month (MW)."""

    country: str
    period: str
    """Month of the row (``2030-03``)."""
    peak_mw: float
    margin_pct: float
    firm_mw: float
    """Existing fleet (and fixed anchor plant) times capacity credits."""
    import_capacity_mw: float
    import_credit_share: float
    credits: dict[str, dict[str, float]] = field(default_factory=dict)
    """Component (Generator, StorageUnit, Link) -> name -> firm MW per MW of ``p_nom``."""

    @property
    def required_mw(self) -> float:
        """Peak times (1 + margin)."""
        return self.peak_mw * (1.0 + self.margin_pct / 100.0)

    @property
    def import_credit_mw(self) -> float:
        """Import capacity counted as firm."""
        return self.import_credit_share * self.import_capacity_mw

    @property
    def new_firm_needed_mw(self) -> float:
        """Firm capacity the candidates must add (may be negative: nothing needed)."""
        return self.required_mw - self.firm_mw - self.import_credit_mw


@dataclass(frozen=True)
class NetworkMeta:
    """The typed content of ``n.meta``."""

    scenario: dict[str, Any] | None = None
    hurdle: Hurdle = field(default_factory=Hurdle)
    border_limits: tuple[BorderLimit, ...] = ()
    market: MarketRule = field(default_factory=MarketRule)
    gas: dict[str, Any] = field(default_factory=dict)
    """The gas layer's description (segments, route, anchor); empty without one."""
    objective_usd: float | None = None
    """The solve's objective (USD), recorded by the solve strategies."""
    manifest: dict[str, Any] = field(default_factory=dict)
    """The run's manifest without the scenario, recorded when a run is stored."""
    reserve: tuple[ReserveRow, ...] = ()
    """Planning reserve-margin rows, one per country, with capacity expansion on."""

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-compatible dict stored in ``n.meta``."""
        return {
            "scenario": self.scenario,
            "hurdle": {"usd_per_mwh": self.hurdle.usd_per_mwh, "lines": list(self.hurdle.lines)},
            "border_limits": [asdict(b) for b in self.border_limits],
            "market": asdict(self.market),
            "gas": self.gas,
            "objective_usd": self.objective_usd,
            "manifest": self.manifest,
            "reserve": [asdict(r) for r in self.reserve],
        }

    def replace(self, **changes: Any) -> NetworkMeta:
        """Return a copy with some fields changed."""
        return NetworkMeta(**{**self.__dict__, **changes})


def network_meta(n: pypsa.Network) -> NetworkMeta:
    """Read the typed metadata of a network (defaults for what it lacks, e.g. a hand-made network)."""
    raw: dict[str, Any] = dict(n.meta or {})
    hurdle = raw.get("hurdle") or {}
    market = raw.get("market") or {}
    objective = raw.get("objective_usd")
    return NetworkMeta(
        scenario=raw.get("scenario"),
        hurdle=Hurdle(float(hurdle.get("usd_per_mwh", 0.0)), tuple(str(k) for k in hurdle.get("lines", []))),
        border_limits=tuple(BorderLimit(**b) for b in raw.get("border_limits", [])),
        market=MarketRule(
            mexico_trade=str(market.get("mexico_trade", "none")),
            mexico_import_lines={str(k): float(v) for k, v in (market.get("mexico_import_lines") or {}).items()},
            guatemala_export_lines={str(k): float(v) for k, v in (market.get("guatemala_export_lines") or {}).items()},
        ),
        gas=dict(raw.get("gas") or {}),
        objective_usd=None if objective is None else float(objective),
        manifest=dict(raw.get("manifest") or {}),
        reserve=tuple(ReserveRow(**r) for r in raw.get("reserve") or []),
    )


def store_meta(n: pypsa.Network, meta: NetworkMeta) -> None:
    """Write the typed metadata into ``n.meta``."""
    n.meta = meta.to_dict()


def update_meta(n: pypsa.Network, **changes: Any) -> None:
    """Change some fields of a network's metadata, keeping the others."""
    store_meta(n, network_meta(n).replace(**changes))


def signed_flow(line_flows: pd.DataFrame, coefficients: dict[str, float]) -> pd.Series:
    """Return the hourly sum of line flows (MW) with the given signs (+1 along bus0 to bus1).

    ``line_flows`` is snapshot x line, as ``n.lines_t.p0``.
    """
    total = pd.Series(0.0, index=line_flows.index)
    for name, c in coefficients.items():
        total = total + c * line_flows[name]
    return total
