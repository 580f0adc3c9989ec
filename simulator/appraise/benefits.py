"""Who gains and who loses: a project's benefits by region and component, from two solved networks.

Demand is inelastic, so every surplus is a change in payments at the nodal prices
(``n.buses_t.marginal_price``). Each network's *accounts* are computed, weighted by the
snapshots' objective weights as the solve's objective is, and annualised by its span
(objective weights summed / 8760 h); a case's benefit is the project's accounts minus the
reference's, in MUSD/yr (positive = gain). Region: a component's ``country``, else its bus's.

``consumer_surplus``
    Minus what consumers pay: price × served load (load minus the output of the
    ``load_shedding`` generator, which is the consumer's) plus VOLL × unserved energy.
``producer_surplus``
    Revenue minus operating cost of the other generators of a SIEPAC country, and of the
    conversion links (bus0 and bus1 of different carriers, e.g. the anchor plant: power sold
    at its bus minus gas bought at its gas bus minus VOM). Capital cost: see ``investment``.
``congestion_rent``
    For every line, transformer and transport link (one carrier at both ends, e.g. a gas
    pipeline, whose compression power at ``bus2`` is bought at that bus's price): what it
    collects, minus its operating cost and, on the SIEPAC lines, the hurdle charge on its flow
    (``n.meta``'s hurdle: in the objective, not a PyPSA cost); half to each end's country.
``storage_rent``
    Revenue minus operating cost (dispatch, spill, stored energy) of StorageUnits (hydro
    reservoirs) and Stores.
``mexico_trade``
    In region ``MX`` (and ``CO``): the surplus of the neighbour's generators (contracts,
    spot supply, the spot buyer of exports, gas supply), i.e. what it earns selling to and
    buying from SIEPAC at its own bus price. The SIEPAC side of that trade is inside the
    SIEPAC countries' consumer and producer figures, and the border line's rent is split
    like any other's (half in ``MX`` as ``congestion_rent``): 0 in SIEPAC countries, so that
    nothing is counted twice.
``co2``
    Minus the tonnes emitted times ``co2_usd_per_t`` (generators' ``co2_t_per_mwh`` per MWh
    of output, links' per MWh of input, as in the KPIs). No CO2 price is in the marginal
    costs, so this is no payment in the model and stays outside the cost identity.
``investment``
    Minus capital cost (USD per MW or MWh for the span) times optimal capacity of every
    component with ``capital_cost`` > 0; a line's is split half to each end.

The identity: the nodal balance makes Σ price × load = Σ price × supply + Σ branch payments
in every hour, so the components except ``co2`` add up, over the regions, to minus the
change in total cost (the solve's recorded objective: operating cost with the hurdle plus
investment). :func:`cost_identity_gap` measures the gap, :func:`check_cost_identity` raises
above :data:`IDENTITY_TOLERANCE`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa

from simulator import ALL_REGIONS
from simulator.errors import SiepacError
from simulator.network.capital import investment_usd, span_years
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
IDENTITY_TOLERANCE = 1e-3
"""Largest relative gap of the cost identity that passes (0.1 %)."""
IDENTITY_FLOOR = 1e-6
"""Smallest denominator of the identity's gap, as a fraction of the reference's total cost:
two solves of a project that changes nothing differ by solver noise, not by 0.1 % of 0."""
LOAD_SHEDDING = "load_shedding"
NEIGHBOUR_REGIONS = frozenset(("MX", "CO"))


class CostIdentityError(SiepacError):
    """The benefit components do not add up to minus the change in total cost."""


def total_cost_musd_per_year(n: pypsa.Network) -> float:
    """Return the solve's total cost (operating plus investment), annualised, in MUSD/yr: the
    recorded objective, else ``n.objective``; ``ValueError`` if neither (not solved)."""
    recorded = network_meta(n).objective_usd
    recorded = n.objective if recorded is None else recorded
    if recorded is None or not np.isfinite(recorded):
        msg = f"network {n.name!r} has no objective: it was not solved"
        raise ValueError(msg)
    return float(recorded) / 1e6 / span_years(n)


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
    return frame.mul(n.snapshot_weightings.objective, axis=0).sum()


def _country_of(n: pypsa.Network, static: pd.DataFrame, bus_column: str = "bus") -> pd.Series:
    """Return each component's country: its ``country`` column, else its bus's."""
    by_bus = static[bus_column].map(n.buses.country).astype(str)
    if "country" not in static:
        return by_bus
    own = static["country"]
    return own.astype(str).where(own.notna() & ~own.astype(str).isin(["", "nan"]), by_bus)


Ledger = dict[tuple[str, str], float]
"""Money (USD over the span) by (region, component), as it is added up."""


def _book(ledger: Ledger, component: str, amounts: pd.Series, regions: pd.Series, share: float = 1.0) -> None:
    for region, value in (amounts * share).groupby(regions.reindex(amounts.index).to_numpy()).sum().items():
        ledger[(str(region), component)] = ledger.get((str(region), component), 0.0) + float(value)


def _split(n: pypsa.Network, ledger: Ledger, component: str, amounts: pd.Series, static: pd.DataFrame) -> None:
    """Book half of each branch's amount in the country of bus0 and half in that of bus1."""
    for end in ("bus0", "bus1"):
        _book(ledger, component, amounts, static[end].map(n.buses.country).astype(str), 0.5)


def _generator_surplus(n: pypsa.Network) -> pd.Series:
    """Revenue minus operating cost of every generator (USD over the span)."""
    gens = n.generators
    p = _series(n, n.generators_t.p, gens.index)
    return _weighted_sum(n, p * (_prices_at(n, gens.bus) - _dense(n, "Generator", "marginal_cost")))


def _link_net_payments(n: pypsa.Network) -> pd.Series:
    """Payments each link collects minus its operating cost (USD over the span).

    A link takes ``p_k`` from the bus of each port ``k`` (bus0, bus1, bus2 ...; negative:
    delivers), so it collects ``-Σ_k price_k × p_k``; its marginal cost is per MW at bus0.
    """
    links = n.links
    total = pd.Series(0.0, index=links.index)
    for column in [c for c in links.columns if c.startswith("bus") and c[3:].isdigit()]:
        connected = links.index[links[column].astype(str) != ""]
        flows = getattr(n.links_t, f"p{column[3:]}", None)
        if flows is not None and not connected.empty:
            paid = _weighted_sum(n, _series(n, flows, connected) * _prices_at(n, links.loc[connected, column]))
            total = total.sub(paid, fill_value=0.0)
    return total - _weighted_sum(n, _series(n, n.links_t.p0, links.index) * _dense(n, "Link", "marginal_cost"))


def _conversion_links(n: pypsa.Network) -> pd.Index:
    """Return the links that convert (bus0 and bus1 of different carriers): producers, not branches."""
    return n.links.index[n.links.bus0.map(n.buses.carrier) != n.links.bus1.map(n.buses.carrier)]


def _producers(n: pypsa.Network) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Return surplus (USD), country and carrier of every producer: generators except load
    shedding, and conversion links (whose country is their own, else bus1's)."""
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


def _add_consumers(n: pypsa.Network, ledger: Ledger) -> None:
    loads, gens = n.loads, n.generators
    if len(loads):
        paid = _weighted_sum(n, _series(n, n.loads_t.p, loads.index) * _prices_at(n, loads.bus))
        _book(ledger, "consumer_surplus", -paid, _country_of(n, loads))
    shedding = gens.index[gens.technology == LOAD_SHEDDING] if "technology" in gens else pd.Index([])
    if len(shedding):
        # unserved energy is not paid for at the price but suffered at VOLL: the load's payment
        # counted it at the price, so the consumer gets (price - VOLL) x unserved back, which is
        # the shedding generator's "surplus" (0 when it sets the price, as it does unless capped)
        _book(ledger, "consumer_surplus", _generator_surplus(n)[shedding], _country_of(n, gens)[shedding])


def _add_producers(n: pypsa.Network, ledger: Ledger) -> None:
    surplus, country, _ = _producers(n)
    neighbour = country.isin(NEIGHBOUR_REGIONS)
    _book(ledger, "producer_surplus", surplus[~neighbour], country[~neighbour])
    _book(ledger, "mexico_trade", surplus[neighbour], country[neighbour])


def _add_branches(n: pypsa.Network, ledger: Ledger) -> None:
    hurdle = network_meta(n).hurdle
    for component in ("Line", "Transformer"):
        static, dynamic = n.components[component].static, n.components[component].dynamic
        if static.empty:
            continue
        p0, p1 = _series(n, dynamic["p0"], static.index), _series(n, dynamic["p1"], static.index)
        rent = -_weighted_sum(n, p0 * _prices_at(n, static.bus0) + p1 * _prices_at(n, static.bus1))
        if component == "Line" and hurdle.usd_per_mwh > 0:
            charged = static.index.intersection(list(hurdle.lines))
            rent.loc[charged] -= hurdle.usd_per_mwh * _weighted_sum(n, p0[charged].abs())
        _split(n, ledger, "congestion_rent", rent, static)
    if len(n.links):
        transport = n.links.index.difference(_conversion_links(n))
        _split(n, ledger, "congestion_rent", _link_net_payments(n)[transport], n.links.loc[transport])


def _add_storage(n: pypsa.Network, ledger: Ledger) -> None:
    units, stores = n.storage_units, n.stores
    if len(units):
        dynamic = n.storage_units_t
        cost = _series(n, dynamic.p_dispatch, units.index) * _dense(n, "StorageUnit", "marginal_cost")
        cost += _series(n, dynamic.spill, units.index) * _dense(n, "StorageUnit", "spill_cost")
        cost += _series(n, dynamic.state_of_charge, units.index) * _dense(n, "StorageUnit", "marginal_cost_storage")
        revenue = _series(n, n.storage_units_t.p, units.index) * _prices_at(n, units.bus)
        _book(ledger, "storage_rent", _weighted_sum(n, revenue - cost), _country_of(n, units))
    if len(stores):
        p = _series(n, n.stores_t.p, stores.index)
        cost = p * _dense(n, "Store", "marginal_cost")
        cost += _series(n, n.stores_t.e, stores.index) * _dense(n, "Store", "marginal_cost_storage")
        _book(ledger, "storage_rent", _weighted_sum(n, p * _prices_at(n, stores.bus) - cost), _country_of(n, stores))


def _add_co2(n: pypsa.Network, ledger: Ledger, co2_usd_per_t: float) -> None:
    hours = n.snapshot_weightings.generators
    for static, flow, bus in ((n.generators, n.generators_t.p, "bus"), (n.links, n.links_t.p0, "bus1")):
        if len(static) and "co2_t_per_mwh" in static:
            tonnes = _series(n, flow, static.index).mul(hours, axis=0).sum() * static.co2_t_per_mwh.fillna(0.0)
            _book(ledger, "co2", -co2_usd_per_t * tonnes, _country_of(n, static, bus))


def _add_investment(n: pypsa.Network, ledger: Ledger) -> None:
    capex = investment_usd(n)
    for component in capex.index.get_level_values(0).unique():
        amounts = -capex[component]
        static = n.components[component].static.loc[amounts.index]
        if "bus" in static or component == "Link":
            _book(ledger, "investment", amounts, _country_of(n, static, "bus" if "bus" in static else "bus1"))
        else:  # lines and transformers have no country of their own
            _split(n, ledger, "investment", amounts, static)


def network_accounts(n: pypsa.Network, *, co2_usd_per_t: float = 0.0) -> pd.DataFrame:
    """Return one solved network's surplus levels (MUSD/yr), columns :data:`BENEFIT_COLUMNS`, for
    every region and component (e.g. consumer surplus = minus what consumers pay; CO2 valued at
    ``co2_usd_per_t`` USD/t). A case's benefit is the project's accounts minus the reference's."""
    ledger: Ledger = {}
    _add_consumers(n, ledger)
    _add_producers(n, ledger)
    _add_branches(n, ledger)
    _add_storage(n, ledger)
    _add_co2(n, ledger, co2_usd_per_t)
    _add_investment(n, ledger)
    regions = _regions({*n.buses.country.astype(str), *(region for region, _ in ledger)})
    scale = 1e6 * span_years(n)
    rows = [(r, c, ledger.get((r, c), 0.0) / scale, UNIT) for r in regions for c in COMPONENTS]
    return pd.DataFrame(rows, columns=BENEFIT_COLUMNS)


def _regions(found: set[str]) -> list[str]:
    """Return the regions in table order (SIEPAC countries west to east, then MX, CO, then any other)."""
    known = [r for r in ALL_REGIONS if r in found]
    return known + sorted(found - set(known))


def _difference(project: pd.DataFrame, reference: pd.DataFrame, key: str, order: tuple[str, ...]) -> pd.DataFrame:
    """Return project minus reference by (region, key), sorted by region and ``order`` (then
    alphabetically); a row missing from one side counts as 0."""
    a, b = project.set_index(["region", key]).value, reference.set_index(["region", key]).value
    index = a.index.union(b.index)
    table = (a.reindex(index, fill_value=0.0) - b.reindex(index, fill_value=0.0)).rename("value").reset_index()
    rank = {r: i for i, r in enumerate(_regions(set(table.region)))}
    second = {k: i for i, k in enumerate(order)}
    table = table.assign(_r=table.region.map(rank), _k=table[key].map(second).fillna(len(order)))
    table = table.sort_values(["_r", "_k", key]).reset_index(drop=True)
    return table.assign(unit=UNIT)[["region", key, "value", "unit"]]


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
    a, b = (network_accounts(n, co2_usd_per_t=co2_usd_per_t) for n in (project, reference))
    return _difference(a, b, "component", COMPONENTS)


def total_benefit(benefits: pd.DataFrame, *, include_co2: bool = True) -> float:
    """Return the sum of a benefits table (MUSD/yr): with CO2 (default), the social benefit;
    without, the sum the cost identity checks."""
    return float((benefits if include_co2 else benefits[benefits.component != "co2"]).value.sum())


def carrier_surplus(n: pypsa.Network) -> pd.DataFrame:
    """Return one network's producer surplus (MUSD/yr) by region and carrier (neighbours included)."""
    surplus, country, carrier = _producers(n)
    table = pd.DataFrame({"region": country, "carrier": carrier, "value": surplus / 1e6 / span_years(n)})
    return table.groupby(["region", "carrier"]).value.sum().reset_index().assign(unit=UNIT)[CARRIER_COLUMNS]


def producer_surplus_by_carrier(project: pypsa.Network, reference: pypsa.Network) -> pd.DataFrame:
    """Return the change in producer surplus by region and carrier (MUSD/yr, project minus reference).

    Summed over carriers, a SIEPAC country's rows equal its ``producer_surplus`` benefit and
    a neighbour's (MX, CO) its ``mexico_trade``.
    """
    return _difference(carrier_surplus(project), carrier_surplus(reference), "carrier", ())


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
    gap = abs(total_benefit(benefits, include_co2=False) + change)
    by_component = benefits[benefits.component != "co2"].groupby("component").value.sum().abs()
    largest = float(by_component.max()) if len(by_component) else 0.0
    scale = max(abs(change), largest, IDENTITY_FLOOR * abs(reference_cost))
    if scale == 0.0:
        return 0.0 if gap == 0.0 else float("inf")
    return gap / scale


def check_cost_identity(
    project: pypsa.Network, reference: pypsa.Network, benefits: pd.DataFrame, tolerance: float = IDENTITY_TOLERANCE
) -> float:
    """Return the identity's relative gap (:func:`cost_identity_gap`); above ``tolerance`` raise
    :class:`CostIdentityError` naming both networks, the benefits' sum, the change in cost and the gap."""
    gap = cost_identity_gap(project, reference, benefits)
    if gap > tolerance:
        change = total_cost_musd_per_year(project) - total_cost_musd_per_year(reference)
        msg = (
            f"benefits of {project.name!r} against {reference.name!r} do not add up to minus the change in "
            f"total cost: sum {total_benefit(benefits, include_co2=False):.6g} MUSD/yr, change in cost "
            f"{change:.6g} MUSD/yr, gap {100 * gap:.3g} % (tolerance {100 * tolerance:.3g} %)"
        )
        raise CostIdentityError(msg)
    return gap
