"""Checks of a valid scenario against the input data (names of segments, buses, limits)."""

from __future__ import annotations

import difflib

from simulator.data import TECHNOLOGY_FUEL, InputData
from simulator.errors import ScenarioError
from simulator.outlook import StudyYear, year_inputs
from simulator.scenario.schema import Scenario
from simulator.scenario.solver_options import solver_option_problems


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
    study = year_inputs(data, scenario.year, scenario.weather_year)
    problems.extend(colombia_problems(scenario, study))
    for i, change in enumerate(scenario.fleet):
        weather_driven = change.technology not in TECHNOLOGY_FUEL
        base = study.data.capacity_mw(change.country, change.technology, scenario.year)
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
    for option, problem in solver_option_problems(scenario.solve.solver_options):
        where = scenario.locate("solve", "solver_options", option)
        problems.append(f"{where}: key `solve.solver_options.{option}`: {problem}")
    problems.extend(expansion_problems(scenario, data))
    problems.extend(reference_problems(scenario))
    return problems


def expansion_problems(scenario: Scenario, data: InputData) -> list[str]:
    """Return what stops ``expansion.enabled``: a year without candidate costs."""
    if not scenario.expansion.enabled:
        return []
    from simulator.expansion_data import study_years

    years = study_years(data.root)
    if scenario.year in years:
        return []
    return [
        f"{scenario.locate('expansion', 'enabled')}: key `expansion.enabled`: candidate costs exist for the study "
        f"years {', '.join(map(str, years))} only (grids/expansion/technologies.csv), not for {scenario.year}"
    ]


def colombia_problems(scenario: Scenario, study: StudyYear) -> list[str]:
    """Return what stops ``grid.colombia_link_mw``: a year without the link, or more than its capacity."""
    wanted = scenario.grid.colombia_link_mw
    if wanted <= 0:
        return []
    where = f"{scenario.locate('grid', 'colombia_link_mw')}: key `grid.colombia_link_mw`"
    link = study.colombia
    if link is None:
        return [
            f"{where}: the Panama–Colombia link is an option of the outlook years only "
            f"(grids/outlook/colombia.csv), not of {scenario.year}; set it to 0 or use year 2030 or 2035"
        ]
    if scenario.year < link.earliest_in_service_year:
        return [
            f"{where}: the link cannot be in service before {link.earliest_in_service_year}, found year {scenario.year}"
        ]
    if wanted > link.capacity_mw + 1e-9:
        return [f"{where}: at most the link's {link.capacity_mw:g} MW (grids/outlook/colombia.csv), found {wanted:g}"]
    return []


MAX_REFERENCE_DEPTH = 4
"""Longest chain of references (a scenario, its reference, that one's reference, ...)."""


def reference_problems(scenario: Scenario) -> list[str]:
    """Follow ``reference`` from scenario to scenario and return what would stop a run.

    Each reference must name one shipped scenario file that validates, is not a sweep,
    and does not lead back to a scenario already in the chain (a run would nest runs of its
    reference without end). The chain is named in the message.
    """
    from simulator.paths import scenarios_dir
    from simulator.scenario.load import load_scenarios

    if scenario.reference is None:
        return []
    where = f"{scenario.locate('reference')}: key `reference`"
    origin = getattr(scenario._origin, "chain", None)
    own = origin[0].path.resolve() if origin else None
    chain: list[str] = [str(origin[0].path) if origin else scenario.name]
    seen = {own} if own is not None else set()
    current: Scenario = scenario
    known = sorted(p.stem for p in scenarios_dir().glob("*.yaml"))
    while current.reference is not None:
        name = current.reference.removesuffix(".yaml")
        path = scenarios_dir() / f"{name}.yaml"
        chain.append(str(path))
        if not path.is_file():
            return [
                f"{where}: {_unknown(name, known, 'scenario')}"
                + (f" (chain {' -> '.join(chain)})" if len(chain) > 2 else "")
            ]
        if path.resolve() in seen:
            return [f"{where}: cyclic references: {' -> '.join(chain)}"]
        if len(chain) > MAX_REFERENCE_DEPTH + 1:
            return [f"{where}: references nested more than {MAX_REFERENCE_DEPTH} deep: {' -> '.join(chain)}"]
        seen.add(path.resolve())
        try:
            loaded = load_scenarios(path)
        except ScenarioError as exc:
            first = str(exc).splitlines()[0]
            return [f"{where}: reference {' -> '.join(chain)} is not a valid scenario: {first}"]
        if len(loaded) != 1:
            return [
                f"{where}: reference {' -> '.join(chain)} is a sweep of {len(loaded)} variants; "
                "a reference must be one scenario"
            ]
        current = loaded[0]
    return []


def check_scenario_data(scenario: Scenario, data: InputData) -> None:
    """Raise :class:`ScenarioError` listing every problem of the scenario against the data."""
    problems = scenario_data_problems(scenario, data)
    if problems:
        raise ScenarioError("\n".join(problems))
