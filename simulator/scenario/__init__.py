"""Scenario files: schema and loading."""

from simulator.scenario.load import load_scenario, load_scenarios
from simulator.scenario.schema import Scenario

__all__ = ["Scenario", "load_scenario", "load_scenarios"]
