"""Seeded draws of numeric scenario keys from stated distributions, for sampled appraisals.

A *spec* maps a dotted scenario key to its distribution, e.g.::

    {"fuels.prices.lng.usd_per_mmbtu": {"distribution": "triangular", "low": 8, "mode": 11, "high": 16}}

Distributions and their parameters:

``normal``
    ``mean``, ``sd`` (≥ 0), optional ``low`` and/or ``high``: truncated to [low, high].
``lognormal``
    ``median`` (> 0), ``sigma`` (≥ 0, of the logarithm): ``median × exp(sigma × z)``.
``uniform``
    ``low`` < ``high``.
``triangular``
    ``low`` ≤ ``mode`` ≤ ``high``, ``low`` < ``high``.

Each key gets its own generator, seeded from the seed and the key's name, so that the draws
of a key do not change when another key is added to or removed from the spec. Bad
parameters raise :class:`SampleSpecError` (a ``ValueError``) naming the key and parameter.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from scipy.stats import truncnorm

PARAMETERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "normal": (("mean", "sd"), ("low", "high")),
    "lognormal": (("median", "sigma"), ()),
    "uniform": (("low", "high"), ()),
    "triangular": (("low", "mode", "high"), ()),
}
"""Distribution -> (required parameters, optional parameters)."""


class SampleSpecError(ValueError):
    """A distribution in a sample spec is invalid; ``key`` and ``parameter`` say where."""

    def __init__(self, key: str, parameter: str | None, message: str) -> None:
        self.key = key
        self.parameter = parameter
        where = f"{key}.{parameter}" if parameter else key
        super().__init__(f"{where}: {message}")


def _number(key: str, parameter: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SampleSpecError(key, parameter, f"expected a finite number, found {value!r}")
    return float(value)


def check_distribution(key: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    """Return one key's distribution with its parameters as floats, after checking them.

    Raises
    ------
    SampleSpecError
        Not a mapping, an unknown distribution, a missing, unknown or non-numeric parameter,
        or parameters out of range (sd < 0, low ≥ high, mode outside [low, high] ...).
    """
    if not isinstance(key, str) or not key or any(not part for part in key.split(".")):
        raise SampleSpecError(str(key), None, "expected a dotted scenario key such as fuels.prices.lng.usd_per_mmbtu")
    if not isinstance(spec, Mapping):
        raise SampleSpecError(key, None, f"expected a mapping with a distribution, found {spec!r}")
    name = spec.get("distribution")
    if name not in PARAMETERS:
        raise SampleSpecError(key, "distribution", f"expected one of {', '.join(PARAMETERS)}, found {name!r}")
    required, optional = PARAMETERS[name]
    unknown = sorted(set(spec) - {"distribution", *required, *optional})
    if unknown:
        allowed = ", ".join((*required, *optional))
        raise SampleSpecError(key, unknown[0], f"unknown parameter for {name} (expected {allowed})")
    missing = [p for p in required if p not in spec]
    if missing:
        raise SampleSpecError(key, missing[0], f"missing: {name} needs {', '.join(required)}")
    params = {p: _number(key, p, spec[p]) for p in required}
    # an optional bound given as null (YAML ``~``) is no bound
    params.update({p: _number(key, p, spec[p]) for p in optional if spec.get(p) is not None})
    _check_ranges(key, str(name), params)
    return {"distribution": name, **params}


def _check_ranges(key: str, name: str, p: dict[str, float]) -> None:
    def fail(parameter: str, message: str) -> None:
        raise SampleSpecError(key, parameter, message)

    if name == "normal":
        if p["sd"] < 0:
            fail("sd", f"must be at least 0, found {p['sd']:g}")
        low, high = p.get("low", -math.inf), p.get("high", math.inf)
        if low >= high:
            fail("high", f"must be above low ({low:g}), found {high:g}")
        if p["sd"] == 0 and not low <= p["mean"] <= high:
            fail("mean", f"with sd 0 must lie in [low, high] = [{low:g}, {high:g}], found {p['mean']:g}")
    elif name == "lognormal":
        if p["median"] <= 0:
            fail("median", f"must be above 0, found {p['median']:g}")
        if p["sigma"] < 0:
            fail("sigma", f"must be at least 0, found {p['sigma']:g}")
    else:
        if p["low"] >= p["high"]:
            fail("high", f"must be above low ({p['low']:g}), found {p['high']:g}")
        if name == "triangular" and not p["low"] <= p["mode"] <= p["high"]:
            fail("mode", f"must lie in [low, high] = [{p['low']:g}, {p['high']:g}], found {p['mode']:g}")


def check_spec(spec: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return the checked distribution of every key (see :func:`check_distribution`)."""
    if not isinstance(spec, Mapping) or not spec:
        raise SampleSpecError("sample", None, "expected at least one key with a distribution")
    return {key: check_distribution(key, dist) for key, dist in spec.items()}


def _normal(rng: np.random.Generator, p: dict[str, float], n: int) -> np.ndarray:
    low, high = p.get("low", -math.inf), p.get("high", math.inf)
    if p["sd"] == 0:
        return np.full(n, p["mean"])
    if math.isinf(low) and math.isinf(high):
        return rng.normal(p["mean"], p["sd"], n)
    a, b = (low - p["mean"]) / p["sd"], (high - p["mean"]) / p["sd"]
    return np.asarray(truncnorm.rvs(a, b, loc=p["mean"], scale=p["sd"], size=n, random_state=rng), dtype=float)


_DRAW: dict[str, Callable[[np.random.Generator, dict[str, float], int], np.ndarray]] = {
    "normal": _normal,
    "lognormal": lambda rng, p, n: p["median"] * np.exp(p["sigma"] * rng.standard_normal(n)),
    "uniform": lambda rng, p, n: rng.uniform(p["low"], p["high"], n),
    "triangular": lambda rng, p, n: rng.triangular(p["low"], p["mode"], p["high"], n),
}


def key_generator(seed: int, key: str) -> np.random.Generator:
    """Return the generator of one key: seeded by the seed and a checksum of the key's name."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(key.encode("utf-8"))]))


def draw_samples(spec: Mapping[str, Mapping[str, Any]], n: int, seed: int) -> list[dict[str, float]]:
    """Return ``n`` seeded draws of the spec's keys.

    Parameters
    ----------
    spec
        Dotted scenario key -> distribution (see the module docstring).
    n
        Number of draws (variants), at least 1.
    seed
        Seed (an integer ≥ 0): the same seed and spec give the same draws.

    Returns
    -------
    list of dict
        One dict per draw, key -> value, keys in the spec's order.

    Raises
    ------
    SampleSpecError
        A bad distribution (naming the key and parameter).
    ValueError
        ``n`` or ``seed`` not a non-negative integer (``n`` at least 1).
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        msg = f"n (number of draws) must be a whole number of at least 1, found {n!r}"
        raise ValueError(msg)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        msg = f"seed must be a whole number of at least 0, found {seed!r}"
        raise ValueError(msg)
    checked = check_spec(spec)
    columns = {
        key: _DRAW[dist["distribution"]](key_generator(int(seed), key), dist, int(n)) for key, dist in checked.items()
    }
    return [{key: float(values[i]) for key, values in columns.items()} for i in range(int(n))]
