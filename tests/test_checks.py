"""The post-solve checks, shown to fire: each one is made to fail by a corrupted solution.

Every test solves a tiny network, confirms that its solution passes all checks, then edits
the solution so that exactly one check is violated while the others still hold (a generator
that produces more is matched by a load that takes more, a flow that grows by a generator
that gives up as much at the other end). The ``SolveError`` must name that check and no
other: a check with a sign error, the wrong rating or a blind spot for NaN fails here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa
import pytest

from simulator.errors import SolveError
from simulator.network.electric import BorderLimit
from simulator.solve import check_solution, solve_network
from simulator.testing import tiny_network

CHECKS = (
    "balance_mw",
    "generator_above_capacity_mw",
    "line_above_rating_mw",
    "border_above_limit_mw",
    "missing_prices",
    "market_rule_conflict_hours",
)
"""The names check_solution reports its figures under (and names in its error)."""


def solved(n: pypsa.Network) -> pypsa.Network:
    """Solve ``n`` and confirm its untouched solution passes every check."""
    solve_network(n)
    figures = check_solution(n)
    assert set(CHECKS) <= set(figures)
    return n


def assert_only_check_fails(n: pypsa.Network, check: str) -> None:
    """check_solution raises, naming ``check`` and none of the other checks."""
    with pytest.raises(SolveError, match="failed post-solve checks") as info:
        check_solution(n)
    message = str(info.value)
    assert f"{check} = " in message, message
    assert not [other for other in CHECKS if other != check and f"{other} = " in message], message


def move(
    n: pypsa.Network,
    hour: int,
    gen: dict[str, float] | None = None,
    load: dict[str, float] | None = None,
    line: dict[str, float] | None = None,
) -> None:
    """Add MW to solved generator outputs, load withdrawals and line flows in one hour.

    A line's ``p0`` moves by the amount and its ``p1`` by the opposite (lines are lossless).
    """
    when = n.snapshots[hour]
    for name, mw in (gen or {}).items():
        n.generators_t.p.loc[when, name] += mw
    for name, mw in (load or {}).items():
        n.loads_t.p.loc[when, name] += mw
    for name, mw in (line or {}).items():
        n.lines_t.p0.loc[when, name] += mw
        n.lines_t.p1.loc[when, name] -= mw


def two_countries(limits: list[BorderLimit] | None = None, reverse: bool = False) -> pypsa.Network:
    """GT (hydro at 10 USD/MWh, 100 MW of load) and SV (oil at 50, 300 MW) over one 500 MW line.

    ``reverse`` draws the line from SV to GT, so a flow towards SV is negative.
    """
    line = ("L", "S", "G", 10.0, 500.0) if reverse else ("L", "G", "S", 10.0, 500.0)
    return tiny_network(
        buses={"G": "GT", "S": "SV"},
        lines=[line],
        generators=[("G cheap", "G", "hydro", 1000.0, 10.0), ("S dear", "S", "oil", 1000.0, 50.0)],
        loads={"G": 100.0, "S": 300.0},
        limits=limits,
    )


def test_energy_balance_fires_on_a_hundredth_of_a_megawatt() -> None:
    n = solved(two_countries())
    move(n, 1, load={"SV load S": 0.01})  # ten times the 1e-3 MW tolerance
    assert_only_check_fails(n, "balance_mw")


def test_energy_balance_fires_on_a_flow_counted_with_the_wrong_sign() -> None:
    # p1 must be -p0 on a lossless line; a p1 with p0's sign breaks both ends' balance
    n = solved(two_countries())
    n.lines_t.p1.loc[:, "L"] = n.lines_t.p0["L"]
    assert_only_check_fails(n, "balance_mw")


def test_availability_uses_the_hourly_capacity_factor() -> None:
    """Solar at night: 10 MW of a 100 MW plant is far below its rating but above p_max_pu = 0."""
    n = tiny_network(
        buses={"G": "GT"},
        lines=[],
        generators=[("G solar", "G", "solar", 100.0, 0.0), ("G oil", "G", "oil", 1000.0, 50.0)],
        loads={"G": 80.0},
    )
    n.generators_t.p_max_pu = pd.DataFrame({"G solar": [0.0, 0.5, 1.0, 0.0]}, index=n.snapshots)
    solved(n)
    assert n.generators_t.p["G solar"].tolist() == pytest.approx([0.0, 50.0, 80.0, 0.0])
    move(n, 0, gen={"G solar": 10.0, "G oil": -10.0})
    assert_only_check_fails(n, "generator_above_capacity_mw")


def test_availability_fires_at_the_rating() -> None:
    n = solved(two_countries())
    # GT's hydro runs 1 001 MW of its 1 000 MW, and GT's own load takes the extra
    move(n, 2, gen={"G cheap": 601.0}, load={"GT load G": 601.0})
    assert n.generators_t.p["G cheap"].iloc[2] == pytest.approx(1001.0)
    assert_only_check_fails(n, "generator_above_capacity_mw")


def test_line_rating_uses_the_hourly_s_max_pu() -> None:
    """The line is derated to half in hour 2: 300 MW is within its 500 MW but above 250 MW."""
    n = two_countries()
    n.lines_t.s_max_pu = pd.DataFrame({"L": [1.0, 1.0, 0.5, 1.0]}, index=n.snapshots)
    solved(n)
    assert n.lines_t.p0["L"].tolist() == pytest.approx([300.0, 300.0, 250.0, 300.0])
    move(n, 2, gen={"G cheap": 50.0, "S dear": -50.0}, line={"L": 50.0})
    assert_only_check_fails(n, "line_above_rating_mw")


@pytest.mark.parametrize("reverse", [False, True], ids=["line_GT_to_SV", "line_SV_to_GT"])
def test_border_limit_fires_in_its_direction(reverse: bool) -> None:
    """A 100 MW limit from GT to SV; with the line drawn SV to GT its coefficient is -1."""
    sign = -1.0 if reverse else 1.0
    n = solved(two_countries([BorderLimit("GT_to_SV", {"L": sign}, 100.0, 0, 23)], reverse=reverse))
    assert (sign * n.lines_t.p0["L"]).tolist() == pytest.approx([100.0] * 4)
    move(n, 3, gen={"G cheap": 10.0, "S dear": -10.0}, line={"L": sign * 10.0})
    assert_only_check_fails(n, "border_above_limit_mw")


def test_border_limit_holds_only_in_its_hour_window() -> None:
    """A limit for hours 0-1 only: more flow in hour 3 is allowed, in hour 1 it is not."""
    n = solved(two_countries([BorderLimit("GT_to_SV_night", {"L": 1.0}, 100.0, 0, 1)]))
    assert n.lines_t.p0["L"].tolist() == pytest.approx([100.0, 100.0, 300.0, 300.0])
    move(n, 3, gen={"G cheap": 10.0, "S dear": -10.0}, line={"L": 10.0})
    check_solution(n)
    move(n, 1, gen={"G cheap": 10.0, "S dear": -10.0}, line={"L": 10.0})
    assert_only_check_fails(n, "border_above_limit_mw")


def test_a_missing_price_fires() -> None:
    n = solved(two_countries())
    prices = n.buses_t.marginal_price.copy()
    prices.iloc[2, 0] = np.nan
    n.buses_t.marginal_price = prices
    assert_only_check_fails(n, "missing_prices")


def test_a_bus_without_prices_fires() -> None:
    n = solved(two_countries())
    n.buses_t.marginal_price = n.buses_t.marginal_price[["G"]]
    assert_only_check_fails(n, "missing_prices")


def mexico_guatemala_salvador(rule: str = "guatemala_only", reverse: bool = False) -> pypsa.Network:
    """Mexico (40 USD/MWh) - Guatemala (hydro at 60) - El Salvador (oil at 100), 100 MW of load in GT and SV.

    Without the rule Mexico would serve both, so Guatemala would import and export at once.
    ``reverse`` draws the GT-SV line from SV to GT (its export coefficient is then -1).
    """
    export = ("L", "S", "G", 10.0, 500.0) if reverse else ("L", "G", "S", 10.0, 500.0)
    n = tiny_network(
        buses={"M": "MX", "G": "GT", "S": "SV"},
        lines=[("T", "M", "G", 10.0, 500.0), export],
        generators=[
            ("MX spot", "M", "mexico", 1000.0, 40.0),
            ("GT hydro", "G", "hydro", 1000.0, 60.0),
            ("SV oil", "S", "oil", 1000.0, 100.0),
        ],
        loads={"G": 100.0, "S": 100.0},
    )
    n.meta["market"] = {
        "mexico_trade": rule,
        "mexico_import_lines": {"T": 1.0},
        "guatemala_export_lines": {"L": -1.0 if reverse else 1.0},
    }
    return n


@pytest.mark.parametrize("reverse", [False, True], ids=["line_GT_to_SV", "line_SV_to_GT"])
def test_market_rule_fires_when_guatemala_imports_and_exports_at_once(reverse: bool) -> None:
    sign = -1.0 if reverse else 1.0
    n = solved(mexico_guatemala_salvador(reverse=reverse))
    # the rule kept the (larger) Mexican imports and stopped Guatemala's exports
    assert n.lines_t.p0["T"].tolist() == pytest.approx([100.0] * 4)
    assert n.lines_t.p0["L"].abs().max() == pytest.approx(0.0, abs=1e-6)
    # hour 0: Guatemala's hydro sends 50 MW to SV, whose oil backs off, while Mexico still sells
    move(n, 0, gen={"GT hydro": 50.0, "SV oil": -50.0}, line={"L": sign * 50.0})
    assert_only_check_fails(n, "market_rule_conflict_hours")


def test_market_rule_check_is_off_when_the_rule_is() -> None:
    """The same flows under ``all_siepac`` are allowed: the check follows the scenario's rule."""
    n = solved(mexico_guatemala_salvador(rule="all_siepac"))
    assert n.lines_t.p0["L"].tolist() == pytest.approx([100.0] * 4)  # Mexico serves both
    check_solution(n)


NAN_CASES = [
    pytest.param("generators_t", "p", "GT hydro", id="generator_output_at_0MW"),
    pytest.param("generators_t", "p", "MX spot", id="generator_output"),
    pytest.param("loads_t", "p", "SV load S", id="load"),
    pytest.param("lines_t", "p0", "L", id="line_p0_at_0MW"),
    pytest.param("lines_t", "p0", "T", id="line_p0"),
    pytest.param("lines_t", "p1", "T", id="line_p1"),
    pytest.param("lines_t", "p1", "L", id="line_p1_at_0MW"),
    pytest.param("buses_t", "marginal_price", "G", id="price"),
]


@pytest.mark.parametrize("component, attribute, column", NAN_CASES)
def test_a_nan_anywhere_in_the_solution_fails(component: str, attribute: str, column: str) -> None:
    """One NaN in one hour of any solved series fails, even where the true value is 0 MW."""
    n = solved(mexico_guatemala_salvador())
    table = getattr(n, component)
    values = getattr(table, attribute).copy()
    values.loc[n.snapshots[1], column] = np.nan
    setattr(table, attribute, values)
    with pytest.raises(SolveError, match="failed post-solve checks"):
        check_solution(n)
