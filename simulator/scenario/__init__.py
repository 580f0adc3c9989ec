"""Scenario files: schema and loading."""

from simulator.scenario.load import load_scenario
from simulator.scenario.schema import Scenario

__all__ = ["Scenario", "load_scenario"]
