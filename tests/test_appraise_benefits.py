"""Benefits of a project on networks small enough to do the accounts by hand.

Every network is solved by the tool's own solve (``solve_network``: PyPSA's model plus the
hurdle and border limits of :func:`simulator.solve.assembly.build_model`). Expected figures
are worked out in the comments per hour, in USD; the tables are in MUSD/yr, so an hourly
figure h (USD/h, the same in every hour) is ``h * 8760 / 1e6``.
"""

from __future__ import annotations

import pandas as pd
import pypsa
import pytest

from simulator.appraise.benefits import (
    BENEFIT_COLUMNS,
    COMPONENTS,
    IDENTITY_TOLERANCE,
    CostIdentityError,
    case_benefits,
    check_cost_identity,
    cost_identity_gap,
    network_accounts,
    producer_surplus_by_carrier,
    total_benefit,
    total_cost_musd_per_year,
)
from simulator.data import InputData
from simulator.network import build_network
from simulator.run import quiet_libraries
from simulator.solve import solve_network, solve_weekly
from simulator.testing import short_scenario, tiny_network


def annual(usd_per_hour: float) -> float:
    """MUSD/yr of a figure that is the same (USD/h) in every hour."""
    return usd_per_hour * 8760.0 / 1e6


def value(table: pd.DataFrame, region: str, component: str) -> float:
    row = table[(table.region == region) & (table.component == component)]
    assert len(row) == 1, (region, component)
    return float(row.value.iloc[0])


def expect(table: pd.DataFrame, expected: dict[tuple[str, str], float]) -> None:
    """Every (region, component) of ``table`` equals ``expected`` (USD/h, absent = 0)."""
    for region, component in zip(table.region, table.component, strict=True):
        wanted = annual(expected.get((region, component), 0.0))
        assert value(table, region, component) == pytest.approx(wanted, abs=1e-6), (region, component)


def solved(n: pypsa.Network) -> pypsa.Network:
    solve_network(n)
    return n


def two_bus(line_mw: float, hurdle: float = 0.0) -> pypsa.Network:
    # GT: hydro 100 MW at 5, gas 1000 MW at 20, load 100; SV: oil 1000 MW at 60, load 300.
    n = tiny_network(
        buses={"A": "GT", "B": "SV"},
        lines=[("L", "A", "B", 10.0, line_mw)],
        generators=[
            ("A hydro", "A", "hydro", 100.0, 5.0),
            ("A gas", "A", "gas", 1000.0, 20.0),
            ("B oil", "B", "oil", 1000.0, 60.0),
        ],
        loads={"A": 100.0, "B": 300.0},
    )
    n.generators["co2_t_per_mwh"] = [0.0, 0.4, 0.8]
    if hurdle:
        n.meta["hurdle"] = {"usd_per_mwh": hurdle, "lines": ["L"]}
    return solved(n)


def test_a_congested_line_made_larger_gains_only_its_rent() -> None:
    # Reference, L = 50 MW: A exports 50; hydro 100 + gas 50 at A, price 20; oil 250 at B, price 60.
    #   payments: GT 20 x 100 = 2000, SV 60 x 300 = 18000; hydro (20 - 5) x 100 = 1500
    #   rent 50 x (60 - 20) = 2000; cost 5 x 100 + 20 x 50 + 60 x 250 = 16500 (= 20000 - 1500 - 2000)
    # Project, L = 100 MW: still congested, the same prices; rent 100 x 40 = 4000, cost 14500.
    reference, project = two_bus(50.0), two_bus(100.0)
    benefits = case_benefits(project, reference)
    assert list(benefits.columns) == BENEFIT_COLUMNS
    assert list(benefits.region.unique()) == ["GT", "SV"]
    assert list(benefits.component[benefits.region == "GT"]) == list(COMPONENTS)
    assert set(benefits.unit) == {"MUSD/yr"}
    expect(benefits, {("GT", "congestion_rent"): 1000.0, ("SV", "congestion_rent"): 1000.0})
    assert total_cost_musd_per_year(reference) == pytest.approx(annual(16500.0))
    assert total_cost_musd_per_year(project) == pytest.approx(annual(14500.0))


def test_an_uncongested_line_moves_the_consumers_gain_and_loses_the_rent() -> None:
    # Project, L = 400 MW: A exports 300, gas 300 at A sets one price, 20, everywhere.
    #   SV pays 20 x 300 = 6000 (was 18000): +12000; hydro still earns 1500; rent 0 (was 2000)
    #   cost 5 x 100 + 20 x 300 = 6500 (was 16500): the benefits add up to 12000 - 2000 = 10000.
    # CO2: gas 0.4 t/MWh x (300 - 50) more, oil 0.8 t/MWh x 250 less: -100 t/h, worth 50 USD/t.
    reference, project = two_bus(50.0), two_bus(400.0)
    benefits = case_benefits(project, reference, co2_usd_per_t=50.0)
    expect(
        benefits,
        {
            ("SV", "consumer_surplus"): 12000.0,
            ("GT", "congestion_rent"): -1000.0,
            ("SV", "congestion_rent"): -1000.0,
            ("GT", "co2"): -50.0 * 0.4 * 250.0,
            ("SV", "co2"): 50.0 * 0.8 * 250.0,
        },
    )
    assert cost_identity_gap(project, reference, benefits) < 1e-9
    assert total_benefit(benefits, include_co2=False) == pytest.approx(annual(10000.0))
    assert total_benefit(benefits) == pytest.approx(annual(10000.0 + 50.0 * (0.8 - 0.4) * 250.0))
    # the other way round every figure changes sign
    backwards = case_benefits(reference, project, co2_usd_per_t=50.0)
    assert backwards.value.to_numpy() == pytest.approx(-benefits.value.to_numpy())


def test_a_loop_with_a_congested_line_prices_and_rents_every_corridor() -> None:
    # A (GT) - B (SV) - C (HN) triangle, equal reactances: of what A sends to C, 2/3 takes AC.
    # A: hydro 200 MW at 5, gas at 20; C: oil at 50, load 300.
    # Reference, AC = 100 MW: A sends 150 (hydro, price 5), oil 150 at C (price 50); B's price is
    #   the mean of A's and C's, 27.5 (test_small_networks). Flows AB = BC = 50, AC = 100.
    #   rents AB 50 x 22.5 = 1125, BC 1125, AC 100 x 45 = 4500; HN pays 50 x 300 = 15000;
    #   cost 5 x 150 + 50 x 150 = 8250.
    # Project, AC = 250 MW: A sends 300 (hydro 200 + gas 100), price 20 everywhere, no rent;
    #   HN pays 6000 (+9000); hydro earns 15 x 200 = 3000 (+3000); cost 1000 + 2000 = 3000.
    def loop(ac_mw: float) -> pypsa.Network:
        return solved(
            tiny_network(
                buses={"A": "GT", "B": "SV", "C": "HN"},
                lines=[("AB", "A", "B", 10.0, 1000.0), ("BC", "B", "C", 10.0, 1000.0), ("AC", "A", "C", 10.0, ac_mw)],
                generators=[
                    ("A hydro", "A", "hydro", 200.0, 5.0),
                    ("A gas", "A", "gas", 1000.0, 20.0),
                    ("C oil", "C", "oil", 1000.0, 50.0),
                ],
                loads={"C": 300.0},
            )
        )

    reference, project = loop(100.0), loop(250.0)
    assert reference.buses_t.marginal_price["B"].to_numpy() == pytest.approx(27.5)
    benefits = case_benefits(project, reference)
    expect(
        benefits,
        {
            ("HN", "consumer_surplus"): 9000.0,
            ("GT", "producer_surplus"): 3000.0,
            ("GT", "congestion_rent"): -(1125.0 + 4500.0) / 2,
            ("SV", "congestion_rent"): -(1125.0 + 1125.0) / 2,
            ("HN", "congestion_rent"): -(1125.0 + 4500.0) / 2,
        },
    )
    assert benefits.value.sum() == pytest.approx(annual(8250.0 - 3000.0))
    assert check_cost_identity(project, reference, benefits) < 1e-9


def shedding(line_mw: float) -> pypsa.Network:
    # GT: gen 100 MW at 20, load 150, VOLL 1000; SV: gen 200 MW at 40, no load.
    n = tiny_network(
        buses={"A": "GT", "B": "SV"},
        lines=[("L", "A", "B", 10.0, line_mw)],
        generators=[("A gen", "A", "gas", 100.0, 20.0), ("B gen", "B", "oil", 200.0, 40.0)],
        loads={"A": 150.0},
    )
    n.add(
        "Generator",
        "GT load_shedding",
        bus="A",
        carrier="load_shedding",
        p_nom=1000.0,
        marginal_cost=1000.0,
        country="GT",
        technology="load_shedding",
    )
    return solved(n)


def test_unserved_energy_is_the_consumers_loss_at_voll() -> None:
    # Reference, L = 20 MW: A imports 20, sheds 30, price 1000 at A, 40 at B.
    #   consumers pay 1000 x 120 served and lose 1000 x 30 unserved: 150000
    #   A gen earns (1000 - 20) x 100 = 98000; rent 20 x 960 = 19200; cost 2000 + 800 + 30000 = 32800
    # Project, L = 100 MW: A imports 50, nothing shed, price 40 everywhere: consumers pay 6000,
    #   A gen earns 20 x 100 = 2000, no rent, cost 4000.
    reference, project = shedding(20.0), shedding(100.0)
    assert reference.generators_t.p["GT load_shedding"].to_numpy() == pytest.approx(30.0)
    benefits = case_benefits(project, reference)
    expect(
        benefits,
        {
            ("GT", "consumer_surplus"): 150000.0 - 6000.0,
            ("GT", "producer_surplus"): 2000.0 - 98000.0,
            ("GT", "congestion_rent"): -9600.0,
            ("SV", "congestion_rent"): -9600.0,
        },
    )
    assert check_cost_identity(project, reference, benefits) < 1e-9
    # the shedding generator is the consumer's, not a producer
    assert "load_shedding" not in set(producer_surplus_by_carrier(project, reference).carrier)


def test_the_hurdle_is_paid_out_of_the_rent() -> None:
    # Hurdle 5 USD/MWh on L. Reference, L = 50 MW: as before, rent 2000 minus 5 x 50 = 1750;
    #   cost 16500 + 250 = 16750.
    # Project, L = 400 MW: flow 300, SV's price is A's plus the hurdle, 25: SV pays 7500 (+10500);
    #   the rent 300 x 5 = 1500 is all hurdle, net 0; cost 500 + 6000 + 1500 = 8000.
    reference, project = two_bus(50.0, hurdle=5.0), two_bus(400.0, hurdle=5.0)
    assert project.buses_t.marginal_price["B"].to_numpy() == pytest.approx(25.0)
    benefits = case_benefits(project, reference)
    expect(
        benefits,
        {("SV", "consumer_surplus"): 10500.0, ("GT", "congestion_rent"): -875.0, ("SV", "congestion_rent"): -875.0},
    )
    assert total_cost_musd_per_year(reference) == pytest.approx(annual(16750.0))
    assert check_cost_identity(project, reference, benefits) < 1e-9


def with_storage(p_nom_mw: float) -> pypsa.Network:
    # GT alone: cheap 200 MW at 10, dear 1000 MW at 50; load 100, 100, 300, 300 MW.
    n = tiny_network(
        buses={"A": "GT"},
        lines=[],
        generators=[("cheap", "A", "hydro", 200.0, 10.0), ("dear", "A", "oil", 1000.0, 50.0)],
        loads={"A": pd.Series([100.0, 100.0, 300.0, 300.0], index=pd.date_range("2022-01-01", periods=4, freq="h"))},
    )
    n.add(
        "StorageUnit",
        "battery",
        bus="A",
        carrier="hydro",
        p_nom=p_nom_mw,
        max_hours=2.0,
        marginal_cost=1.0,
        cyclic_state_of_charge=True,
        country="GT",
    )
    return solved(n)


def test_storage_earns_the_price_spread_minus_its_cost() -> None:
    # Reference, no storage: prices 10, 10, 50, 50; cost 1000 + 1000 + 7000 + 7000 = 16000.
    # Project, 50 MW x 2 h: charges 50 in hours 1-2 (cheap at 150, price 10), discharges 50 in
    #   hours 3-4 (dear at 50, price 50) at 1 USD/MWh: rent 2 x 50 x 50 - 2 x 50 x 10 - 100 = 3900
    #   over the 4 hours, i.e. 975 USD/h; cost 1500 + 1500 + 4550 + 4550 = 12100.
    reference, project = with_storage(0.0), with_storage(50.0)
    assert project.storage_units_t.p["battery"].to_numpy() == pytest.approx([-50.0, -50.0, 50.0, 50.0])
    benefits = case_benefits(project, reference)
    expect(benefits, {("GT", "storage_rent"): 3900.0 / 4})
    assert check_cost_identity(project, reference, benefits) < 1e-9


def with_candidate(candidate: bool) -> pypsa.Network:
    # GT alone: oil 1000 MW at 50 (0.5 t/MWh), load 100. The candidate: solar at 10 USD/MWh,
    # at most 60 MW, 80 USD per MW for the 4-hour span (below the 4 x 40 it saves per MW).
    n = tiny_network(buses={"A": "GT"}, lines=[], generators=[("oil", "A", "oil", 1000.0, 50.0)], loads={"A": 100.0})
    n.generators["co2_t_per_mwh"] = 0.5
    if candidate:
        n.add(
            "Generator",
            "solar candidate",
            bus="A",
            carrier="solar",
            p_nom_extendable=True,
            p_nom_max=60.0,
            marginal_cost=10.0,
            capital_cost=80.0,
            country="GT",
            technology="solar",
            co2_t_per_mwh=0.0,
        )
    return solved(n)


def test_new_capacity_earns_its_surplus_and_pays_its_investment() -> None:
    # Project: 60 MW built (80 x 60 = 4800 USD), dispatched at 60 MW, oil sets the price (50):
    #   solar earns (50 - 10) x 60 = 2400 USD/h, the investment is 4800 / 4 = 1200 USD/h;
    #   the cost falls by 40 x 60 - 1200 = 1200 USD/h; CO2 falls by 30 t/h.
    reference, project = with_candidate(False), with_candidate(True)
    assert project.generators.p_nom_opt["solar candidate"] == pytest.approx(60.0)
    benefits = case_benefits(project, reference, co2_usd_per_t=10.0)
    expect(
        benefits,
        {("GT", "producer_surplus"): 2400.0, ("GT", "investment"): -1200.0, ("GT", "co2"): 10.0 * 0.5 * 60.0},
    )
    assert total_cost_musd_per_year(reference) - total_cost_musd_per_year(project) == pytest.approx(annual(1200.0))
    assert check_cost_identity(project, reference, benefits) < 1e-9
    by_carrier = producer_surplus_by_carrier(project, reference)
    assert by_carrier.set_index("carrier").value["solar"] == pytest.approx(annual(2400.0))


def with_mexico(line_mw: float, countries: tuple[str, str] = ("GT", "MX")) -> pypsa.Network:
    # MX: 100 MW at 20, then 1000 MW at 45; GT: oil 1000 MW at 60, load 200.
    return solved(
        tiny_network(
            buses={"G": countries[0], "M": countries[1]},
            lines=[("T", "M", "G", 10.0, line_mw)],
            generators=[
                ("MX contracts", "M", "mexico", 100.0, 20.0),
                ("MX spot supply", "M", "mexico", 1000.0, 45.0),
                ("G oil", "G", "oil", 1000.0, 60.0),
            ],
            loads={"G": 200.0},
        )
    )


@pytest.mark.parametrize(("home", "neighbour"), [("GT", "MX"), ("PA", "CO")])
def test_the_neighbour_keeps_its_producers_surplus_as_trade(home: str, neighbour: str) -> None:
    # (the same with Colombia at Panama: CO's surplus is its trade too)
    # Reference, T = 50 MW: MX sells 50 at 20 (its price), GT's oil 150 sets 60; rent 50 x 40 = 2000;
    #   GT pays 60 x 200 = 12000; cost 1000 + 9000 = 10000.
    # Project, T = 300 MW: MX sells 200 (contracts 100 + spot 100), price 45 everywhere: GT pays
    #   9000 (+3000), Mexico's contracts earn 25 x 100 = 2500 (+2500), no rent; cost 2000 + 4500 = 6500.
    reference, project = with_mexico(50.0, (home, neighbour)), with_mexico(300.0, (home, neighbour))
    benefits = case_benefits(project, reference)
    assert list(benefits.region.unique()) == [home, neighbour]
    expect(
        benefits,
        {
            (home, "consumer_surplus"): 3000.0,
            (neighbour, "mexico_trade"): 2500.0,
            (home, "congestion_rent"): -1000.0,
            (neighbour, "congestion_rent"): -1000.0,
        },
    )
    assert check_cost_identity(project, reference, benefits) < 1e-9
    by_carrier = producer_surplus_by_carrier(project, reference)
    assert by_carrier.set_index(["region", "carrier"]).value[(neighbour, "mexico")] == pytest.approx(annual(2500.0))


def test_the_accounts_of_one_network_add_up_to_minus_its_cost() -> None:
    # consumers pay 20000 = hydro's 1500 + rent 2000 + cost 16500 (congested two-bus case)
    n = two_bus(50.0)
    accounts = network_accounts(n)
    assert accounts.value.sum() == pytest.approx(-annual(16500.0))
    assert value(accounts, "SV", "consumer_surplus") == pytest.approx(-annual(18000.0))
    assert value(accounts, "GT", "producer_surplus") == pytest.approx(annual(1500.0))


def test_the_identity_check_fails_when_a_cost_is_left_out() -> None:
    # the hurdle is in the objective; a network whose meta lost it has benefits that miss
    # 5 x 300 - 5 x 50 = 1250 USD/h of the change in cost: they add up to 10500 - 500 = 10000
    # (the rents 2000 and 1500 gross), the cost falls by 8750; relative to the largest
    # component (consumers, 10500) the gap is 1250 / 10500
    reference, project = two_bus(50.0, hurdle=5.0), two_bus(400.0, hurdle=5.0)
    project.meta["hurdle"] = {"usd_per_mwh": 0.0, "lines": []}
    reference.meta["hurdle"] = {"usd_per_mwh": 0.0, "lines": []}
    benefits = case_benefits(project, reference)
    gap = cost_identity_gap(project, reference, benefits)
    assert gap == pytest.approx(1250.0 / 10500.0, rel=1e-6)
    assert gap > IDENTITY_TOLERANCE
    with pytest.raises(CostIdentityError, match="do not add up"):
        check_cost_identity(project, reference, benefits)


def test_an_unsolved_network_is_refused() -> None:
    n = tiny_network(buses={"A": "GT"}, lines=[], generators=[("g", "A", "oil", 10.0, 1.0)], loads={"A": 1.0})
    with pytest.raises(ValueError, match="not solved"):
        case_benefits(n, n)


def test_unserved_energy_is_charged_at_voll_even_when_the_price_is_above_it() -> None:
    # GT: gen 100 MW at 20, shedding capped at 30 MW (VOLL 1000), an emergency unit at 2000;
    # load 150, import 10 from SV at 40. The emergency unit sets GT's price, 2000.
    #   consumers pay 2000 x 120 served + 1000 x 30 unserved = 270000 (not 2000 x 150)
    #   producers: A gen 1980 x 100 = 198000; rent 10 x 1960 = 19600; the shedding earns nothing
    n = shedding(10.0)
    n.generators.loc["GT load_shedding", "p_nom"] = 30.0
    n.add("Generator", "A emergency", bus="A", carrier="oil", p_nom=1000.0, marginal_cost=2000.0, country="GT")
    solved(n)
    assert n.buses_t.marginal_price["A"].to_numpy() == pytest.approx(2000.0)
    accounts = network_accounts(n)
    assert value(accounts, "GT", "consumer_surplus") == pytest.approx(-annual(270000.0))
    assert value(accounts, "GT", "producer_surplus") == pytest.approx(annual(198000.0))
    assert value(accounts, "GT", "congestion_rent") == pytest.approx(annual(19600.0 / 2))
    # cost 2000 + 400 + 30000 + 20000 = 52400
    assert accounts.value.sum() == pytest.approx(-annual(52400.0))


def test_a_project_that_changes_nothing_has_no_benefit_and_no_gap() -> None:
    # the same case solved twice: every benefit is 0 and so is the identity's gap, even though
    # 0 / 0 would be undefined without the floor
    reference, project = two_bus(400.0), two_bus(400.0)
    benefits = case_benefits(project, reference)
    assert benefits.value.abs().max() == pytest.approx(0.0, abs=1e-9)
    assert cost_identity_gap(project, reference, benefits) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("strategy", ["monolithic", "weekly"])
def test_the_identity_holds_on_the_real_network_with_mexico_gas_hydro_and_the_hurdle(
    data: InputData, strategy: str
) -> None:
    # two days of the dry season: the reference base_2022 against the Tapachula route and a
    # 500 MW anchor plant (pipeline links with compression power, a gas-to-power link,
    # Mexican trade, reservoirs, border limits and the hurdle all in the accounts)
    quiet_libraries()
    days = 2 if strategy == "monolithic" else 7
    solve = solve_network if strategy == "monolithic" else solve_weekly

    def run(path: str) -> pypsa.Network:
        n = build_network(short_scenario(path, days=days), data)
        solve(n)
        return n

    reference, project = run("base_2022.yaml"), run("anchor_tapachula.yaml")
    benefits = case_benefits(project, reference, co2_usd_per_t=50.0)
    assert set(benefits.region) == {"GT", "SV", "HN", "NI", "CR", "PA", "MX"}
    assert check_cost_identity(project, reference, benefits, tolerance=1e-6) < 1e-6
    # the anchor plant displaces oil and coal: CO2 falls, and the cost falls
    assert benefits[benefits.component == "co2"].value.sum() > 0
    assert total_cost_musd_per_year(project) < total_cost_musd_per_year(reference)
    # Guatemala's consumers gain from the plant's lower prices, its other producers lose
    assert value(benefits, "GT", "consumer_surplus") > 0
    gt = producer_surplus_by_carrier(project, reference).query("region == 'GT'").set_index("carrier").value
    assert gt.drop("gas").sum() < 0
    assert gt.sum() == pytest.approx(value(benefits, "GT", "producer_surplus"))


def with_gas(anchor: bool) -> pypsa.Network:
    # GT: oil 1000 MW at 60, load 100. With the gas layer: gas at 10 USD/MWh at X (MX), a
    # 100 MW pipeline X -> Y (GT) drawing 0.01 MW of GT power per MW of gas, and an anchor
    # plant Y -> A of 60 MW of gas, efficiency 0.5, 2 USD per MWh of gas.
    n = tiny_network(buses={"A": "GT"}, lines=[], generators=[("oil", "A", "oil", 1000.0, 60.0)], loads={"A": 100.0})
    if anchor:
        n.add("Carrier", ["natural gas", "gas pipeline"])
        n.add("Bus", ["X", "Y"], carrier="natural gas", country=["MX", "GT"], national_hub=False)
        n.add("Generator", "MX gas supply", bus="X", carrier="natural gas", p_nom=1e4, marginal_cost=10.0, country="MX")
        n.add(
            "Link",
            "pipeline X-Y",
            bus0="X",
            bus1="Y",
            bus2="A",
            efficiency=1.0,
            efficiency2=-0.01,
            p_nom=100.0,
            carrier="gas pipeline",
            country="MX",
        )
        n.add("Link", "anchor plant", bus0="Y", bus1="A", carrier="gas", efficiency=0.5, marginal_cost=2.0, p_nom=60.0)
        n.links.loc["anchor plant", "country"] = "GT"
    return solved(n)


def test_a_gas_plant_earns_its_spark_spread_and_the_pipeline_pays_its_compression() -> None:
    # The anchor runs at its 60 MW of gas (30 MW of power); power costs 60 (oil still runs:
    # 100 + 0.6 compression - 30 = 70.6), gas 10 at X and, the pipeline not being full,
    # 10 + 0.01 x 60 = 10.6 at Y (the compression power is part of moving gas).
    #   anchor: 60 x 30 - 10.6 x 60 - 2 x 60 = 1044 (producer, GT, carrier gas)
    #   pipeline: collects 10.6 x 60 - 10 x 60 = 36, pays 0.6 MW x 60 = 36 for compression: 0
    #   cost 600 + 120 + 60 x 70.6 = 4956 against 6000 without gas: 1044.
    reference, project = with_gas(False), with_gas(True)
    assert project.buses_t.marginal_price["Y"].to_numpy() == pytest.approx(10.6)
    benefits = case_benefits(project, reference)
    assert list(benefits.region.unique()) == ["GT", "MX"]
    expect(benefits, {("GT", "producer_surplus"): 1044.0})
    assert check_cost_identity(project, reference, benefits) < 1e-9
    by_carrier = producer_surplus_by_carrier(project, reference).set_index(["region", "carrier"]).value
    assert by_carrier[("GT", "gas")] == pytest.approx(annual(1044.0))
