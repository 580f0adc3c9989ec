"""The weekly strategy's coarse stage: the whole span at 6-hour resolution, one LP.

It decides how much water each reservoir holds at the end of every day, and the capacity of
anything extendable; the hourly weeks then start and end at those levels with those
capacities fixed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pypsa

from simulator.errors import SolveError
from simulator.network.capital import investment_usd
from simulator.network.meta import BorderLimit, network_meta, update_meta
from simulator.solve.assembly import build_model
from simulator.solve.highs import HighsOptions, solve_model

COARSE_RESOLUTION_HOURS = 6
"""Coarse-stage time step (h) of a dispatch. Measured on base_2022 against one hourly LP: at
24 h the corridor energies of the weeks were off by up to 3.7 %, at 6 h by under 0.3 % (HN-NI, a
47 GWh corridor, aside) for 3.5 s more of coarse solve; 3 h gained little for 9 s more."""

EXPANSION_COARSE_RESOLUTION_HOURS = 3
"""Coarse-stage time step (h) when the solve chooses capacity. Measured on expansion_2030, 28 days
from 1 March, against the hourly LP (``--strategy monolithic``): at 6 h the weekly strategy built
1,449 MW (20 %) more PV and cost 1.7 % more (6-hour blocks average away the midday peak of PV
output, so the curtailment of a large PV fleet is not seen); at 3 h 99 MW (1.4 %) and 0.01 %."""

EXTENDABLE = (("Generator", "p_nom"), ("Link", "p_nom"), ("StorageUnit", "p_nom"), ("Line", "s_nom"))
"""Components that may have extendable capacity, with their capacity attribute."""


NEGLIGIBLE_CAPACITY_MW = 1e-3
"""Optimal capacity below this (MW) is taken as not built."""


def coarse_border_limits(limits: tuple[BorderLimit, ...] | list[BorderLimit], step_hours: int) -> list[BorderLimit]:
    """Turn hourly border limits into limits on coarse steps of ``step_hours`` from midnight.

    A coarse snapshot carries the mean flow of its hours, so the limit on it is the mean of
    the hourly limits (e.g. at daily steps, Mexico's 210 MW by day and 140 MW by night give
    one limit). A step in which some hour is unlimited keeps no limit: the mean flow could
    use the free hours.
    """
    groups: dict[tuple[tuple[str, float], ...], list[BorderLimit]] = {}
    for limit in limits:
        groups.setdefault(tuple(sorted(limit.lines.items())), []).append(limit)
    hours = np.arange(24)
    coarse = []
    for group in groups.values():
        hourly = np.full(24, np.inf)
        for limit in group:
            inside = limit.applies(hours)
            hourly[inside] = np.minimum(hourly[inside], limit.limit_mw)
        for first in range(0, 24, step_hours):
            window = hourly[first : first + step_hours]
            if np.isfinite(window).all():
                name = f"{group[0].limit_id}-from-{first:02d}h"
                coarse.append(BorderLimit(name, group[0].lines, float(window.mean()), first, first))
    return coarse


@dataclass
class Boundaries:
    """What the coarse stage hands to the weeks."""

    daily_mwh: pd.DataFrame
    """Reservoir level at the end of each day (day x storage unit)."""
    initial_mwh: pd.Series
    """Level before the first day (the last day's when the span is a cyclic year)."""
    capacities: dict[str, dict[str, float]]
    """Optimal capacity of each extendable component, fixed for the weeks."""
    objective_usd: float
    capital_cost_usd: float
    seconds: float
    solver_options: dict[str, Any]
    """The HiGHS options as HiGHS held them for the coarse solve."""


def has_extendable(n: pypsa.Network) -> bool:
    """True when any component's capacity is a decision of the solve."""
    return any(
        n.components[c].static[f"{a}_extendable"].astype(bool).any()
        for c, a in EXTENDABLE
        if not n.components[c].static.empty
    )


def optimal_capacities(n: pypsa.Network) -> dict[str, dict[str, float]]:
    """Return the solved capacity of every extendable component, by component (MW)."""
    capacities: dict[str, dict[str, float]] = {}
    for component, attr in EXTENDABLE:
        static = n.components[component].static
        if static.empty:
            continue
        extendable = static.index[static[f"{attr}_extendable"].astype(bool)]
        if len(extendable):
            values = static.loc[extendable, f"{attr}_opt"].astype(float)
            # an interior-point optimum leaves unbuilt candidates at ~1e-7 MW: solver noise, not capacity
            capacities[component] = values.where(values.abs() >= NEGLIGIBLE_CAPACITY_MW, 0.0).to_dict()
    return capacities


def coarse_resolution_hours(n: pypsa.Network) -> int:
    """The coarse stage's time step (h): the scenario's ``solve.coarse_resolution_hours``, else
    :data:`EXPANSION_COARSE_RESOLUTION_HOURS` when capacity is extendable, else
    :data:`COARSE_RESOLUTION_HOURS`."""
    scenario = network_meta(n).scenario or {}
    chosen = (scenario.get("solve") or {}).get("coarse_resolution_hours")
    if chosen is not None:
        return int(chosen)
    return EXPANSION_COARSE_RESOLUTION_HOURS if has_extendable(n) else COARSE_RESOLUTION_HOURS


def coarse_network(n: pypsa.Network) -> tuple[pypsa.Network, int]:
    """Return the span at coarse resolution (border limits averaged per step) and the step (h)."""
    step = pd.Timedelta(n.snapshots[1] - n.snapshots[0]) if len(n.snapshots) > 1 else pd.Timedelta(hours=1)
    step_hours = max(coarse_resolution_hours(n), int(step / pd.Timedelta(hours=1)))
    coarse = n.cluster.temporal.resample(f"{step_hours}h") if step_hours > step / pd.Timedelta(hours=1) else n.copy()
    coarse.name = f"{n.name} (coarse stage)"
    coarse.meta = n.meta
    update_meta(coarse, border_limits=tuple(coarse_border_limits(network_meta(n).border_limits, step_hours)))
    # keep the fixed end level on the last coarse step
    final = n.storage_units_t.state_of_charge_set.iloc[-1] if len(n.storage_units) else pd.Series(dtype=float)
    levels = pd.DataFrame(np.nan, index=coarse.snapshots, columns=n.storage_units.index)
    levels.iloc[-1] = final.reindex(levels.columns)
    coarse.storage_units_t.state_of_charge_set = levels
    return coarse, step_hours


def coarse_stage(n: pypsa.Network, options: HighsOptions) -> Boundaries:
    """Solve the whole span at coarse resolution and return the reservoir level at every day's end.

    Raises
    ------
    SolveError
        If the coarse LP is not optimal (the whole span cannot be operated even with
        averaged hours, e.g. too little water for a fixed end level).
    """
    started = time.perf_counter()
    coarse, step_hours = coarse_network(n)
    build_model(coarse, market_rule=False)
    try:
        in_effect = solve_model(coarse, options)
    except SolveError as exc:
        msg = f"coarse stage (whole span at {step_hours}-hour resolution): {exc}"
        raise SolveError(msg) from None

    soc = coarse.storage_units_t.state_of_charge
    daily = soc.groupby(soc.index.normalize()).last()
    capacities = optimal_capacities(coarse)
    capital = float(investment_usd(coarse).sum())
    if len(daily.columns):
        # an interior-point level may sit a hair outside [0, capacity] (or above a candidate
        # taken as not built): the weeks must be able to meet it exactly
        p_nom = n.storage_units.p_nom.copy()
        p_nom.update(pd.Series(capacities.get("StorageUnit", {}), dtype=float))
        top = (p_nom * n.storage_units.max_hours).reindex(daily.columns)
        daily = daily.clip(lower=0.0, upper=top, axis=1)
    cyclic = n.storage_units.cyclic_state_of_charge.astype(bool)
    initial = n.storage_units.state_of_charge_initial.where(~cyclic, daily.iloc[-1]) if len(daily.columns) else None
    return Boundaries(
        daily_mwh=daily,
        initial_mwh=initial if initial is not None else pd.Series(dtype=float),
        capacities=capacities,
        objective_usd=float(coarse.objective or 0.0),
        capital_cost_usd=capital,
        seconds=time.perf_counter() - started,
        solver_options=in_effect,
    )


def fix_capacities(n: pypsa.Network, capacities: dict[str, dict[str, float]]) -> None:
    """Fix extendable components at the coarse stage's optimal capacity."""
    for component, values in capacities.items():
        attr = "s_nom" if component == "Line" else "p_nom"
        static = n.components[component].static
        names = list(values)
        static.loc[names, attr] = pd.Series(values)
        static.loc[names, f"{attr}_opt"] = pd.Series(values)
        static.loc[names, f"{attr}_extendable"] = False
