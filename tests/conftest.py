"""Shared fixtures: the input data and small solved cases of the real network."""

from __future__ import annotations

import pypsa
import pytest

from simulator.data import InputData, load_data
from simulator.network import build_network
from simulator.run import quiet_libraries
from simulator.solve import solve_network
from simulator.testing import short_scenario


@pytest.fixture(scope="session")
def data() -> InputData:
    return load_data()


@pytest.fixture(scope="session")
def solved_week(data: InputData) -> pypsa.Network:
    """base_2022, one dry-season week, solved."""
    quiet_libraries()
    n = build_network(short_scenario(), data)
    solve_network(n)
    return n
