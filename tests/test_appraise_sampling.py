"""Seeded draws of scenario keys: reproducible, within their bounds, with the stated moments."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulator.appraise.sampling import SampleSpecError, check_spec, draw_samples

LNG = "fuels.prices.lng.usd_per_mmbtu"
HENRY_HUB = "gas.price_usd_per_mmbtu.henry_hub"
N = 20_000


def column(draws: list[dict[str, float]], key: str) -> np.ndarray:
    return np.array([d[key] for d in draws])


def test_the_same_seed_gives_the_same_draws_and_another_seed_others() -> None:
    spec = {LNG: {"distribution": "triangular", "low": 8, "mode": 11, "high": 16}}
    first = draw_samples(spec, 50, seed=7)
    assert draw_samples(spec, 50, seed=7) == first
    assert len(first) == 50
    assert set(first[0]) == {LNG}
    assert column(draw_samples(spec, 50, seed=8), LNG).tolist() != column(first, LNG).tolist()
    # the first draws do not depend on how many are asked for
    assert draw_samples(spec, 10, seed=7) == first[:10]


def test_a_key_keeps_its_draws_when_another_key_is_added() -> None:
    alone = draw_samples({LNG: {"distribution": "uniform", "low": 8, "high": 16}}, 20, seed=3)
    both = draw_samples(
        {
            HENRY_HUB: {"distribution": "lognormal", "median": 3.5, "sigma": 0.3},
            LNG: {"distribution": "uniform", "low": 8, "high": 16},
        },
        20,
        seed=3,
    )
    assert column(both, LNG).tolist() == column(alone, LNG).tolist()
    assert list(both[0]) == [HENRY_HUB, LNG]
    # and two keys with one distribution are not drawn alike
    assert column(both, HENRY_HUB).tolist() != column(alone, LNG).tolist()


def test_uniform_and_triangular_stay_within_bounds_with_their_means() -> None:
    draws = draw_samples(
        {
            "a.u": {"distribution": "uniform", "low": 2.0, "high": 6.0},
            "a.t": {"distribution": "triangular", "low": 8.0, "mode": 11.0, "high": 17.0},
        },
        N,
        seed=1,
    )
    u, t = column(draws, "a.u"), column(draws, "a.t")
    assert u.min() >= 2.0
    assert u.max() <= 6.0
    assert t.min() >= 8.0
    assert t.max() <= 17.0
    # uniform mean 4, sd 4 / sqrt(12) = 1.15: 4 standard errors = 0.033
    assert u.mean() == pytest.approx(4.0, abs=0.033)
    # triangular mean (8 + 11 + 17) / 3 = 12, sd sqrt((64 + 121 + 289 - 88 - 136 - 187) / 18) = 1.87
    assert t.mean() == pytest.approx(12.0, abs=0.053)


def test_normal_has_its_mean_and_sd_and_a_truncated_one_its_bounds() -> None:
    draws = draw_samples(
        {
            "x.plain": {"distribution": "normal", "mean": 10.0, "sd": 2.0},
            "x.half": {"distribution": "normal", "mean": 10.0, "sd": 2.0, "low": 10.0},
            "x.band": {"distribution": "normal", "mean": 10.0, "sd": 2.0, "low": 9.0, "high": 11.0},
            "x.open": {"distribution": "normal", "mean": 10.0, "sd": 2.0, "low": None},
        },
        N,
        seed=11,
    )
    plain, half, band = column(draws, "x.plain"), column(draws, "x.half"), column(draws, "x.band")
    assert plain.mean() == pytest.approx(10.0, abs=4 * 2.0 / math.sqrt(N))
    assert plain.std() == pytest.approx(2.0, rel=0.03)
    assert plain.min() < 9.0  # not truncated
    # half-normal above the mean: mean + sd x sqrt(2 / pi) = 11.596
    assert half.min() >= 10.0
    assert half.mean() == pytest.approx(10.0 + 2.0 * math.sqrt(2.0 / math.pi), abs=0.04)
    assert band.min() >= 9.0
    assert band.max() <= 11.0
    assert band.mean() == pytest.approx(10.0, abs=0.02)
    assert column(draws, "x.open").min() < 9.0  # a null bound is no bound


def test_lognormal_has_its_median_and_mean() -> None:
    draws = column(draw_samples({"k": {"distribution": "lognormal", "median": 4.0, "sigma": 0.25}}, N, seed=5), "k")
    assert draws.min() > 0
    assert np.median(draws) == pytest.approx(4.0, rel=0.01)
    assert draws.mean() == pytest.approx(4.0 * math.exp(0.25**2 / 2), rel=0.01)
    assert np.log(draws).std() == pytest.approx(0.25, rel=0.03)


def test_a_zero_spread_gives_the_value_itself() -> None:
    draws = draw_samples({"k": {"distribution": "normal", "mean": 3.0, "sd": 0.0}}, 5, seed=0)
    assert column(draws, "k").tolist() == [3.0] * 5


@pytest.mark.parametrize(
    ("distribution", "where", "message"),
    [
        ({"distribution": "beta", "a": 1}, "k.distribution", "expected one of normal, lognormal, uniform, triangular"),
        ({"mean": 1, "sd": 1}, "k.distribution", "found None"),
        ({"distribution": "normal", "mean": 1}, "k.sd", "missing: normal needs mean, sd"),
        ({"distribution": "normal", "mean": 1, "std": 1}, "k.std", "unknown parameter for normal"),
        ({"distribution": "normal", "mean": 1, "sd": -1}, "k.sd", "must be at least 0, found -1"),
        ({"distribution": "normal", "mean": "ten", "sd": 1}, "k.mean", "expected a finite number, found 'ten'"),
        ({"distribution": "normal", "mean": 1, "sd": 1, "low": 5, "high": 2}, "k.high", "must be above low"),
        ({"distribution": "normal", "mean": 1, "sd": True}, "k.sd", "expected a finite number, found True"),
        ({"distribution": "lognormal", "median": 0, "sigma": 1}, "k.median", "must be above 0"),
        ({"distribution": "lognormal", "median": 1, "sigma": -0.1}, "k.sigma", "must be at least 0"),
        ({"distribution": "uniform", "low": 3, "high": 3}, "k.high", "must be above low"),
        ({"distribution": "uniform", "low": 1, "high": float("nan")}, "k.high", "finite number"),
        ({"distribution": "triangular", "low": 1, "mode": 5, "high": 4}, "k.mode", r"must lie in \[low, high\]"),
        ("normal", "k", "expected a mapping"),
    ],
)
def test_bad_parameters_name_the_key_and_parameter(distribution: object, where: str, message: str) -> None:
    with pytest.raises(SampleSpecError, match=message) as info:
        draw_samples({"k": distribution}, 3, seed=0)  # type: ignore[dict-item]
    assert str(info.value).startswith(f"{where}: ")
    key, _, parameter = where.partition(".")
    assert info.value.key == key
    assert info.value.parameter == (parameter or None)


def test_bad_counts_seeds_and_keys_are_refused() -> None:
    spec = {"k": {"distribution": "uniform", "low": 0, "high": 1}}
    with pytest.raises(ValueError, match="n \\(number of draws\\) must be a whole number of at least 1"):
        draw_samples(spec, 0, seed=0)
    with pytest.raises(ValueError, match="seed must be a whole number"):
        draw_samples(spec, 3, seed=-1)
    with pytest.raises(ValueError, match="seed must be a whole number"):
        draw_samples(spec, 3, seed=1.5)  # type: ignore[arg-type]
    with pytest.raises(SampleSpecError, match="dotted scenario key"):
        check_spec({"fuels..lng": {"distribution": "uniform", "low": 0, "high": 1}})
    with pytest.raises(SampleSpecError, match="at least one key"):
        check_spec({})
