"""Scenario files: the shipped ones load; bad ones fail with file, line, key and a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.errors import ScenarioError
from simulator.paths import scenarios_dir
from simulator.scenario import load_scenario


@pytest.mark.parametrize("name, year", [("base_2022.yaml", 2022), ("base_2023.yaml", 2023)])
def test_shipped_scenarios_load(name: str, year: int) -> None:
    scenario = load_scenario(scenarios_dir() / name)
    assert scenario.year == year
    assert scenario.weather_year == year
    start, days = scenario.snapshots_span()
    assert (start.month, start.day) == (1, 1)
    assert days == 365


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "my.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_key_names_line_section_and_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, "name: my\nyear: 2022\ngrid:\n  secnd_circuit: true\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    assert f"unknown key `secnd_circuit` at {path}:4 under grid" in message
    assert "did you mean `second_circuit`?" in message


def test_wrong_type_names_key_expected_and_found(tmp_path: Path) -> None:
    path = write(tmp_path, "name: my\nyear: 2022\nsolve:\n  days: seven\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    assert f"{path}:4" in message
    assert "solve.days" in message
    assert "integer" in message
    assert "'seven'" in message


def test_unknown_year_lists_available_years(tmp_path: Path) -> None:
    path = write(tmp_path, "name: my\nyear: 2019\n")
    with pytest.raises(
        ScenarioError, match=r"my.yaml:2: key `year`.*no input data for year 2019; available years: 2022, 2023"
    ):
        load_scenario(path)


def test_hydrology_aliases(tmp_path: Path) -> None:
    path = write(tmp_path, "name: my\nyear: 2022\nhydrology: dry\n")
    assert load_scenario(path).weather_year == 2023


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="scenario file not found"):
        load_scenario(tmp_path / "nope.yaml")
    path = write(tmp_path, "name: [unclosed\n")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_scenario(path)


def test_span_must_be_inside_the_year(tmp_path: Path) -> None:
    path = write(tmp_path, "name: my\nyear: 2022\nsolve:\n  start_date: 2023-01-01\n")
    with pytest.raises(ScenarioError, match="not in the scenario year 2022"):
        load_scenario(path)
