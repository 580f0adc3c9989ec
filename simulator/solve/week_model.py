"""The week LP, built once per process and re-solved in place through HiGHS for every week.

PyPSA and linopy build the model of the first week (through :func:`~simulator.solve.assembly.build_model`,
so with the border limits, hurdle and market rule); linopy hands it to HiGHS (``to_highspy``).
For every later week only numbers change: load, availability, inflow, the boundary levels
and time-varying costs. They are written straight into the HiGHS model by row and column
(linopy's label order) through highspy, and HiGHS re-solves from the previous week's basis.
That is what makes a week cost a fifth of a second instead of a second and a half.

The solution is read back from HiGHS by linopy label and turned into the series PyPSA's
own write-back (``n.optimize.assign_solution``) would produce, with the same names and
signs; link outputs use the hourly efficiency (``get_switchable_as_dense``), so a
time-varying efficiency is honoured.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pandas as pd
import pypsa
import xarray as xr

from simulator.errors import SolveError
from simulator.network.meta import network_meta
from simulator.solve.assembly import build_model
from simulator.solve.highs import HighsOptions, check_options, native_stdout_silenced, options_in_effect
from simulator.solve.market_rule import MARKET_RULE_CONSTRAINTS, market_rule_cut, market_rule_ratings
from simulator.solve.weeks import Week, day_ends, describe_week

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


def time_varying_inputs(n: pypsa.Network) -> dict[str, set[str]]:
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
    return all(attrs <= SUPPORTED_SERIES.get(component, set()) for component, attrs in time_varying_inputs(n).items())


@dataclass
class WeekResult:
    """The solution of one week, as plain frames (cheap to send between processes)."""

    index: int
    objective_usd: float
    series: dict[tuple[str, str], pd.DataFrame]
    market_rule: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    solver_options: dict[str, Any] = field(default_factory=dict)
    """The HiGHS options as HiGHS held them for this week's solve."""


class WeekModel:
    """The LP of one block length, built once and re-solved in place for every such block.

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

    def __init__(self, n: pypsa.Network, block: pd.DatetimeIndex, options: HighsOptions):
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
        model = build_model(w)
        self.rule = network_meta(w).market
        self.ratings = market_rule_ratings(w, self.rule) if self.rule.active else {}
        self.folded = fold_bound_rows(model)
        self.network, self.model = w, model
        check_options(options)
        with native_stdout_silenced():
            self.highs = model.to_highspy()
            for key, value in options.items():
                self.highs.setOptionValue(key, value)
        self.options_in_effect = options_in_effect(self.highs, options)
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

    def set_rhs(self, name: str, values: np.ndarray | float) -> None:
        """Set the right-hand side of a constraint (array shaped like its labels, or a scalar)."""
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

    # -- solving --

    def solve(
        self, index: int, count: int, week: Week, start: pd.Series, levels: pd.DataFrame, cold: bool = False
    ) -> WeekResult:
        """Update, solve (twice when the ``guatemala_only`` rule binds) and return one week.

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
        if self.rule.active:
            relaxed = kept(primal, objective)
            cut = market_rule_cut(self.rule, self._frame(primal, "Line-s", block), self.ratings)
            if cut is not None:
                for key, rhs in cut.rhs.items():
                    self.set_rhs(MARKET_RULE_CONSTRAINTS[key], rhs)
                primal, dual, objective = self._run(index, count, block)
                for key, rating in self.ratings.items():  # back to never binding for the next week
                    self.set_rhs(MARKET_RULE_CONSTRAINTS[key], rating)
            # conflict hours count the whole block (an overlapping last week may count a few twice)
            conflicts = float(cut.conflict_hours) if cut is not None else 0.0
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
            solver_options=self.options_in_effect,
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
            msg = f"{describe_week(index, count, block)} ended with condition {condition!r}; no result written.{hint}"
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
        """The week's results as PyPSA's write-back produces them (same names and signs)."""
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
            efficiency = n.get_switchable_as_dense("Link", "efficiency", block)[p0.columns]
            out[("Link", "p1")] = -p0 * efficiency
            bus2 = n.links.index[n.links.get("bus2", pd.Series("", index=n.links.index)).fillna("").astype(str) != ""]
            if len(bus2):
                efficiency2 = n.get_switchable_as_dense("Link", "efficiency2", block)[bus2]
                out[("Link", "p2")] = -p0[bus2] * efficiency2
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
