"""The ``weekly`` solve strategy: a coarse stage over the whole span, then week-long LPs.

Operators of hydro-thermal systems plan in two stages, and so does this strategy:

1. **Coarse stage.** The whole span at 6-hour resolution (PyPSA's
   ``n.cluster.temporal.resample``), one LP with every reservoir, border limit (averaged
   over each step's hours) and hurdle. It decides how much water each reservoir holds at
   the end of every day, and the capacity of anything extendable.
2. **Week stage.** The span is cut into weeks (:func:`week_blocks`). Each week is an
   hourly LP that starts at the coarse level of its first day and must end at the coarse
   level of its last day. Weeks are independent, so they run in parallel, one process per
   core. Each process builds the linopy model of a week *once* and re-solves it for every
   week it is given by changing right-hand sides, bounds and objective coefficients in
   place through linopy's persistent HiGHS interface; rebuilding a week from scratch costs
   about four times its solve.

Prices are the duals of each week's hourly balance. Within a week they are exact for that
week's LP; at its last hour the fixed end level stands in for the rest of the year, so
water is valued there by the coarse stage's decision, not by hourly trade-offs across the
boundary.
"""

from __future__ import annotations

import multiprocessing
import re
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pandas as pd
import pypsa
import xarray as xr

from simulator.errors import SolveError
from simulator.network.constraints import add_border_limits, add_hurdle_costs, stored_border_limits
from simulator.network.electric import BorderLimit
from simulator.solve import (
    DEFAULT_HIGHS_OPTIONS,
    MARKET_RULE_CONSTRAINTS,
    SolveReport,
    _solve,
    add_market_rule,
    available_cores,
    check_solution,
    native_stdout_silenced,
    relax_market_rule,
    tighten_market_rule,
)

WEEK_DAYS = 7
COARSE_RESOLUTION_HOURS = 6
"""Coarse-stage time step (h). Measured on base_2022 against one hourly LP: at 24 h the
corridor energies of the weeks were off by up to 3.7 %, at 6 h by under 0.3 % (HN-NI, a
47 GWh corridor, aside) for 3.5 s more of coarse solve; 3 h gained little for 9 s more."""

COARSE_HIGHS_OPTIONS: dict[str, float | int | str | bool] = {
    **DEFAULT_HIGHS_OPTIONS,
    "solver": "ipm",
    "run_crossover": "off",
}
"""Interior point without crossover: only the coarse stage's levels are used, not its duals."""

WEEK_HIGHS_OPTIONS: dict[str, float | int | str | bool] = {
    **{k: v for k, v in DEFAULT_HIGHS_OPTIONS.items() if k != "run_crossover"},
    "solver": "simplex",
    "threads": 1,
}
"""Dual simplex, one thread per week: a vertex solution (exact duals) and a warm start from
the previous week's basis when the model is re-solved in place."""

SUPPORTED_SERIES = {
    "Load": {"p_set"},
    "Generator": {"p_max_pu", "p_min_pu", "marginal_cost"},
    "StorageUnit": {"inflow", "state_of_charge_set"},
}
"""Time-varying inputs the in-place week update knows how to change. A network with any
other time-varying input is solved with a fresh model per week (slower, same answer)."""

RESULT_SERIES = {
    "Generator": ("p",),
    "StorageUnit": ("p", "p_dispatch", "p_store", "state_of_charge", "spill"),
    "Line": ("p0", "p1"),
    "Link": ("p0", "p1", "p2"),
    "Bus": ("marginal_price",),
}


@dataclass(frozen=True)
class Week:
    """One week LP: the snapshots it solves and those of its solution that are kept."""

    snapshots: pd.DatetimeIndex
    keep: pd.DatetimeIndex
    """Equal to ``snapshots`` except for the last week of a span that is not whole weeks:
    it solves the span's last seven days and keeps only the days after the previous week."""


def week_blocks(snapshots: pd.DatetimeIndex) -> list[Week]:
    """Cut snapshots into weeks of seven whole days from the first day.

    All weeks have the same length, so one model serves them all. A remainder of fewer
    than seven days (a 365-day year is 52 weeks and a day) is solved as the span's last
    seven days, keeping only the remainder; its level at the start of the remainder is
    pinned to the coarse stage's, so the kept days continue the previous week exactly.
    A span shorter than a week is one block.
    """
    days = snapshots.normalize()
    day_number = np.asarray((days - days[0]).days)
    total = int(day_number.max()) + 1
    if total <= WEEK_DAYS:
        return [Week(snapshots, snapshots)]
    weeks = []
    for first in range(0, total - WEEK_DAYS + 1, WEEK_DAYS):
        block = snapshots[(day_number >= first) & (day_number < first + WEEK_DAYS)]
        weeks.append(Week(block, block))
    covered = len(weeks) * WEEK_DAYS
    if covered < total:
        block = snapshots[day_number >= total - WEEK_DAYS]
        weeks.append(Week(block, snapshots[day_number >= covered]))
    return weeks


def _describe(index: int, count: int, block: pd.DatetimeIndex) -> str:
    return f"week {index + 1} of {count} ({block[0]:%Y-%m-%d} to {block[-1]:%Y-%m-%d})"


def day_ends(snapshots: pd.DatetimeIndex) -> np.ndarray:
    """Return True at the last snapshot of each day."""
    days = snapshots.normalize()
    return np.append(days[1:] != days[:-1], True)


# -- coarse stage -----------------------------------------------------------------------


def coarse_border_limits(limits: list[BorderLimit], step_hours: int) -> list[BorderLimit]:
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


def coarse_stage(n: pypsa.Network, options: dict[str, float | int | str | bool]) -> Boundaries:
    """Solve the whole span at coarse resolution and return the reservoir level at every day's end.

    Raises
    ------
    SolveError
        If the coarse LP is not optimal (the whole span cannot be operated even with
        averaged hours, e.g. too little water for a fixed end level).
    """
    started = time.perf_counter()
    step = pd.Timedelta(n.snapshots[1] - n.snapshots[0]) if len(n.snapshots) > 1 else pd.Timedelta(hours=1)
    step_hours = max(COARSE_RESOLUTION_HOURS, int(step / pd.Timedelta(hours=1)))
    coarse = n.cluster.temporal.resample(f"{step_hours}h") if step_hours > step / pd.Timedelta(hours=1) else n.copy()
    coarse.name = f"{n.name} (coarse stage)"
    coarse.meta = {
        **n.meta,
        "border_limits": [vars(b) for b in coarse_border_limits(stored_border_limits(n), step_hours)],
    }
    # keep the fixed end level on the last coarse step
    final = n.storage_units_t.state_of_charge_set.iloc[-1] if len(n.storage_units) else pd.Series(dtype=float)
    levels = pd.DataFrame(np.nan, index=coarse.snapshots, columns=n.storage_units.index)
    levels.iloc[-1] = final.reindex(levels.columns)
    coarse.storage_units_t.state_of_charge_set = levels
    coarse.optimize.create_model(include_objective_constant=False)
    add_border_limits(coarse, coarse.snapshots)
    add_hurdle_costs(coarse)
    try:
        _solve(coarse, options)
    except SolveError as exc:
        msg = f"coarse stage (whole span at {step_hours}-hour resolution): {exc}"
        raise SolveError(msg) from None

    soc = coarse.storage_units_t.state_of_charge
    daily = soc.groupby(soc.index.normalize()).last()
    cyclic = n.storage_units.cyclic_state_of_charge.astype(bool)
    initial = n.storage_units.state_of_charge_initial.where(~cyclic, daily.iloc[-1]) if len(daily.columns) else None
    capacities: dict[str, dict[str, float]] = {}
    capital = 0.0
    for component, attr in (("Generator", "p_nom"), ("Link", "p_nom"), ("StorageUnit", "p_nom"), ("Line", "s_nom")):
        static = coarse.components[component].static
        if static.empty:
            continue
        extendable = static.index[static[f"{attr}_extendable"].astype(bool)]
        if len(extendable):
            optimal = static.loc[extendable, f"{attr}_opt"].astype(float)
            capacities[component] = optimal.to_dict()
            capital += float((static.loc[extendable, "capital_cost"] * optimal).sum())
    return Boundaries(
        daily_mwh=daily,
        initial_mwh=initial if initial is not None else pd.Series(dtype=float),
        capacities=capacities,
        objective_usd=float(coarse.objective or 0.0),
        capital_cost_usd=capital,
        seconds=time.perf_counter() - started,
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


# -- week stage -------------------------------------------------------------------------


def _time_varying_inputs(n: pypsa.Network) -> dict[str, set[str]]:
    """Return the non-empty time-varying input series of the network, by component."""
    found: dict[str, set[str]] = {}
    for component in ("Generator", "Load", "StorageUnit", "Line", "Link", "Store", "Bus"):
        outputs = set(RESULT_SERIES.get(component, ())) | {"mu_upper", "mu_lower", "p_nom_opt", "status"}
        for attr, frame in n.components[component].dynamic.items():
            if attr not in outputs and not frame.empty and frame.shape[1] > 0:
                found.setdefault(component, set()).add(attr)
    return found


def supports_in_place_updates(n: pypsa.Network) -> bool:
    """True when every time-varying input is one that :class:`WeekModel` updates in place."""
    return all(attrs <= SUPPORTED_SERIES.get(component, set()) for component, attrs in _time_varying_inputs(n).items())


@dataclass
class WeekResult:
    """The solution of one week, as plain arrays (cheap to send between processes)."""

    index: int
    objective_usd: float
    series: dict[tuple[str, str], pd.DataFrame]
    market_rule: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0


class WeekModel:
    """The LP of one block length, built once and re-solved in place for every such block.

    PyPSA and linopy build the model of the first block (with the border limits, hurdle and
    market rule); linopy hands it to HiGHS. For every later block only numbers change:
    load, availability, inflow, the boundary levels and time-varying costs. They are
    written straight into the HiGHS model by row and column (linopy's label order), and
    HiGHS re-solves from the previous week's basis. That is what makes a week cost a
    fifth of a second instead of a second and a half.

    Parameters
    ----------
    n
        The whole-span network (extendables already fixed).
    block
        The snapshots of the first block the model is built for; every later block must
        have the same number of snapshots at the same hours of the day.
    options
        HiGHS options.
    """

    def __init__(self, n: pypsa.Network, block: pd.DatetimeIndex, options: dict[str, float | int | str | bool]):
        self.full = n
        w = n.copy(snapshots=block)
        w.name = n.name
        w.meta = dict(n.meta)
        su = w.storage_units.index
        w.storage_units.cyclic_state_of_charge = False
        w.storage_units.state_of_charge_initial = 0.0
        # a level constraint at every day's end; each week activates the ones it needs
        levels = pd.DataFrame(np.nan, index=block, columns=su)
        levels.loc[day_ends(block)] = 0.0
        w.storage_units_t.state_of_charge_set = levels
        model = w.optimize.create_model(include_objective_constant=False)
        add_border_limits(w, w.snapshots)
        add_hurdle_costs(w)
        add_market_rule(w)
        self.folded = fold_bound_rows(model)
        self.network, self.model = w, model
        with native_stdout_silenced():
            self.highs = model.to_highspy()
            for key, value in options.items():
                self.highs.setOptionValue(key, value)
        built = self.highs.getLp()
        self.col_lower = np.array(built.col_lower_, dtype=float)
        self.col_upper = np.array(built.col_upper_, dtype=float)
        matrices = model.matrices
        self.column = _positions(matrices.vlabels)
        self.row = _positions(matrices.clabels)
        self.weights = w.snapshot_weightings.objective.to_numpy()
        # the snapshot (position) of every HiGHS column, to split the objective by hour
        snapshot_of_label = np.full(len(self.column), -1, dtype=np.int64)
        for name in model.variables:
            labels = model.variables[name].labels
            if "snapshot" in labels.dims:
                position = xr.DataArray(np.arange(len(block)), coords={"snapshot": labels.coords["snapshot"]})
                values, where = labels.values, xr.broadcast(position, labels)[0].transpose(*labels.dims).values
                snapshot_of_label[values[values >= 0]] = where[values >= 0]
        self.snapshot_of_column = snapshot_of_label[matrices.vlabels]

    def restart(self) -> None:
        """Forget the basis and factorisation of earlier solves, so that the next solve does
        not depend on which week this process solved before."""
        self.highs.clearSolver()

    # -- writing numbers into HiGHS --

    def set_rhs(self, name: str, values: np.ndarray) -> None:
        """Set the right-hand side of a constraint (array shaped like its labels)."""
        constraint = self.model.constraints[name]
        labels = constraint.labels.values
        keep = labels >= 0
        rows = self.row[labels[keep]]
        rhs = np.broadcast_to(values, labels.shape)[keep].astype(float)
        sign = np.broadcast_to(constraint.sign.values, labels.shape)[keep]
        free = np.isnan(rhs)  # a NaN right-hand side frees the row (it no longer binds)
        lower = np.where((sign != "<=") & ~free, rhs, -np.inf)
        upper = np.where((sign != ">=") & ~free, rhs, np.inf)
        ok = rows >= 0
        self.highs.changeRowsBounds(int(ok.sum()), rows[ok].astype(np.int32), lower[ok], upper[ok])  # type: ignore[attr-defined]

    def set_bound(self, name: str, values: np.ndarray) -> None:
        """Set the right-hand side of a bound constraint (``*-fix-*-lower/upper``), which is a
        column bound in HiGHS when it was folded, else a row."""
        if name not in self.folded:
            self.set_rhs(name, values)
            return
        variable_name, side, names = self.folded[name]
        labels = self.model.variables[variable_name].labels.sel(name=names).values
        self._set_column_bound(labels, np.broadcast_to(values, labels.shape), side)

    def set_upper(self, name: str, values: np.ndarray) -> None:
        """Set the upper bound of a variable (array shaped like its labels); lower bounds stay."""
        labels = self.model.variables[name].labels.values
        self._set_column_bound(labels, np.broadcast_to(values, labels.shape), "upper")

    def _set_column_bound(self, labels: np.ndarray, values: np.ndarray, side: str) -> None:
        keep = labels >= 0
        columns = self.column[labels[keep]]
        ok = columns >= 0
        columns, new = columns[ok], values[keep][ok].astype(float)
        (self.col_lower if side == "lower" else self.col_upper)[columns] = new
        self.highs.changeColsBounds(
            len(columns), columns.astype(np.int32), self.col_lower[columns], self.col_upper[columns]
        )

    def set_cost(self, name: str, names: list[str], costs: np.ndarray) -> None:
        """Set the objective coefficients of ``variable[snapshot, name]`` (costs per snapshot, name)."""
        labels = self.model.variables[name].labels.sel(name=names).values
        columns = self.column[labels.ravel()]
        ok = columns >= 0
        self.highs.changeColsCost(int(ok.sum()), columns[ok].astype(np.int32), costs.ravel()[ok].astype(float))

    def update(self, block: pd.DatetimeIndex, start_mwh: pd.Series, levels_mwh: pd.DataFrame) -> None:
        """Write one block's inputs and reservoir levels into the model.

        ``levels_mwh`` holds the levels to meet at the end of some days (indexed by the last
        snapshot of the day); all other day-end level rows are freed.
        """
        n, constraints = self.full, self.model.constraints
        loads = n.get_switchable_as_dense("Load", "p_set", block)
        signed = -loads * n.loads.sign.reindex(loads.columns)
        by_bus = signed.T.groupby(n.loads.bus.reindex(loads.columns).to_numpy()).sum().T
        buses = constraints["Bus-nodal_balance"].labels.coords["name"].to_index()
        self.set_rhs("Bus-nodal_balance", by_bus.reindex(columns=buses, fill_value=0.0).to_numpy())

        for suffix, attr in (("upper", "p_max_pu"), ("lower", "p_min_pu")):
            name = f"Generator-fix-p-{suffix}"
            if name in constraints or name in self.folded:
                names = self.folded[name][2] if name in self.folded else constraints[name].labels.coords["name"]
                names = pd.Index(names)
                per_unit = n.get_switchable_as_dense("Generator", attr, block)[names]
                self.set_bound(name, (per_unit * n.generators.p_nom[names]).to_numpy())

        if "StorageUnit-energy_balance" in constraints:
            su = constraints["StorageUnit-energy_balance"].labels.coords["name"].to_index()
            inflow = n.get_switchable_as_dense("StorageUnit", "inflow", block)[su]
            hours = self.network.snapshot_weightings.stores.to_numpy()[:, None]
            rhs = -(inflow.to_numpy() * hours)
            loss = (1.0 - n.storage_units.standing_loss[su].to_numpy()) ** hours[0]
            rhs[0] -= loss * start_mwh[su].to_numpy()
            self.set_rhs("StorageUnit-energy_balance", rhs)
            spill = self.model.variables["StorageUnit-spill"].labels.coords["name"].to_index()
            self.set_upper("StorageUnit-spill", inflow[spill].to_numpy())
            level = constraints["StorageUnit-state_of_charge_set"]
            names = level.labels.coords["name"].to_index()
            values = pd.DataFrame(np.nan, index=block, columns=names)
            values.loc[levels_mwh.index, names] = levels_mwh[names].to_numpy()
            self.set_rhs("StorageUnit-state_of_charge_set", values.to_numpy())

        priced = list(n.generators_t.marginal_cost.columns)
        if priced:
            costs = n.generators_t.marginal_cost.loc[block, priced].to_numpy() * self.weights[:, None]
            self.set_cost("Generator-p", priced, costs)

    def solve(
        self, index: int, count: int, week: Week, start: pd.Series, levels: pd.DataFrame, cold: bool = False
    ) -> WeekResult:
        """Update, solve (twice under the ``guatemala_only`` rule) and return one week.

        ``cold`` discards the previous week's basis, so that the answer does not depend on
        which week this process solved before (and so not on the number of processes).
        """
        started = time.perf_counter()
        block = week.snapshots
        self.update(block, start, levels)
        if cold:
            self.restart()
        dropped = np.flatnonzero(~block.isin(week.keep))

        def kept(primal: np.ndarray, objective: float) -> float:
            """The objective of the kept hours only (all of them but in an overlapping last week)."""
            return objective - float(self._cost_by_snapshot(primal)[dropped].sum()) if len(dropped) else objective

        primal, dual, objective = self._run(index, count, block)
        market: dict[str, float] = {}
        w = self.network
        if _market_rule_active(w):
            w.lines_t.p0 = self._frame(primal, "Line-s", w.snapshots)  # the model's own (first-week) index
            w._objective = objective
            relaxed = kept(primal, objective)
            tightened = tighten_market_rule(w)  # sets the rhs in linopy; copy it into HiGHS
            if tightened is not None:
                for name in MARKET_RULE_CONSTRAINTS.values():
                    self.set_rhs(name, self.model.constraints[name].rhs.values)
                primal, dual, objective = self._run(index, count, block)
                relax_market_rule(w)
                for name in MARKET_RULE_CONSTRAINTS.values():
                    self.set_rhs(name, self.model.constraints[name].rhs.values)
            # conflict hours count the whole block (an overlapping last week may count a few twice)
            conflicts = tightened["conflict_hours"] if tightened else 0.0
            market = {"relaxation_objective_usd": relaxed, "conflict_hours": conflicts}
        objective = kept(primal, objective)
        if market:
            market["objective_usd"] = objective
        return WeekResult(
            index=index,
            objective_usd=objective,
            series={key: frame.loc[week.keep] for key, frame in self._series(primal, dual, block).items()},
            market_rule=market,
            seconds=time.perf_counter() - started,
        )

    def _run(self, index: int, count: int, block: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray, float]:
        """Run HiGHS; return primal and dual values by linopy label, and the objective."""
        with native_stdout_silenced():
            self.highs.run()
        status = self.highs.getModelStatus()
        condition = self.highs.modelStatusToString(status).lower()
        if status != highspy.HighsModelStatus.kOptimal:
            hint = (
                " Some hour of this week cannot be served even with load shedding, or the reservoir "
                "levels fixed at the week's ends cannot be met; check its loads, must-run shares and limits."
                if "infeasible" in condition
                else ""
            )
            msg = f"{_describe(index, count, block)} ended with condition {condition!r}; no result written.{hint}"
            raise SolveError(msg)
        solution = self.highs.getSolution()
        primal = _by_label(np.asarray(solution.col_value), self.column)
        dual = _by_label(np.asarray(solution.row_dual), self.row)
        return primal, dual, float(self.highs.getInfo().objective_function_value)

    def _cost_by_snapshot(self, primal: np.ndarray) -> np.ndarray:
        """Return the objective of the last solve split by snapshot (USD)."""
        lp = self.highs.getLp()
        columns = np.asarray(self.column)
        values = np.zeros(len(self.snapshot_of_column))
        found = columns >= 0
        values[columns[found]] = primal[np.flatnonzero(found)]
        cost = np.asarray(lp.col_cost_) * values
        timed = self.snapshot_of_column >= 0
        return np.bincount(self.snapshot_of_column[timed], weights=cost[timed], minlength=len(self.weights))

    def _frame(self, values: np.ndarray, name: str, block: pd.DatetimeIndex, constraint: bool = False) -> pd.DataFrame:
        item = self.model.constraints[name] if constraint else self.model.variables[name]
        labels = item.labels
        out = np.where(labels.values >= 0, values[np.maximum(labels.values, 0)], np.nan)
        return pd.DataFrame(out, index=block, columns=labels.coords["name"].to_index())

    def _series(
        self, primal: np.ndarray, dual: np.ndarray, block: pd.DatetimeIndex
    ) -> dict[tuple[str, str], pd.DataFrame]:
        """The week's results as PyPSA would write them (same names and signs)."""
        n, variables = self.full, self.model.variables
        out: dict[tuple[str, str], pd.DataFrame] = {}
        if "Generator-p" in variables:
            out[("Generator", "p")] = self._frame(primal, "Generator-p", block)
        if "Line-s" in variables:
            flow = self._frame(primal, "Line-s", block)
            out[("Line", "p0")], out[("Line", "p1")] = flow, -flow
        if "Link-p" in variables:
            p0 = self._frame(primal, "Link-p", block)
            out[("Link", "p0")] = p0
            out[("Link", "p1")] = -p0 * n.links.efficiency[p0.columns]
            bus2 = n.links.index[n.links.get("bus2", pd.Series("", index=n.links.index)).fillna("").astype(str) != ""]
            if len(bus2):
                out[("Link", "p2")] = -p0[bus2] * n.links.efficiency2[bus2]
        if "StorageUnit-p_dispatch" in variables:
            for attr in ("p_dispatch", "p_store", "state_of_charge", "spill"):
                out[("StorageUnit", attr)] = self._frame(primal, f"StorageUnit-{attr}", block)
            out[("StorageUnit", "p")] = out[("StorageUnit", "p_dispatch")] - out[("StorageUnit", "p_store")]
        prices = self._frame(dual, "Bus-nodal_balance", block, constraint=True)
        out[("Bus", "marginal_price")] = prices.divide(self.weights, axis=0)
        if len(n.loads):
            out[("Load", "p")] = n.get_switchable_as_dense("Load", "p_set", block)
        return out


FIX_ROW = re.compile(r"^(?P<component>[A-Za-z]+)-fix-(?P<attr>\w+?)-(?P<side>lower|upper)$")


def fold_bound_rows(model: Any) -> dict[str, tuple[str, str, pd.Index]]:
    """Turn PyPSA's single-variable bound constraints into variable bounds.

    PyPSA writes ``p >= p_min_pu * p_nom`` and ``p <= p_max_pu * p_nom`` (and the like for
    lines and storage) as constraints: a week's LP has two rows per generator and hour that
    are only bounds. Presolve would fold them, but a warm-started re-solve skips presolve,
    so the simplex carried them all; as column bounds they cost nothing. Their duals are
    not used.

    Returns
    -------
    dict
        Constraint name -> (variable name, ``lower`` or ``upper``, the names it bounded).
    """
    folded: dict[str, tuple[str, str, pd.Index]] = {}
    for name in list(model.constraints):
        match = FIX_ROW.match(name)
        variable_name = f"{match['component']}-{match['attr']}" if match else ""
        if not match or variable_name not in model.variables:
            continue
        constraint, variable = model.constraints[name], model.variables[variable_name]
        labels = constraint.labels.values
        terms = constraint.vars
        if terms.sizes.get("_term", 1) != 1 or not np.all(constraint.coeffs.values[labels >= 0] == 1.0):
            continue
        names = constraint.labels.coords["name"].to_index()
        if set(constraint.labels.dims) != {"snapshot", "name"} or (labels < 0).any():
            continue
        side = match["side"]
        bound = getattr(variable, side).copy()
        rhs = constraint.rhs.transpose(*bound.sel(name=names).dims)
        current = bound.sel(name=names)
        bound.loc[{"name": names}] = np.maximum(current, rhs) if side == "lower" else np.minimum(current, rhs)
        variable.update(**{side: bound})
        model.remove_constraints(name)
        folded[name] = (variable_name, side, names)
    return folded


def _positions(labels: np.ndarray) -> np.ndarray:
    """Map linopy labels to HiGHS row/column positions (-1 where a label has no position)."""
    size = int(labels.max()) + 1 if len(labels) else 0
    positions = np.full(size, -1, dtype=np.int64)
    positions[labels] = np.arange(len(labels))
    return positions


def _by_label(values: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Return solver values re-ordered by linopy label (NaN where a label has none)."""
    out = np.full(len(positions), np.nan)
    found = positions >= 0
    out[found] = values[positions[found]]
    return out


def _market_rule_active(w: pypsa.Network) -> bool:
    return any(name in w.model.constraints for name in MARKET_RULE_CONSTRAINTS.values())


# -- the worker side (one process per core, or this process) ----------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(n: pypsa.Network) -> None:
    _WORKER.clear()
    _WORKER["network"] = n
    _WORKER["models"] = {}


CHUNKS = 4
"""The weeks are cut into this many runs of consecutive weeks. A process solves a run week
after week, each warm-started from the previous one's basis (about 2.5 times faster than a
cold start); every run starts cold. A fixed cut keeps the answer independent of the number
of processes, and four runs share out evenly over one, two or four cores."""


@dataclass(frozen=True)
class WeekTask:
    """One week to solve and the reservoir levels it must meet."""

    index: int
    count: int
    week: Week
    start_mwh: pd.Series
    levels_mwh: pd.DataFrame


def week_tasks(weeks: list[Week], boundaries: Boundaries) -> list[WeekTask]:
    """Pair every week with its start level and the day-end levels it must meet.

    A week starts at the coarse level of the day before it and ends at the coarse level of
    its last day; a week whose kept days start later also meets the level of the day
    before them.
    """
    daily = boundaries.daily_mwh
    tasks = []
    for i, week in enumerate(weeks):
        first_day = week.snapshots[0].normalize()
        before = daily.loc[daily.index < first_day]
        start = before.iloc[-1] if len(before) else boundaries.initial_mwh
        ends = day_ends(week.snapshots)
        level_at = week.snapshots[ends][-1:]
        if week.keep[0] != week.snapshots[0]:
            pin = week.snapshots[week.snapshots < week.keep[0]][-1:]
            level_at = pin.append(level_at)
        levels = daily.loc[level_at.normalize()].set_axis(level_at)
        tasks.append(WeekTask(i, len(weeks), week, start, levels))
    return tasks


def _coarse_task(options: dict[str, float | int | str | bool]) -> Boundaries:
    return coarse_stage(_WORKER["network"], options)


def _model_for(week: Week, capacities: dict[str, dict[str, float]], options: dict[str, Any], reuse: bool) -> WeekModel:
    """This process's model for a week's shape, built on first use (or afresh when not reusable)."""
    models: dict[Any, WeekModel] = _WORKER.setdefault("models", {})
    block = week.snapshots
    key = (len(block), tuple(block.hour[:24]))
    model = models.get(key) if reuse else None
    if model is None:
        n = _WORKER["network"]
        if capacities and not _WORKER.get("fixed"):
            n = n.copy()
            fix_capacities(n, capacities)
            _WORKER["network"], _WORKER["fixed"] = n, True
        model = WeekModel(n, block, options)
        if reuse:
            models[key] = model
    return model


def _chunk_task(
    tasks: list[WeekTask], capacities: dict[str, dict[str, float]], options: dict[str, Any], reuse: bool
) -> list[WeekResult]:
    results = []
    for position, task in enumerate(tasks):
        model = _model_for(task.week, capacities, options, reuse)
        results.append(
            model.solve(task.index, task.count, task.week, task.start_mwh, task.levels_mwh, cold=position == 0)
        )
    return results


def _fork_pool(processes: int) -> ProcessPoolExecutor:
    """Worker processes forked from this one: they inherit the network and any week model
    built so far (module state), and must be forked before this process runs a solver."""
    return ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork"))


def _solve_in_processes(
    n: pypsa.Network,
    processes: int,
    weeks: list[Week],
    cuts: list[np.ndarray],
    coarse_options: dict[str, Any],
    week_options: dict[str, Any],
    reuse: bool,
    prebuild: bool,
) -> tuple[Boundaries, list[WeekResult], float]:
    """Run the coarse stage and the weeks; return the boundaries, the weeks and the coarse wall time.

    With more than one process the coarse stage runs in a process of its own, forked first;
    meanwhile this process builds the week model, and only then forks the week workers, so
    that they start with the model built and solve as soon as the coarse levels arrive.
    """
    started = time.perf_counter()
    _init_worker(n)
    try:
        if processes <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            boundaries = coarse_stage(n, coarse_options)
            coarse_wall = time.perf_counter() - started
            tasks = week_tasks(weeks, boundaries)
            results = [
                r
                for cut in cuts
                for r in _chunk_task([tasks[i] for i in cut], boundaries.capacities, week_options, reuse)
            ]
            return boundaries, results, coarse_wall
        with _fork_pool(1) as coarse_pool:
            coarse = coarse_pool.submit(_coarse_task, coarse_options)
            if prebuild:  # the coarse stage does not change the model's shape: build it now
                _model_for(weeks[0], {}, week_options, reuse=True)
            with _fork_pool(processes) as pool:
                boundaries = coarse.result()
                coarse_wall = time.perf_counter() - started
                tasks = week_tasks(weeks, boundaries)
                futures: list[Future[list[WeekResult]]] = [
                    pool.submit(_chunk_task, [tasks[i] for i in cut], boundaries.capacities, week_options, reuse)
                    for cut in cuts
                ]
                try:  # the first failure propagates; the chunks not yet started are cancelled
                    results = [r for future in futures for r in future.result()]
                except BaseException:
                    pool.shutdown(wait=True, cancel_futures=True)
                    raise
        return boundaries, results, coarse_wall
    finally:
        _WORKER.clear()


def solve_weekly(
    n: pypsa.Network, solver_options: dict[str, float | int | str | bool] | None = None, cores: int | None = None
) -> SolveReport:
    """Solve a built network with the weekly strategy and check the assembled result.

    Parameters
    ----------
    n
        Network from :func:`simulator.network.build_network`; its time series receive the
        solution, week by week, as :meth:`pypsa.Network.optimize` would write them.
    solver_options
        HiGHS options that override both stages' presets (e.g. tolerances).
    cores
        Processes for the weeks (default: the cores this process may use). With one, every
        week is solved in this process, as a batch worker needs.

    Returns
    -------
    SolveReport
        Status, objective (USD: the sum of the weeks plus any capital cost), timings, the
        post-solve checks on the whole span and the strategy's own figures.

    Raises
    ------
    SolveError
        Naming the stage or week that failed and why; nothing of the solution is kept.
    """
    extra = dict(solver_options or {})
    coarse_options = {**COARSE_HIGHS_OPTIONS, **extra, "threads": 1}
    week_options = {**WEEK_HIGHS_OPTIONS, **extra, "threads": 1}
    # settle the topology (and so the KVL cycle basis) before any copy is made, so that every
    # process builds exactly the same LP, whatever it did before
    n.determine_network_topology()
    weeks = week_blocks(n.snapshots)
    cuts = np.array_split(np.arange(len(weeks)), min(CHUNKS, len(weeks)))
    processes = min(available_cores(cores), len(cuts))
    reuse = supports_in_place_updates(n)
    extendable = any(
        n.components[c].static[f"{a}_extendable"].astype(bool).any()
        for c, a in (("Generator", "p_nom"), ("Link", "p_nom"), ("StorageUnit", "p_nom"), ("Line", "s_nom"))
        if not n.components[c].static.empty
    )
    t0 = time.perf_counter()
    boundaries, results, coarse_wall = _solve_in_processes(
        n, processes, weeks, cuts, coarse_options, week_options, reuse, prebuild=reuse and not extendable
    )
    t2 = time.perf_counter()
    fix_capacities(n, boundaries.capacities)
    _assemble(n, results)
    n._objective = sum(r.objective_usd for r in results) + boundaries.capital_cost_usd
    checks = check_solution(n)
    market = _sum_market_rule(results)
    week_seconds = [r.seconds for r in results]
    return SolveReport(
        status="ok",
        condition="optimal",
        objective_usd=float(n.objective or 0.0),
        solver="highs",
        solver_options={"coarse": coarse_options, "weeks": week_options},
        seconds_build=0.0,
        seconds_solve=t2 - t0,
        checks=checks,
        market_rule=market,
        strategy="weekly",
        details={
            "weeks": len(weeks),
            "processes": processes,
            "model_reused_between_weeks": reuse,
            "coarse_resolution_hours": COARSE_RESOLUTION_HOURS,
            "coarse_objective_usd": boundaries.objective_usd,
            "coarse_seconds": round(boundaries.seconds, 2),
            "coarse_wall_seconds": round(coarse_wall, 2),
            "weeks_wall_seconds": round(t2 - t0 - coarse_wall, 2),
            "week_seconds_median": round(float(np.median(week_seconds)), 3),
            "week_seconds_max": round(float(np.max(week_seconds)), 3),
        },
    )


def _assemble(n: pypsa.Network, results: list[WeekResult]) -> None:
    """Write the weeks' results into the whole-span network's time series."""
    keys = dict.fromkeys(key for r in results for key in r.series)
    for component, attr in keys:
        frames = [r.series[(component, attr)] for r in results if (component, attr) in r.series]
        whole = pd.concat(frames).reindex(n.snapshots)
        n.components[component].dynamic[attr] = whole
    if len(n.generators):
        n.generators["p_nom_opt"] = n.generators.p_nom
    if len(n.links):
        n.links["p_nom_opt"] = n.links.p_nom
    if len(n.storage_units):
        n.storage_units["p_nom_opt"] = n.storage_units.p_nom
    if len(n.lines):
        n.lines["s_nom_opt"] = n.lines.s_nom


def _sum_market_rule(results: list[WeekResult]) -> dict[str, float]:
    rules = [r.market_rule for r in results if r.market_rule]
    if not rules:
        return {}
    return {key: float(sum(rule[key] for rule in rules)) for key in rules[0]}
