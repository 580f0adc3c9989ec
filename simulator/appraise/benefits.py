"""Who gains and who loses: a project's benefits by region and component, from two solved networks.

Demand is inelastic, so every surplus is a change in payments at the nodal prices
(``n.buses_t.marginal_price``, USD/MWh). Each network's *accounts* are computed first, then
the benefit of a case is the project's accounts minus the reference's (positive = gain),
annualised by each network's span (``snapshot_weightings.objective`` sum / 8760 h) and given
in MUSD/yr. Every flow of money is weighted by the snapshots' objective weights, as the
solve's objective is.

Components, by region (the ``country`` of the component, else of its bus):

``consumer_surplus``
    Minus what consumers pay: price × served load (load minus the load-shedding
    generator's output, ``technology == "load_shedding"``, which belongs to the consumer)
    plus VOLL × unserved energy (the shedding generator's marginal cost).
``producer_surplus``
    Revenue minus operating cost of every other generator of a SIEPAC country, and of the
    conversion links (bus0 and bus1 of different carriers, e.g. the gas anchor plant:
    electricity sold at its bus minus gas bought at its gas bus minus its VOM). Capital
    cost is not in it: see ``investment``.
``congestion_rent``
    For every line, transformer and transport link (bus0 and bus1 of one carrier, e.g. a gas
    pipeline, whose compression power at ``bus2`` is bought at that bus's price): the
    payments it collects, minus its operating cost and, for the SIEPAC lines, the hurdle
    charge paid on its flow (``n.meta``'s hurdle; in the objective but no PyPSA cost). Each
    branch's rent is split half to the country of bus0 and half to that of bus1.
``storage_rent``
    Revenue minus operating cost (dispatch, spill, stored energy) of StorageUnits (hydro
    reservoirs) and Stores.
``mexico_trade``
    Trade with the neighbours: in region ``MX`` (and ``CO``) the surplus of the neighbour's
    own generators (contracts, spot supply, the spot buyer for exports, gas supply), i.e. what
    the neighbour earns from selling to, and buying from, SIEPAC at its bus price. The SIEPAC
    side of the same trade is inside the SIEPAC countries' consumer and producer figures (a
    Mexican import lowers Guatemala's price or replaces Guatemalan output), and the border
    line's rent is split like any other line's, half in ``MX`` as ``congestion_rent``. The
    component is 0 in the SIEPAC countries, so that nothing is counted twice.
``co2``
    Minus the tonnes emitted times ``co2_usd_per_t``: generators' ``co2_t_per_mwh`` per MWh
    of output, links' per MWh of input (as :mod:`simulator.results.kpis`). Not a payment in
    the model (no CO2 price is in the marginal costs), so outside the cost identity.
``investment``
    Minus the capital cost of every component with ``capital_cost`` > 0 (USD per MW, or MWh,
    for the span) times its optimal capacity; lines without a country split half and half.

The identity: nodal balance makes Σ price × load = Σ price × supply + Σ branch payments
hold in every hour, so the components except ``co2`` add up, over all regions, to minus the
change in total cost (operating cost including the hurdle, plus investment: the solve's
recorded objective). :func:`cost_identity_gap` measures how far they are;
:func:`check_cost_identity` raises above :data:`IDENTITY_TOLERANCE`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa

from simulator import ALL_REGIONS
from simulator.errors import SiepacError
from simulator.network.meta import network_meta

COMPONENTS: tuple[str, ...] = (
    "consumer_surplus",
    "producer_surplus",
    "congestion_rent",
    "storage_rent",
    "mexico_trade",
    "co2",
    "investment",
)
"""Benefit components, in the order of the tables."""

BENEFIT_COLUMNS = ["region", "component", "value", "unit"]
CARRIER_COLUMNS = ["region", "carrier", "value", "unit"]
UNIT = "MUSD/yr"
HOURS_PER_YEAR = 8760.0
IDENTITY_TOLERANCE = 1e-3
"""Largest relative gap of the cost identity that passes (0.1 %)."""
IDENTITY_FLOOR = 1e-6
"""Smallest denominator of the identity's gap, as a fraction of the reference's total cost:
two solves of a project that changes nothing differ by solver noise, not by 0.1 % of 0."""

LOAD_SHEDDING = "load_shedding"
NEIGHBOUR_REGIONS: frozenset[str] = frozenset(("MX", "CO"))

_NOMINAL = {
    "Generator": "p_nom",
    "StorageUnit": "p_nom",
    "Store": "e_nom",
    "Link": "p_nom",
    "Line": "s_nom",
    "Transformer": "s_nom",
}
"""Capacity attribute of each component that can carry a capital cost."""


class CostIdentityError(SiepacError):
    """The benefit components do not add up to minus the change in total cost."""


def span_years(n: pypsa.Network) -> float:
    """Return the span a network's costs cover, in years (objective weights summed / 8760 h)."""
    return float(n.snapshot_weightings.objective.sum()) / HOURS_PER_YEAR


def total_cost_usd(n: pypsa.Network) -> float:
    """Return the solve's total cost (USD over the span): the recorded objective, else ``n.objective``.

    Raises
    ------
    ValueError
        If the network carries neither (it was not solved).
    """
    recorded = network_meta(n).objective_usd
    if recorded is None:
        recorded = n.objective
    if recorded is None or not np.isfinite(recorded):
        msg = f"network {n.name!r} has no objective: it was not solved"
        raise ValueError(msg)
    return float(recorded)


def total_cost_musd_per_year(n: pypsa.Network) -> float:
    """Return the solve's total cost (operating plus investment), annualised, in MUSD/yr."""
    return total_cost_usd(n) / 1e6 / span_years(n)


def _weights(n: pypsa.Network) -> pd.Series:
    return n.snapshot_weightings.objective


def _prices_at(n: pypsa.Network, buses: pd.Series) -> pd.DataFrame:
    """Return the hourly price (USD/MWh) at each component's bus, columns = component names."""
    prices = n.buses_t.marginal_price
    missing = sorted(set(buses) - set(prices.columns))
    if missing:
        msg = f"network {n.name!r} has no prices at buses {missing}: it was not solved"
        raise ValueError(msg)
    return pd.DataFrame(prices[buses.to_numpy()].to_numpy(), index=n.snapshots, columns=buses.index)


def _series(n: pypsa.Network, frame: pd.DataFrame, names: pd.Index) -> pd.DataFrame:
    """Return a component time series with a column for every name (0 where PyPSA wrote none)."""
    return frame.reindex(index=n.snapshots, columns=names, fill_value=0.0).fillna(0.0)


def _dense(n: pypsa.Network, component: str, attr: str) -> pd.DataFrame:
    """Return a cost attribute (static or hourly) as a snapshot x component frame."""
    static = n.components[component].static
    return n.get_switchable_as_dense(component, attr).reindex(index=n.snapshots, columns=static.index, fill_value=0.0)


def _weighted_sum(n: pypsa.Network, frame: pd.DataFrame) -> pd.Series:
    """Return the sum over snapshots of an hourly frame weighted by the objective weights, per column."""
    return frame.mul(_weights(n), axis=0).sum()


def _country_of(n: pypsa.Network, static: pd.DataFrame, bus_column: str = "bus") -> pd.Series:
    """Return each component's country: its ``country`` column, else its bus's."""
    by_bus = static[bus_column].map(n.buses.country).astype(str)
    if "country" not in static:
        return by_bus
    own = static["country"]
    given = own.notna() & ~own.astype(str).isin(["", "nan"])
    return own.astype(str).where(given, by_bus)


class _Ledger:
    """Money (USD over the span) by region and component, as it is added up."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], float] = {}

    def add(self, component: str, amounts: pd.Series, regions: pd.Series, share: float = 1.0) -> None:
        for region, value in (amounts * share).groupby(regions.reindex(amounts.index).to_numpy()).sum().items():
            key = (str(region), component)
            self.values[key] = self.values.get(key, 0.0) + float(value)


def _generator_surplus(n: pypsa.Network) -> pd.Series:
    """Revenue minus operating cost of every generator (USD over the span)."""
    gens = n.generators
    p = _series(n, n.generators_t.p, gens.index)
    return _weighted_sum(n, p * (_prices_at(n, gens.bus) - _dense(n, "Generator", "marginal_cost")))


def _port_buses(n: pypsa.Network) -> list[tuple[str, str]]:
    """Return the (bus column, flow attribute) of every link port in use (bus0, bus1, bus2 ...)."""
    ports = []
    for column in n.links.columns:
        if column.startswith("bus") and column[3:].isdigit():
            ports.append((column, f"p{column[3:]}"))
    return ports


def _link_net_payments(n: pypsa.Network) -> pd.Series:
    """Payments each link collects minus its operating cost (USD over the span).

    A link takes ``p_k`` from the bus of each port ``k`` (negative: delivers), so it collects
    ``-Σ_k price_k × p_k``; its marginal cost is per MW at bus0.
    """
    links = n.links
    total = pd.Series(0.0, index=links.index)
    for column, attr in _port_buses(n):
        connected = links.index[links[column].astype(str) != ""]
        flows = getattr(n.links_t, attr, None)
        if flows is None or connected.empty:
            continue
        p = _series(n, flows, connected)
        total = total.add(-_weighted_sum(n, p * _prices_at(n, links.loc[connected, column])), fill_value=0.0)
    return total - _weighted_sum(n, _series(n, n.links_t.p0, links.index) * _dense(n, "Link", "marginal_cost"))


def _conversion_links(n: pypsa.Network) -> pd.Index:
    """Return the links that convert (bus0 and bus1 of different carriers): producers, not branches."""
    links = n.links
    return links.index[links.bus0.map(n.buses.carrier) != links.bus1.map(n.buses.carrier)]


def _producers(n: pypsa.Network) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Return surplus (USD), country and carrier of every producer: generators except load
    shedding, and conversion links."""
    gens = n.generators
    producing = gens.index[gens.get("technology", pd.Series("", index=gens.index)) != LOAD_SHEDDING]
    surplus = _generator_surplus(n)[producing]
    country = _country_of(n, gens)[producing]
    carrier = gens.carrier[producing].astype(str)
    if len(n.links):
        conversion = _conversion_links(n)
        surplus = pd.concat([surplus, _link_net_payments(n)[conversion]])
        country = pd.concat([country, _country_of(n, n.links, "bus1")[conversion]])
        carrier = pd.concat([carrier, n.links.carrier[conversion].astype(str)])
    return surplus, country, carrier


def _add_consumers(n: pypsa.Network, ledger: _Ledger) -> None:
    loads = n.loads
    if len(loads):
        paid = _weighted_sum(n, _series(n, n.loads_t.p, loads.index) * _prices_at(n, loads.bus))
        ledger.add("consumer_surplus", -paid, _country_of(n, loads))
    gens = n.generators
    if "technology" not in gens:
        return
    shedding = gens.index[gens.technology == LOAD_SHEDDING]
    if shedding.empty:
        return
    # unserved energy is not paid for at the price but suffered at VOLL: the load's payment
    # counted it at the price, so the consumer gets (price - VOLL) x unserved back, which is
    # the shedding generator's "surplus" (0 when it sets the price, as it does unless capped)
    ledger.add("consumer_surplus", _generator_surplus(n)[shedding], _country_of(n, gens)[shedding])


def _add_producers(n: pypsa.Network, ledger: _Ledger) -> None:
    surplus, country, _ = _producers(n)
    neighbour = country.isin(NEIGHBOUR_REGIONS)
    ledger.add("producer_surplus", surplus[~neighbour], country[~neighbour])
    ledger.add("mexico_trade", surplus[neighbour], country[neighbour])


def _add_branches(n: pypsa.Network, ledger: _Ledger) -> None:
    hurdle = network_meta(n).hurdle
    for component in ("Line", "Transformer"):
        static = n.components[component].static
        if static.empty:
            continue
        dynamic = n.components[component].dynamic
        p0 = _series(n, dynamic["p0"], static.index)
        p1 = _series(n, dynamic["p1"], static.index)
        rent = -_weighted_sum(n, p0 * _prices_at(n, static.bus0) + p1 * _prices_at(n, static.bus1))
        if component == "Line" and hurdle.usd_per_mwh > 0 and hurdle.lines:
            charged = static.index.intersection(list(hurdle.lines))
            rent.loc[charged] -= hurdle.usd_per_mwh * _weighted_sum(n, p0[charged].abs())
        _split(n, ledger, "congestion_rent", rent, static)
    if len(n.links):
        transport = n.links.index.difference(_conversion_links(n))
        _split(n, ledger, "congestion_rent", _link_net_payments(n)[transport], n.links.loc[transport])


def _split(n: pypsa.Network, ledger: _Ledger, component: str, amounts: pd.Series, static: pd.DataFrame) -> None:
    """Book half of each branch's amount in the country of bus0 and half in that of bus1."""
    ledger.add(component, amounts, static.bus0.map(n.buses.country).astype(str), 0.5)
    ledger.add(component, amounts, static.bus1.map(n.buses.country).astype(str), 0.5)


def _add_storage(n: pypsa.Network, ledger: _Ledger) -> None:
    units = n.storage_units
    if len(units):
        p = _series(n, n.storage_units_t.p, units.index)
        cost_frame = _series(n, n.storage_units_t.p_dispatch, units.index) * _dense(n, "StorageUnit", "marginal_cost")
        cost_frame += _series(n, n.storage_units_t.spill, units.index) * _dense(n, "StorageUnit", "spill_cost")
        state = _series(n, n.storage_units_t.state_of_charge, units.index)
        cost_frame += state * _dense(n, "StorageUnit", "marginal_cost_storage")
        ledger.add("storage_rent", _weighted_sum(n, p * _prices_at(n, units.bus) - cost_frame), _country_of(n, units))
    stores = n.stores
    if len(stores):
        p = _series(n, n.stores_t.p, stores.index)
        cost_frame = p * _dense(n, "Store", "marginal_cost")
        cost_frame += _series(n, n.stores_t.e, stores.index) * _dense(n, "Store", "marginal_cost_storage")
        ledger.add("storage_rent", _weighted_sum(n, p * _prices_at(n, stores.bus) - cost_frame), _country_of(n, stores))


def _add_co2(n: pypsa.Network, ledger: _Ledger, co2_usd_per_t: float) -> None:
    energy_weights = n.snapshot_weightings.generators
    gens = n.generators
    if "co2_t_per_mwh" in gens:
        tonnes = _series(n, n.generators_t.p, gens.index).mul(energy_weights, axis=0).sum() * gens.co2_t_per_mwh.fillna(
            0
        )
        ledger.add("co2", -co2_usd_per_t * tonnes, _country_of(n, gens))
    links = n.links
    if len(links) and "co2_t_per_mwh" in links:
        tonnes = _series(n, n.links_t.p0, links.index).mul(energy_weights, axis=0).sum() * links.co2_t_per_mwh.fillna(0)
        ledger.add("co2", -co2_usd_per_t * tonnes, _country_of(n, links, "bus1"))


def investment_usd(n: pypsa.Network) -> pd.Series:
    """Return the capital cost (USD for the span) of every component with ``capital_cost`` > 0,
    indexed by (component, name): capital cost times optimal capacity."""
    parts = {}
    for component, attr in _NOMINAL.items():
        static = n.components[component].static
        if static.empty or "capital_cost" not in static:
            continue
        built = static.index[static.capital_cost > 0]
        if built.empty:
            continue
        capacity = static[f"{attr}_opt"].reindex(built).fillna(static[attr].reindex(built))
        parts[component] = static.capital_cost[built] * capacity
    if not parts:
        return pd.Series(dtype=float)
    return pd.concat(parts)


def _add_investment(n: pypsa.Network, ledger: _Ledger) -> None:
    capex = investment_usd(n)
    for component in capex.index.get_level_values(0).unique():
        amounts = -capex[component]
        static = n.components[component].static.loc[amounts.index]
        if "bus" in static:
            ledger.add("investment", amounts, _country_of(n, static))
        elif component == "Link":
            ledger.add("investment", amounts, _country_of(n, static, "bus1"))
        else:  # lines and transformers have no country of their own
            _split(n, ledger, "investment", amounts, static)


def network_accounts(n: pypsa.Network, *, co2_usd_per_t: float = 0.0) -> pd.DataFrame:
    """Return the accounts of one solved network: surplus levels by region and component.

    Parameters
    ----------
    n
        A solved network (prices, dispatch, flows, optimal capacities).
    co2_usd_per_t
        Value of a tonne of CO2 (USD/t).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`BENEFIT_COLUMNS`, one row per region and component of
        :data:`COMPONENTS`, values in MUSD/yr (levels: e.g. consumer surplus is minus what
        consumers pay). A case's benefit is the project's accounts minus the reference's.
    """
    ledger = _Ledger()
    _add_consumers(n, ledger)
    _add_producers(n, ledger)
    _add_branches(n, ledger)
    _add_storage(n, ledger)
    _add_co2(n, ledger, co2_usd_per_t)
    _add_investment(n, ledger)
    regions = _regions(n.buses.country.astype(str), ledger.values)
    scale = 1e6 * span_years(n)
    rows = [
        (region, component, ledger.values.get((region, component), 0.0) / scale, UNIT)
        for region in regions
        for component in COMPONENTS
    ]
    return pd.DataFrame(rows, columns=BENEFIT_COLUMNS)


def _regions(countries: pd.Series, values: dict[tuple[str, str], float]) -> list[str]:
    """Return the regions present (SIEPAC countries west to east, then MX, CO, then any other)."""
    found = set(countries) | {region for region, _ in values}
    known = [r for r in ALL_REGIONS if r in found]
    return known + sorted(found - set(known))


def _difference(project: pd.DataFrame, reference: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Return project minus reference on ``keys`` (a row missing from one side counts as 0)."""
    a = project.set_index(keys).value
    b = reference.set_index(keys).value
    order = list(dict.fromkeys([*a.index, *b.index]))
    value = a.reindex(order, fill_value=0.0) - b.reindex(order, fill_value=0.0)
    return value.rename("value").reset_index().assign(unit=UNIT)


def case_benefits(project: pypsa.Network, reference: pypsa.Network, *, co2_usd_per_t: float = 0.0) -> pd.DataFrame:
    """Return the benefits of a project against a reference, by region and component.

    Parameters
    ----------
    project, reference
        Solved networks of the same case (study year, hydrology) with and without the project.
    co2_usd_per_t
        Value of a tonne of CO2 (USD/t) for the ``co2`` component.

    Returns
    -------
    pandas.DataFrame
        Columns ``region, component, value, unit``: every region present in either network
        (SIEPAC countries, then MX and CO) times every component of :data:`COMPONENTS`,
        value = project minus reference in MUSD/yr (positive = gain). See the module
        docstring for the definitions.
    """
    benefits = _difference(
        network_accounts(project, co2_usd_per_t=co2_usd_per_t),
        network_accounts(reference, co2_usd_per_t=co2_usd_per_t),
        ["region", "component"],
    )
    regions = _regions(benefits.region, {})
    benefits["region"] = pd.Categorical(benefits.region, regions, ordered=True)
    benefits["component"] = pd.Categorical(benefits.component, COMPONENTS, ordered=True)
    benefits = benefits.sort_values(["region", "component"]).reset_index(drop=True)
    return benefits.astype({"region": str, "component": str})[BENEFIT_COLUMNS]


def total_benefit(benefits: pd.DataFrame, *, include_co2: bool = True) -> float:
    """Return the sum of a benefits table over regions and components (MUSD/yr).

    With ``include_co2`` (the default) the CO2 value is in it, as in a social appraisal;
    without, the sum is the one the cost identity checks.
    """
    counted = benefits if include_co2 else benefits[benefits.component != "co2"]
    return float(counted.value.sum())


def carrier_surplus(n: pypsa.Network) -> pd.DataFrame:
    """Return one network's producer surplus (MUSD/yr) by region and carrier (neighbours included)."""
    surplus, country, carrier = _producers(n)
    table = pd.DataFrame({"region": country, "carrier": carrier, "value": surplus / 1e6 / span_years(n)})
    table = table.groupby(["region", "carrier"], sort=False).value.sum().reset_index()
    return table.assign(unit=UNIT)[CARRIER_COLUMNS]


def producer_surplus_by_carrier(project: pypsa.Network, reference: pypsa.Network) -> pd.DataFrame:
    """Return the change in producer surplus by region and carrier (MUSD/yr, project minus reference).

    Summed over carriers, a SIEPAC country's rows equal its ``producer_surplus`` benefit and
    a neighbour's (MX, CO) its ``mexico_trade``.
    """
    table = _difference(carrier_surplus(project), carrier_surplus(reference), ["region", "carrier"])
    regions = _regions(table.region, {})
    table["order"] = table.region.map({r: i for i, r in enumerate(regions)})
    table = table.sort_values(["order", "carrier"], kind="stable").drop(columns="order").reset_index(drop=True)
    return table[CARRIER_COLUMNS]


def cost_identity_gap(project: pypsa.Network, reference: pypsa.Network, benefits: pd.DataFrame) -> float:
    """Return the relative gap of the identity Σ benefits (except co2) = − Δ total cost.

    The total cost of each network is its solve's objective (operating cost with the hurdle,
    plus investment), annualised. The gap is ``|Σ benefits + Δ cost|`` divided by the larger
    of ``|Δ cost|`` and the largest component total (summed over regions): a project that
    moves money between regions without changing the cost is held to the size of the
    transfers, not to a zero denominator; and a project that changes nothing is held to
    :data:`IDENTITY_FLOOR` of the reference's cost (solver noise). 0 when all are 0.
    """
    reference_cost = total_cost_musd_per_year(reference)
    change = total_cost_musd_per_year(project) - reference_cost
    counted = benefits[benefits.component != "co2"]
    gap = abs(total_benefit(benefits, include_co2=False) + change)
    by_component = counted.groupby("component").value.sum().abs()
    largest = float(by_component.max()) if len(by_component) else 0.0
    scale = max(abs(change), largest, IDENTITY_FLOOR * abs(reference_cost))
    if scale == 0.0:
        return 0.0 if gap == 0.0 else float("inf")
    return gap / scale


def check_cost_identity(
    project: pypsa.Network,
    reference: pypsa.Network,
    benefits: pd.DataFrame,
    tolerance: float = IDENTITY_TOLERANCE,
) -> float:
    """Return the identity's relative gap (:func:`cost_identity_gap`), raising if above ``tolerance``.

    Raises
    ------
    CostIdentityError
        Naming both networks, the sum of the benefits, the change in cost and the gap.
    """
    gap = cost_identity_gap(project, reference, benefits)
    if gap > tolerance:
        change = total_cost_musd_per_year(project) - total_cost_musd_per_year(reference)
        total = total_benefit(benefits, include_co2=False)
        msg = (
            f"benefits of {project.name!r} against {reference.name!r} do not add up to minus the change in "
            f"total cost: sum {total:.6g} MUSD/yr, change in cost {change:.6g} MUSD/yr, "
            f"gap {100 * gap:.3g} % (tolerance {100 * tolerance:.3g} %)"
        )
        raise CostIdentityError(msg)
    return gap
