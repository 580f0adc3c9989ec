"""Is the project worth its cost: benefit paths, NPV, benefit/cost ratio, IRR and payback.

Pure arithmetic on yearly figures in MUSD (no network here). Conventions:

- A year's cash counts at the end of that year's discounting step: cash of year ``y`` is
  worth ``cash / (1 + r) ** (y - base_year)`` in ``base_year`` (so cash of the base year is
  not discounted, and of a year before it is compounded forward).
- Benefits (MUSD/yr) are known at study years (e.g. 2030, 2035) and linearly interpolated
  between them; after the last study year they are held at its value (no extrapolated
  growth), and before the first one at the first one's (the earliest solved system is the
  best guess for the years before it).
- A project operates ``lifetime_years`` years from ``commissioning_year`` (inclusive): it
  earns the benefit and pays the fixed O&M in each. Its capex is paid in the commissioning
  year, or spread evenly over the ``construction_years`` years before it.
- With no capex (a market rule such as common procurement) there is no investment to
  return: the benefit/cost ratio, IRR and payback are ``None`` and the NPV is the present
  value of the benefits (minus any fixed O&M).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq

WEIGHT_TOLERANCE = 1e-6
"""How far the hydrology weights may sum from 1."""
IRR_GRID_PCT: np.ndarray = np.concatenate(
    [np.linspace(-99.0, -10.0, 90), np.linspace(-9.5, 100.0, 220), np.geomspace(101.0, 1e4, 80)]
)
"""Rates (%) between which a sign change of the NPV is searched for, before bracketed root finding."""
ADDITIVE_KEYS: tuple[str, ...] = ("npv_musd", "pv_benefits_musd", "pv_costs_musd")
"""Results that are linear in the benefits: their weighted mean is the weighted case's value."""


def _finite(value: float, name: str) -> float:
    if not math.isfinite(float(value)):
        msg = f"{name} must be a finite number, found {value!r}"
        raise ValueError(msg)
    return float(value)


def annual_benefit_path(benefits_by_year: Mapping[int, float], first_year: int, last_year: int) -> pd.Series:
    """Return the yearly benefit (MUSD/yr) from ``first_year`` to ``last_year`` (inclusive).

    Linear between study years, held at the last study year's value after it and at the
    first's before it.

    Parameters
    ----------
    benefits_by_year
        Study year -> benefit (MUSD/yr), e.g. ``{2030: 25.0, 2035: 40.0}``.
    first_year, last_year
        The years of the path.

    Returns
    -------
    pandas.Series
        Benefit by year (index ``year``).

    Raises
    ------
    ValueError
        No study year, a non-finite benefit, or ``last_year`` before ``first_year``.
    """
    if not benefits_by_year:
        msg = "benefits_by_year is empty: at least one study year is needed"
        raise ValueError(msg)
    if last_year < first_year:
        msg = f"last_year ({last_year}) is before first_year ({first_year})"
        raise ValueError(msg)
    study = sorted((int(y), _finite(v, f"benefit of {y}")) for y, v in benefits_by_year.items())
    years = np.arange(int(first_year), int(last_year) + 1)
    # np.interp holds the end values outside the study years, as documented above
    values = np.interp(years, [y for y, _ in study], [v for _, v in study])
    return pd.Series(values, index=pd.Index(years, name="year"), name="benefit_musd")


def discount_factors(years: Iterable[int], rate_pct: float, base_year: int) -> np.ndarray:
    """Return ``1 / (1 + r) ** (year - base_year)`` for each year."""
    rate = _finite(rate_pct, "rate_pct") / 100.0
    if rate <= -1.0:
        msg = f"rate_pct must be above -100, found {rate_pct}"
        raise ValueError(msg)
    return 1.0 / (1.0 + rate) ** (np.asarray(list(years), dtype=float) - base_year)


def npv(cash: pd.Series, rate_pct: float, base_year: int) -> float:
    """Return the net present value in ``base_year`` of a yearly cash series (index = year)."""
    return float((cash.to_numpy(dtype=float) * discount_factors(cash.index, rate_pct, base_year)).sum())


def irr(cash: pd.Series) -> float | None:
    """Return the internal rate of return (%) of a yearly cash series, or None.

    The NPV is evaluated on :data:`IRR_GRID_PCT` (-99 % to 10000 %) and the root bracketed
    by its sign change found with :func:`scipy.optimize.brentq`. None when the NPV does not
    change sign (no IRR: e.g. benefits never repay the cost, or no cost at all), or when it
    changes sign more than once (several IRRs, none meaningful: use the NPV).
    """
    if cash.empty or not np.isfinite(cash.to_numpy(dtype=float)).all():
        return None
    amounts = cash.to_numpy(dtype=float)
    periods = cash.index.to_numpy(dtype=float) - float(cash.index.min())

    def value(rate_pct: float) -> float:
        return float((amounts / (1.0 + rate_pct / 100.0) ** periods).sum())

    # every grid rate at once: growth[i, t] = (1 + r_i) ** t
    growth = (1.0 + IRR_GRID_PCT[:, None] / 100.0) ** periods[None, :]
    signs = np.sign((amounts[None, :] / growth).sum(axis=1))
    nonzero = signs != 0
    changes = np.flatnonzero(np.diff(signs[nonzero]) != 0)
    if len(changes) != 1:
        return None
    rates = IRR_GRID_PCT[nonzero]
    low, high = float(rates[changes[0]]), float(rates[changes[0] + 1])
    # a grid rate between them has an NPV of exactly 0: it is the root
    between = (low < IRR_GRID_PCT) & (high > IRR_GRID_PCT)
    exact = IRR_GRID_PCT[(signs == 0) & between]
    if len(exact):
        return float(exact[0])
    return float(brentq(value, low, high, xtol=1e-10, rtol=1e-12))


def payback_year(cash: pd.Series, rate_pct: float | None = None, base_year: int | None = None) -> int | None:
    """Return the first year in which the cumulative cash is at least 0, or None if never.

    Undiscounted by default; with ``rate_pct`` the discounted payback (cash discounted to
    ``base_year``, by default the first year of the series; the year found does not depend
    on it).
    """
    if cash.empty:
        return None
    values = cash.sort_index().to_numpy(dtype=float)
    years = cash.sort_index().index
    if rate_pct is not None:
        values = values * discount_factors(years, rate_pct, int(years[0]) if base_year is None else base_year)
    reached = np.flatnonzero(np.cumsum(values) >= 0.0)
    return int(years[reached[0]]) if len(reached) else None


def project_cash(
    benefits_by_year: Mapping[int, float],
    capex_musd: float,
    fom_musd_per_year: float,
    lifetime_years: int,
    commissioning_year: int,
    construction_years: int = 0,
) -> pd.DataFrame:
    """Return the project's yearly benefits, costs and net cash (MUSD), index ``year``.

    Years run from the start of construction (``commissioning_year - construction_years``)
    to the last year of operation (``commissioning_year + lifetime_years - 1``).
    """
    capex = _finite(capex_musd, "capex_musd")
    fom = _finite(fom_musd_per_year, "fom_musd_per_year")
    for name, amount in (("capex_musd", capex), ("fom_musd_per_year", fom)):
        if amount < 0:
            msg = f"{name} must be at least 0, found {amount}"
            raise ValueError(msg)
    if int(lifetime_years) != lifetime_years or lifetime_years < 1:
        msg = f"lifetime_years must be a whole number of at least 1, found {lifetime_years}"
        raise ValueError(msg)
    if int(construction_years) != construction_years or construction_years < 0:
        msg = f"construction_years must be a whole number of at least 0, found {construction_years}"
        raise ValueError(msg)
    first = int(commissioning_year) - int(construction_years)
    last = int(commissioning_year) + int(lifetime_years) - 1
    years = pd.Index(np.arange(first, last + 1), name="year")
    operating = years >= commissioning_year
    benefits = pd.Series(0.0, index=years)
    benefits[operating] = annual_benefit_path(benefits_by_year, int(commissioning_year), last).to_numpy()
    costs = pd.Series(np.where(operating, fom, 0.0), index=years)
    if construction_years:
        costs[~operating] += capex / construction_years
    else:
        costs[commissioning_year] += capex
    return pd.DataFrame({"benefits_musd": benefits, "costs_musd": costs, "net_musd": benefits - costs})


def appraise_project(
    benefits_by_year: Mapping[int, float],
    capex_musd: float,
    fom_musd_per_year: float,
    lifetime_years: int,
    commissioning_year: int,
    rate_pct: float,
    base_year: int | None = None,
    construction_years: int = 0,
) -> dict[str, Any]:
    """Return the economics of a project from its yearly benefits and its costs.

    Parameters
    ----------
    benefits_by_year
        Study year -> benefit (MUSD/yr, the sum of the benefit components over the regions).
    capex_musd
        Investment (MUSD), paid in the commissioning year or over the construction years.
    fom_musd_per_year
        Fixed operation and maintenance (MUSD/yr) in every year of operation.
    lifetime_years
        Years of operation from the commissioning year.
    commissioning_year
        First year of operation.
    rate_pct
        Real discount rate (%/yr).
    base_year
        Year of the present values (default: the first year with cash, i.e. the start of
        construction, or the commissioning year).
    construction_years
        Years before commissioning over which the capex is spread evenly (0: all of it in
        the commissioning year).

    Returns
    -------
    dict
        ``npv_musd``, ``benefit_cost_ratio`` (PV benefits / PV costs, None without costs),
        ``irr_pct`` and ``payback_year`` / ``discounted_payback_year`` (None without capex,
        or when there is none), ``pv_benefits_musd``, ``pv_costs_musd``, and what
        :func:`weighted` needs to recombine cases: ``net_cash_musd`` (year -> MUSD),
        ``rate_pct``, ``base_year``, ``has_capex``.
    """
    cash = project_cash(
        benefits_by_year, capex_musd, fom_musd_per_year, lifetime_years, commissioning_year, construction_years
    )
    base = int(cash.index[0]) if base_year is None else int(base_year)
    pv_benefits = npv(cash.benefits_musd, rate_pct, base)
    pv_costs = npv(cash.costs_musd, rate_pct, base)
    return _summary(cash.net_musd, pv_benefits, pv_costs, float(rate_pct), base, has_capex=float(capex_musd) > 0)


def _summary(
    net: pd.Series,
    pv_benefits: float,
    pv_costs: float,
    rate_pct: float,
    base_year: int,
    has_capex: bool,
) -> dict[str, Any]:
    """Assemble a result dict from the net cash and the present values."""
    return {
        "npv_musd": pv_benefits - pv_costs,
        "benefit_cost_ratio": pv_benefits / pv_costs if pv_costs > 0 else None,
        "irr_pct": irr(net) if has_capex else None,
        "payback_year": payback_year(net) if has_capex else None,
        "discounted_payback_year": payback_year(net, rate_pct, base_year) if has_capex else None,
        "pv_benefits_musd": pv_benefits,
        "pv_costs_musd": pv_costs,
        "net_cash_musd": {int(y): float(v) for y, v in net.items()},
        "rate_pct": rate_pct,
        "base_year": base_year,
        "has_capex": has_capex,
    }


def check_weights(weights: Mapping[str, float], cases: Iterable[str] | None = None) -> dict[str, float]:
    """Return the weights as floats after checking them: each in [0, 1], summing to 1, and
    (given ``cases``) one for every case and no other.

    Raises
    ------
    ValueError
        Naming the weight, the sum, or the missing and unknown cases.
    """
    checked: dict[str, float] = {}
    for name, w in weights.items():
        w = _finite(w, f"weight of {name!r}")
        if not 0.0 <= w <= 1.0:
            msg = f"weight of {name!r} must be between 0 and 1, found {w}"
            raise ValueError(msg)
        checked[str(name)] = w
    total = sum(checked.values())
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        msg = f"weights must sum to 1, found {total:.6g} ({', '.join(f'{k}: {v:g}' for k, v in checked.items())})"
        raise ValueError(msg)
    if cases is not None:
        names = [str(c) for c in cases]
        missing = sorted(set(names) - set(checked))
        unknown = sorted(set(checked) - set(names))
        if missing or unknown:
            msg = f"weights do not match the cases: no weight for {missing}, weight for unknown {unknown}"
            raise ValueError(msg)
    return checked


def weighted_benefits(benefits: Mapping[str, Mapping[int, float]], weights: Mapping[str, float]) -> dict[int, float]:
    """Return the weighted benefit by study year (e.g. over hydrologies), case -> year -> MUSD/yr.

    Every case must have the same study years.
    """
    checked = check_weights(weights, benefits)
    years = [sorted(b) for b in benefits.values()]
    if any(y != years[0] for y in years):
        msg = f"cases have different study years: {dict(zip(benefits, years, strict=True))}"
        raise ValueError(msg)
    return {int(y): sum(checked[str(c)] * float(b[y]) for c, b in benefits.items()) for y in years[0]}


def weighted(results: Mapping[str, Mapping[str, Any]], weights: Mapping[str, float]) -> dict[str, Any]:
    """Return the weighted appraisal of several cases (e.g. wet and dry hydrology).

    Parameters
    ----------
    results
        Case -> result of :func:`appraise_project` (same costs, rate and base year).
    weights
        Case -> weight (each in [0, 1], summing to 1, one per case).

    Returns
    -------
    dict
        The appraisal of the expected cash: NPV and present values are the weighted means,
        the benefit/cost ratio is their ratio (not the mean of the ratios), and IRR and
        paybacks are those of the weighted net cash (not means of the cases' ones), i.e.
        exactly :func:`appraise_project` of the weighted benefits.

    Raises
    ------
    ValueError
        Bad weights, or results with different rates, base years or years.
    """
    checked = check_weights(weights, results)
    first = next(iter(results.values()))
    for name, result in results.items():
        for key in ("rate_pct", "base_year", "has_capex"):
            if result[key] != first[key]:
                msg = f"case {name!r} has {key} {result[key]!r}, others {first[key]!r}: cannot weight them"
                raise ValueError(msg)
        if sorted(result["net_cash_musd"]) != sorted(first["net_cash_musd"]):
            msg = f"case {name!r} covers other years than the others: cannot weight them"
            raise ValueError(msg)
    # present values are linear in the cash: the weighted case's are the weighted means
    mean = {key: sum(checked[str(c)] * float(r[key]) for c, r in results.items()) for key in ADDITIVE_KEYS}
    years = sorted(first["net_cash_musd"])
    net = pd.Series(
        [sum(checked[str(c)] * float(r["net_cash_musd"][y]) for c, r in results.items()) for y in years],
        index=pd.Index(years, name="year"),
    )
    return _summary(
        net,
        mean["pv_benefits_musd"],
        mean["pv_costs_musd"],
        float(first["rate_pct"]),
        int(first["base_year"]),
        has_capex=bool(first["has_capex"]),
    )


def percentiles(values: Iterable[float], qs: Sequence[float] = (10, 50, 90)) -> dict[str, float]:
    """Return percentiles of sampled values (e.g. NPVs of the draws), keyed ``p10``, ``p50`` ...

    ``p10`` is the value that 10 % of the draws fall below (linear interpolation between draws).

    Raises
    ------
    ValueError
        No value, a non-finite value, or a percentile outside 0-100.
    """
    array = np.asarray(list(values), dtype=float)
    if array.size == 0:
        msg = "percentiles of no values: at least one draw is needed"
        raise ValueError(msg)
    if not np.isfinite(array).all():
        msg = f"percentiles need finite values, found {array[~np.isfinite(array)][:3].tolist()}"
        raise ValueError(msg)
    out = {}
    for q in qs:
        if not 0.0 <= float(q) <= 100.0:
            msg = f"percentile must be between 0 and 100, found {q}"
            raise ValueError(msg)
        out[f"p{float(q):g}"] = float(np.percentile(array, float(q)))
    return out
