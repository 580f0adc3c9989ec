"""Checks of a valid scenario against the input data (names of segments, buses, limits)."""

from __future__ import annotations

import difflib

from simulator.data import TECHNOLOGY_FUEL, InputData
from simulator.errors import ScenarioError
from simulator.scenario.schema import Scenario


def _unknown(value: str, known: list[str], what: str) -> str:
    close = difflib.get_close_matches(value, known, n=1)
    hint = (
        f"; did you mean `{close[0]}`?"
        if close
        else f"; known: {', '.join(known[:12])}{' ...' if len(known) > 12 else ''}"
    )
    return f"unknown {what} `{value}`{hint}"


def scenario_data_problems(scenario: Scenario, data: InputData) -> list[str]:
    """Return one line per problem of a schema-valid scenario with respect to ``grids/``."""
    problems: list[str] = []
    segments = sorted(data.lines.line[data.lines.kind == "siepac"])
    for i, segment in enumerate(scenario.grid.second_circuit_segments):
        if segment not in segments:
            where = scenario.locate("grid", "second_circuit_segments", i)
            problems.append(
                f"{where}: key `grid.second_circuit_segments`: {_unknown(segment, segments, 'SIEPAC segment')}"
            )
    limit_ids = sorted(data.border_limits.limit_id)
    for limit_id in scenario.grid.border_limits_mw:
        if limit_id not in limit_ids:
            where = scenario.locate("grid", "border_limits_mw", limit_id)
            problems.append(f"{where}: key `grid.border_limits_mw`: {_unknown(limit_id, limit_ids, 'border limit')}")
    buses = sorted(data.buses.bus)
    types = sorted(data.line_types.line_type)
    existing = set(data.lines.line)
    for i, line in enumerate(scenario.grid.new_interconnections):
        where = scenario.locate("grid", "new_interconnections", i)
        for end in ("bus0", "bus1"):
            if getattr(line, end) not in buses:
                problems.append(
                    f"{where}: key `grid.new_interconnections.{i}.{end}`: {_unknown(getattr(line, end), buses, 'bus')}"
                )
        if line.bus0 == line.bus1:
            problems.append(
                f"{where}: key `grid.new_interconnections.{i}`: a line needs two different buses, found {line.bus0} twice"
            )
        if line.line_type not in types:
            problems.append(
                f"{where}: key `grid.new_interconnections.{i}.line_type`: {_unknown(line.line_type, types, 'line type')}"
            )
        if line.name in existing:
            problems.append(
                f"{where}: key `grid.new_interconnections.{i}.name`: `{line.name}` is already a line of grids/electric/lines.csv"
            )
    for i, change in enumerate(scenario.fleet):
        weather_driven = change.technology not in TECHNOLOGY_FUEL
        base = data.capacity_mw(change.country, change.technology, scenario.year)
        if change.action == "add" and weather_driven and base <= 0:
            problems.append(
                f"{scenario.locate('fleet', i)}: key `fleet.{i}`: cannot add {change.technology} in {change.country}: "
                "it has no observed output to shape the new capacity on"
            )
    gas = scenario.gas
    anchor_wanted = gas.anchor.capacity_mw > 0 or gas.anchor.extendable
    if anchor_wanted and gas.route == "none":
        problems.append(
            f"{scenario.locate('gas', 'route')}: key `gas.route`: an anchor plant needs a gas supply; "
            "choose tapachula, chiapa_de_corzo, chiapa_de_corzo_via_tapachula or lng"
        )
    if gas.route != "none" or gas.anchor.site is not None:
        from simulator.routes import load_gas_data

        gas_data = load_gas_data(data.root)
        sites = sorted(gas_data.nodes.node[gas_data.nodes.kind == "anchor_site"])
        if gas.anchor.site is not None and gas.anchor.site not in sites:
            problems.append(
                f"{scenario.locate('gas', 'anchor', 'site')}: key `gas.anchor.site`: {_unknown(gas.anchor.site, sites, 'anchor site')}"
            )
    if scenario.reference is not None:
        from simulator.paths import scenarios_dir

        name = scenario.reference.removesuffix(".yaml")
        if not (scenarios_dir() / f"{name}.yaml").is_file():
            known = sorted(p.stem for p in scenarios_dir().glob("*.yaml"))
            problems.append(f"{scenario.locate('reference')}: key `reference`: {_unknown(name, known, 'scenario')}")
    return problems


def check_scenario_data(scenario: Scenario, data: InputData) -> None:
    """Raise :class:`ScenarioError` listing every problem of the scenario against the data."""
    problems = scenario_data_problems(scenario, data)
    if problems:
        raise ScenarioError("\n".join(problems))
