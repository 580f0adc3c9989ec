"""NPV, benefit/cost ratio, IRR and payback against cases worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from simulator.appraise.economics import (
    annual_benefit_path,
    appraise_project,
    irr,
    npv,
    payback_year,
    percentiles,
    project_cash,
    weighted,
    weighted_benefits,
)


def annuity_factor(rate: float, years: int) -> float:
    """Present value of 1 a year for ``years`` years, the first one year from now."""
    return (1.0 - (1.0 + rate) ** -years) / rate


def stream(first_year: int, amounts: list[float]) -> pd.Series:
    return pd.Series(amounts, index=range(first_year, first_year + len(amounts)), dtype=float)


def test_benefits_are_linear_between_study_years_and_held_outside() -> None:
    path = annual_benefit_path({2035: 20.0, 2030: 10.0}, 2028, 2040)
    assert list(path.index) == list(range(2028, 2041))
    assert path[2028] == path[2029] == path[2030] == 10.0  # before the first study year: held
    assert path[2031] == pytest.approx(12.0)
    assert path[2034] == pytest.approx(18.0)
    assert (path.loc[2035:] == 20.0).all()  # after the last: held
    assert annual_benefit_path({2030: 7.0}, 2025, 2026).tolist() == [7.0, 7.0]


def test_a_capex_then_ten_years_of_benefits_by_hand() -> None:
    # capex 100 in year 0, 20 a year in years 1-10, at 8 %: NPV = -100 + 20 x 6.7100814 = 34.2016
    cash = stream(2030, [-100.0] + [20.0] * 10)
    assert npv(cash, 8.0, 2030) == pytest.approx(-100.0 + 20.0 * annuity_factor(0.08, 10))
    assert npv(cash, 8.0, 2030) == pytest.approx(34.2016, abs=1e-4)
    # a later base year compounds everything forward: the NPV in 2031 is 1.08 times that of 2030
    assert npv(cash, 8.0, 2031) == pytest.approx(1.08 * npv(cash, 8.0, 2030))
    rate = irr(cash)
    assert rate is not None
    assert npv(cash, rate, 2030) == pytest.approx(0.0, abs=1e-8)
    # the annuity factor of 10 years at the IRR is 100 / 20 = 5: about 15.1 %
    assert annuity_factor(rate / 100.0, 10) == pytest.approx(5.0)
    assert 15.09 < rate < 15.11
    # undiscounted the 100 is back after 5 years; discounted at 8 % after 7 (a(6) = 4.62, a(7) = 5.21)
    assert payback_year(cash) == 2035
    assert payback_year(cash, 8.0) == 2037


def test_appraise_project_with_a_construction_year_is_the_textbook_case() -> None:
    result = appraise_project(
        {2031: 20.0},
        capex_musd=100.0,
        fom_musd_per_year=0.0,
        lifetime_years=10,
        commissioning_year=2031,
        rate_pct=8.0,
        construction_years=1,
    )
    assert result["base_year"] == 2030
    assert result["npv_musd"] == pytest.approx(-100.0 + 20.0 * annuity_factor(0.08, 10))
    assert result["pv_costs_musd"] == pytest.approx(100.0)
    assert result["benefit_cost_ratio"] == pytest.approx(20.0 * annuity_factor(0.08, 10) / 100.0)
    assert 15.09 < result["irr_pct"] < 15.11
    assert result["payback_year"] == 2035
    assert result["discounted_payback_year"] == 2037


def test_capex_at_commissioning_and_fixed_om_each_year() -> None:
    # capex 100 and FOM 2 in 2030, benefits 20 from 2030 to 2039, at 8 % to 2030:
    #   PV benefits = 20 x (1 + a(9)), PV costs = 100 + 2 x (1 + a(9))
    result = appraise_project({2030: 20.0}, 100.0, 2.0, 10, 2030, 8.0)
    factor = 1.0 + annuity_factor(0.08, 9)
    assert result["pv_benefits_musd"] == pytest.approx(20.0 * factor)
    assert result["pv_costs_musd"] == pytest.approx(100.0 + 2.0 * factor)
    assert result["npv_musd"] == pytest.approx(18.0 * factor - 100.0)
    # cumulative: -82, then +18 a year: >= 0 after 2030 + 5 (-82 + 5 x 18 = 8)
    assert result["payback_year"] == 2035
    assert sorted(result["net_cash_musd"]) == list(range(2030, 2040))


def test_capex_spread_over_construction_years() -> None:
    cash = project_cash({2030: 10.0}, 90.0, 1.0, 2, 2030, construction_years=3)
    assert cash.costs_musd.tolist() == [30.0, 30.0, 30.0, 1.0, 1.0]
    assert cash.benefits_musd.tolist() == [0.0, 0.0, 0.0, 10.0, 10.0]
    assert list(cash.index) == [2027, 2028, 2029, 2030, 2031]


def test_benefits_follow_the_study_years_over_the_lifetime() -> None:
    # 2030: 10, 2035: 20, a project from 2032 for 6 years at 0 %: 14 + 16 + 18 + 20 + 20 + 20
    result = appraise_project({2030: 10.0, 2035: 20.0}, 50.0, 0.0, 6, 2032, 0.0)
    assert result["pv_benefits_musd"] == pytest.approx(108.0)
    assert result["npv_musd"] == pytest.approx(58.0)


def test_without_capex_there_is_no_ratio_irr_or_payback() -> None:
    result = appraise_project({2030: 10.0}, 0.0, 0.0, 3, 2030, 0.0)
    assert result["npv_musd"] == pytest.approx(30.0)
    assert result["benefit_cost_ratio"] is None
    assert result["irr_pct"] is None
    assert result["payback_year"] is None
    # a fixed O&M alone is a cost: the ratio exists, the IRR still does not
    with_fom = appraise_project({2030: 10.0}, 0.0, 5.0, 3, 2030, 0.0)
    assert with_fom["benefit_cost_ratio"] == pytest.approx(2.0)
    assert with_fom["npv_musd"] == pytest.approx(15.0)
    assert with_fom["irr_pct"] is None


def test_irr_is_none_without_a_sign_change_or_with_several() -> None:
    assert irr(stream(2030, [-100.0, -5.0, -5.0])) is None  # never repaid
    assert irr(stream(2030, [10.0, 5.0])) is None  # nothing to repay
    # -100, +230, -132 has two IRRs, 10 % and 20 %: none is returned
    assert npv(stream(2030, [-100.0, 230.0, -132.0]), 10.0, 2030) == pytest.approx(0.0)
    assert irr(stream(2030, [-100.0, 230.0, -132.0])) is None
    # a project that returns less than it costs has a negative IRR
    rate = irr(stream(2030, [-100.0] + [5.0] * 10))
    assert rate is not None
    assert rate < 0
    assert npv(stream(2030, [-100.0] + [5.0] * 10), rate, 2030) == pytest.approx(0.0, abs=1e-8)
    assert payback_year(stream(2030, [-100.0] + [5.0] * 10)) is None


def test_the_weighted_appraisal_is_that_of_the_weighted_benefits() -> None:
    benefits = {"wet": {2030: 10.0, 2035: 30.0}, "dry": {2030: 20.0, 2035: 50.0}}
    weights = {"wet": 0.7, "dry": 0.3}
    costs = {
        "capex_musd": 200.0,
        "fom_musd_per_year": 3.0,
        "lifetime_years": 25,
        "commissioning_year": 2030,
        "rate_pct": 10.0,
    }
    results = {name: appraise_project(b, **costs) for name, b in benefits.items()}
    combined = weighted(results, weights)
    assert weighted_benefits(benefits, weights) == pytest.approx({2030: 13.0, 2035: 36.0})
    direct = appraise_project(weighted_benefits(benefits, weights), **costs)
    for key in ("npv_musd", "pv_benefits_musd", "pv_costs_musd", "benefit_cost_ratio", "irr_pct"):
        assert combined[key] == pytest.approx(direct[key]), key
    assert combined["npv_musd"] == pytest.approx(0.7 * results["wet"]["npv_musd"] + 0.3 * results["dry"]["npv_musd"])
    assert combined["payback_year"] == direct["payback_year"]
    # the IRR of the expected cash is not the mean of the IRRs
    mean_irr = 0.7 * results["wet"]["irr_pct"] + 0.3 * results["dry"]["irr_pct"]
    assert abs(combined["irr_pct"] - mean_irr) > 0.01


def test_bad_weights_are_refused() -> None:
    results = {"wet": appraise_project({2030: 1.0}, 1.0, 0.0, 2, 2030, 5.0)}
    with pytest.raises(ValueError, match="sum to 1"):
        weighted(results, {"wet": 0.9})
    with pytest.raises(ValueError, match=r"no weight for \['wet'\]"):
        weighted(results, {"dry": 1.0})
    with pytest.raises(ValueError, match="between 0 and 1"):
        weighted({**results, "dry": results["wet"]}, {"wet": 1.5, "dry": -0.5})
    other_rate = appraise_project({2030: 1.0}, 1.0, 0.0, 2, 2030, 6.0)
    with pytest.raises(ValueError, match="rate_pct"):
        weighted({"wet": results["wet"], "dry": other_rate}, {"wet": 0.5, "dry": 0.5})


def test_percentiles_of_draws() -> None:
    values = list(range(1, 102))  # 1 ... 101
    assert percentiles(values) == {"p10": 11.0, "p50": 51.0, "p90": 91.0}
    assert percentiles([5.0], (50,)) == {"p50": 5.0}
    with pytest.raises(ValueError, match="no values"):
        percentiles([])
    with pytest.raises(ValueError, match="finite"):
        percentiles([1.0, float("nan")])
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentiles([1.0], (110,))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"capex_musd": -1.0}, "capex_musd must be at least 0"),
        ({"fom_musd_per_year": float("nan")}, "fom_musd_per_year must be a finite number"),
        ({"lifetime_years": 0}, "lifetime_years must be a whole number of at least 1"),
        ({"rate_pct": -100.0}, "rate_pct must be above -100"),
        ({"construction_years": -1}, "construction_years must be a whole number"),
    ],
)
def test_bad_costs_are_refused_naming_the_argument(changes: dict[str, float], message: str) -> None:
    arguments = {
        "capex_musd": 10.0,
        "fom_musd_per_year": 1.0,
        "lifetime_years": 5,
        "commissioning_year": 2030,
        "rate_pct": 8.0,
        **changes,
    }
    with pytest.raises(ValueError, match=message):
        appraise_project({2030: 5.0}, **arguments)  # type: ignore[arg-type]


def test_bad_benefits_are_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        annual_benefit_path({}, 2030, 2031)
    with pytest.raises(ValueError, match="before first_year"):
        annual_benefit_path({2030: 1.0}, 2031, 2030)
    with pytest.raises(ValueError, match="benefit of 2035 must be a finite number"):
        annual_benefit_path({2030: 1.0, 2035: float("inf")}, 2030, 2040)
