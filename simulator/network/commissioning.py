"""Capacity in service hour by hour: commissioning and retirement dates of listed plants.

``grids/fleet/capacity.csv`` gives each country's installed capacity by technology at the
**end** of a year (OLADE's definition). ``grids/fleet/commissioning.csv`` lists single
plants with their dates. The two are reconciled, never added up:

- a listed plant in service on 31 December of the year (commissioned on or before, not
  retired by then) is **part of** the capacity.csv total; before its commissioning date that
  part of the total is not available;
- a listed plant retired during the year is **not** in the end-of-year total; it is added
  back for the hours before its retirement;
- a plant commissioned after the year, or retired before it, plays no part;
- the rest of the total (not a listed plant) is available all year.

Scenario fleet changes then apply in order: ``add`` with ``commissioning_date`` /
``retirement_date`` adds its MW only between them, ``remove`` sets the capacity to zero and
``scale`` multiplies it.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from simulator.data import InputData
from simulator.errors import DataError
from simulator.scenario.schema import FleetChange, Scenario


def in_service(index: pd.DatetimeIndex, start: pd.Timestamp | None, end: pd.Timestamp | None) -> np.ndarray:
    """Return True in the hours from ``start`` (inclusive) to ``end`` (exclusive); None = open."""
    mask = np.ones(len(index), dtype=bool)
    if start is not None and not pd.isna(start):
        mask &= index >= start
    if end is not None and not pd.isna(end):
        mask &= index < end
    return mask


def online_capacity_mw(
    base_mw: float,
    plants: pd.DataFrame,
    changes: Iterable[FleetChange],
    index: pd.DatetimeIndex,
    where: str = "fleet/commissioning.csv",
) -> pd.Series:
    """Return the capacity in service (MW) in every hour of ``index`` (one year).

    Parameters
    ----------
    base_mw
        End-of-year capacity of the country and technology (``fleet/capacity.csv``).
    plants
        Rows of the commissioning table for the same country and technology.
    changes
        The scenario's fleet changes for the same country and technology, in order.
    index
        The hours of the scenario year.
    where
        Name of the commissioning table, for error messages.

    Raises
    ------
    DataError
        When the listed plants in service at the end of the year exceed ``base_mw``.
    """
    year_end = pd.Timestamp(index[-1].year, 12, 31, 23)
    start, end = plants.commissioning_date, plants.retirement_date
    at_year_end = (start <= year_end) & (end.isna() | (end > year_end))
    listed = float(plants.capacity_mw[at_year_end].sum())
    if listed > base_mw + 1e-6:
        names = "; ".join(plants.plant[at_year_end].astype(str))
        msg = (
            f"{where}: plants in service at the end of {index[-1].year} ({names}) sum to {listed:g} MW, "
            f"more than the {base_mw:g} MW of fleet/capacity.csv they are part of"
        )
        raise DataError(msg)
    online = np.full(len(index), base_mw - listed)
    for row in plants.itertuples():
        online += float(row.capacity_mw) * in_service(index, row.commissioning_date, row.retirement_date)
    for change in changes:
        if change.action == "add":
            dates = (change.commissioning_date, change.retirement_date)
            mask = in_service(index, *(None if d is None else pd.Timestamp(d) for d in dates))
            online += float(change.capacity_mw or 0.0) * mask
        elif change.action == "remove":
            online[:] = 0.0
        else:
            online *= float(change.factor if change.factor is not None else 1.0)
    return pd.Series(online, index=index)


def scenario_capacity_mw(data: InputData, scenario: Scenario, country: str, technology: str) -> float:
    """Return installed capacity (MW) after the scenario's fleet changes, applied in order."""
    capacity = data.capacity_mw(country, technology, scenario.year)
    for change in scenario.fleet:
        if change.country != country or change.technology != technology:
            continue
        if change.action == "add":
            capacity += float(change.capacity_mw or 0.0)
        elif change.action == "remove":
            capacity = 0.0
        else:
            capacity *= float(change.factor if change.factor is not None else 1.0)
    return capacity
