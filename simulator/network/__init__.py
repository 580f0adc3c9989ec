"""Building the PyPSA network from a scenario and the input data."""

from simulator.network.electric import build_network

__all__ = ["build_network"]
