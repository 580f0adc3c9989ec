"""Scenario files: extends, sweeps, generated schema, a corpus of bad files, random mutations."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from simulator.cli import app
from simulator.errors import ScenarioError
from simulator.paths import scenarios_dir
from simulator.scenario import load_scenario, load_scenarios
from simulator.scenario.generate import render
from simulator.scenario.load import _set_path, variant_label

runner = CliRunner()
SHIPPED = sorted(p.name for p in scenarios_dir().glob("*.yaml") if not p.name.startswith("appraisal_"))
"""Shipped scenario files (the appraisal files, ``appraisal_*.yaml``, are checked in tests/test_appraise_config.py)."""


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_scenario_validates_and_says_what_it_answers(name: str) -> None:
    result = runner.invoke(app, ["validate", str(scenarios_dir() / name)])
    assert result.exit_code == 0, result.output
    for scenario in load_scenarios(scenarios_dir() / name):
        assert scenario.description or name == "defaults.yaml"
    if name not in ("defaults.yaml",):
        assert (scenarios_dir() / name).read_text().startswith("# yaml-language-server: $schema=schema.json")


def test_generated_schema_and_defaults_match_the_code() -> None:
    for file, text in render().items():
        committed = (scenarios_dir() / file).read_text(encoding="utf-8")
        assert committed == text, f"scenarios/{file} is out of date: run `siepac schema`"


def test_extends_merges_mappings_and_replaces_lists(tmp_path: Path) -> None:
    write(
        tmp_path,
        "parent.yaml",
        "name: parent\nyear: 2022\ngrid:\n  second_circuit_segments: [A, B]\n  border_limits_mw: {HN_to_NI: 400}\n",
    )
    child = write(
        tmp_path,
        "child.yaml",
        "extends: parent.yaml\nname: child\ngrid:\n  second_circuit_segments: [NI_SANDINO-NI_TICUANTEPE_II]\n  border_limits_mw: {NI_to_CR: 450}\n",
    )
    scenario = load_scenario(child)
    assert scenario.name == "child" and scenario.year == 2022
    assert scenario.grid.second_circuit_segments == ["NI_SANDINO-NI_TICUANTEPE_II"]
    assert scenario.grid.border_limits_mw == {"HN_to_NI": 400.0, "NI_to_CR": 450.0}


def test_extends_finds_shipped_scenarios_from_anywhere(tmp_path: Path) -> None:
    child = write(tmp_path, "mine.yaml", "extends: base_2023.yaml\nname: mine\ngrid:\n  second_circuit: true\n")
    scenario = load_scenario(child)
    assert scenario.year == 2023 and scenario.grid.second_circuit


def test_error_points_at_the_file_that_set_the_key(tmp_path: Path) -> None:
    write(tmp_path, "parent.yaml", "name: parent\nyear: 2022\nsolve:\n  days: 0\n")
    child = write(tmp_path, "child.yaml", "extends: parent.yaml\nname: child\n")
    with pytest.raises(ScenarioError, match=r"parent.yaml:4: key `solve.days`"):
        load_scenario(child)


def test_sweep_product_and_zip_names(tmp_path: Path) -> None:
    product = write(
        tmp_path,
        "p.yaml",
        "name: s\nyear: 2022\nsweep:\n  parameters:\n    fuels.prices.lng.usd_per_mmbtu: [8, 10]\n    grid.mexico_link.mx_to_gt_day_mw: [210, 400]\n",
    )
    names = [s.name for s in load_scenarios(product)]
    assert names == [
        "s-lng_8usd-mx_to_gt_day_210mw",
        "s-lng_8usd-mx_to_gt_day_400mw",
        "s-lng_10usd-mx_to_gt_day_210mw",
        "s-lng_10usd-mx_to_gt_day_400mw",
    ]
    zipped = write(
        tmp_path,
        "z.yaml",
        "name: z\nyear: 2022\nsweep:\n  mode: zip\n  parameters:\n    demand.growth.GT: [1.0, 1.1]\n    grid.second_circuit: [false, true]\n",
    )
    variants = load_scenarios(zipped)
    assert [v.name for v in variants] == ["z-GT_1-second_circuit_off", "z-GT_1.1-second_circuit_on"]
    assert variants[1].grid.second_circuit and variants[1].demand.growth == {"GT": 1.1}
    assert variants[1].swept == {"demand.growth.GT": 1.1, "grid.second_circuit": True}


def test_variant_labels_are_readable() -> None:
    assert variant_label("gas.anchor.capacity_mw", 500) == "anchor_500mw"
    assert variant_label("gas.price_usd_per_mmbtu", 8.0) == "gas_8usd"


def test_show_prints_resolved_yaml(tmp_path: Path) -> None:
    child = write(tmp_path, "c.yaml", "extends: base_2022.yaml\nname: c\n")
    result = runner.invoke(app, ["show", str(child)])
    assert result.exit_code == 0
    shown = yaml.safe_load(result.output)
    assert shown["name"] == "c" and shown["year"] == 2022 and shown["market"]["mexico_trade"] == "guatemala_only"


BAD: list[tuple[str, str, str]] = [
    ("wrong type", "name: x\nyear: twenty\n", "key `year`: Input should be a valid integer"),
    ("unknown year", "name: x\nyear: 2019\n", "no input data for year 2019"),
    ("top-level typo", "name: x\nyeer: 2022\n", "unknown key `yeer` at {f}:2; did you mean `year`?"),
    (
        "section typo",
        "name: x\nyear: 2022\ngrid:\n  secnd_circuit: true\n",
        "unknown key `secnd_circuit` at {f}:4 under grid; did you mean `second_circuit`?",
    ),
    (
        "negative capacity",
        "name: x\nyear: 2022\nfleet:\n  - {country: GT, technology: gas, action: add, capacity_mw: -5}\n",
        "greater than 0",
    ),
    ("unknown country", "name: x\nyear: 2022\ndemand:\n  growth: {XX: 1.1}\n", "key `demand.growth.XX`"),
    (
        "unknown fuel",
        "name: x\nyear: 2022\nfuels:\n  prices:\n    bunker: {usd_per_bbl: 80}\n",
        "key `fuels.prices.bunker`",
    ),
    (
        "inconsistent units",
        "name: x\nyear: 2022\nfuels:\n  prices:\n    coal: {usd_per_bbl: 80}\n",
        "coal takes usd_per_t or usd_per_mmbtu",
    ),
    (
        "two units",
        "name: x\nyear: 2022\nfuels:\n  prices:\n    lng: {usd_per_mmbtu: 8, usd_per_t: 3}\n",
        "give the price in exactly one unit",
    ),
    ("duplicate key", "name: x\nyear: 2022\nyear: 2023\n", "duplicate key `year` (first at line 2)"),
    ("empty file", "", "empty file"),
    ("comment only", "# nothing\n", "empty file"),
    ("top-level list", "- name: x\n", "expected a mapping"),
    ("broken YAML", "name: [x\n", "not valid YAML"),
    ("missing name", "year: 2022\n", "key `name`: Field required"),
    ("bad name", "name: my scenario\nyear: 2022\n", "key `name`: String should match pattern"),
    ("unknown hydrology", "name: x\nyear: 2022\nhydrology: 2019\n", "no weather data for 2019"),
    ("hydrology alias typo", "name: x\nyear: 2022\nhydrology: dyr\n", "key `hydrology"),
    ("growth out of range", "name: x\nyear: 2022\ndemand:\n  growth: {GT: 10}\n", "between 0.5 and 3.0"),
    ("zero days", "name: x\nyear: 2022\nsolve:\n  days: 0\n", "greater than or equal to 1"),
    ("span outside year", "name: x\nyear: 2022\nsolve:\n  start_date: 2023-02-01\n", "not in the scenario year 2022"),
    ("market typo", "name: x\nyear: 2022\nmarket:\n  mexico_trade: all_siepa\n", "did you mean 'all_siepac'?"),
    ("negative border limit", "name: x\nyear: 2022\ngrid:\n  border_limits_mw: {HN_to_NI: -5}\n", "between 0 and 5000"),
    (
        "negative link",
        "name: x\nyear: 2022\ngrid:\n  mexico_link: {mx_to_gt_day_mw: -1}\n",
        "greater than or equal to 0",
    ),
    (
        "scale without factor",
        "name: x\nyear: 2022\nfleet:\n  - {country: GT, technology: coal, action: scale}\n",
        "action scale needs factor",
    ),
    (
        "unknown segment",
        "name: x\nyear: 2022\ngrid:\n  second_circuit_segments: [HN_AGUA_CALIENTE-NI_SANDIN]\n",
        "did you mean `HN_AGUA_CALIENTE-NI_SANDINO`?",
    ),
    (
        "unknown limit id",
        "name: x\nyear: 2022\ngrid:\n  border_limits_mw: {HN_TO_NI: 400}\n",
        "unknown border limit `HN_TO_NI`",
    ),
    (
        "unknown bus",
        "name: x\nyear: 2022\ngrid:\n  new_interconnections:\n    - {name: new, bus0: GT_PANALUYA, bus1: SV_NOWHERE, length_km: 100}\n",
        "unknown bus `SV_NOWHERE`",
    ),
    (
        "cannot shape",
        "name: x\nyear: 2022\nfleet:\n  - {country: PA, technology: geothermal, action: add, capacity_mw: 50}\n",
        "cannot add geothermal in PA",
    ),
    (
        "anchor without gas",
        "name: x\nyear: 2022\ngas:\n  anchor: {capacity_mw: 500}\n",
        "an anchor plant needs a gas supply",
    ),
    (
        "unknown anchor site",
        "name: x\nyear: 2022\ngas:\n  route: tapachula\n  anchor: {site: GT_NOWHERE, capacity_mw: 500}\n",
        "unknown anchor site `GT_NOWHERE`",
    ),
    (
        "anchor bounds",
        "name: x\nyear: 2022\ngas:\n  route: lng\n  anchor: {extendable: true, capacity_min_mw: 900, capacity_max_mw: 100}\n",
        "is above capacity_max_mw",
    ),
    ("unknown route", "name: x\nyear: 2022\ngas:\n  route: tapachulla\n", "did you mean 'tapachula'?"),
    ("unknown reference", "name: x\nyear: 2022\nreference: base_2021\n", "unknown scenario `base_2021`"),
    (
        "sweep unknown path",
        "name: x\nyear: 2022\nsweep:\n  parameters:\n    grid.secnd_circuit: [true, false]\n",
        "did you mean `second_circuit`?",
    ),
    (
        "sweep zip lengths",
        "name: x\nyear: 2022\nsweep:\n  mode: zip\n  parameters:\n    grid.second_circuit: [true, false]\n    demand.growth.GT: [1.0]\n",
        "equal length",
    ),
    ("sweep bad variant", "name: x\nyear: 2022\nsweep:\n  parameters:\n    solve.days: [1, -3]\n", "variant x-days_-3"),
    ("extends missing", "extends: nowhere.yaml\nname: x\n", "scenario file not found"),
    ("extends escapes", "extends: ../../../../etc/hostname\nname: x\n", "points outside"),
]


@pytest.mark.parametrize(("case", "text", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_scenario_corpus(tmp_path: Path, case: str, text: str, expected: str) -> None:
    path = write(tmp_path, "bad.yaml", text)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, (case, result.output)
    assert expected.format(f=path) in result.output, (case, result.output)
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("case", "content", "expected"),
    [
        ("binary garbage", bytes(range(256)) * 4, "binary content"),
        ("latin-1 text", "name: caña\nyear: 2022\n".encode("latin-1"), "not UTF-8 text"),
        ("10 MB file", b"name: x\nyear: 2022\ndescription: " + b"a" * 10_000_000 + b"\n", "at most 1,000,000 bytes"),
        (
            "deep nesting",
            ("name: x\nyear: 2022\ngrid:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 60))).encode(),
            "nested deeper than 20",
        ),
        ("deep flow nesting", b"name: x\nyear: 2022\ndescription: " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 30 else "",
)
def test_bad_file_contents(tmp_path: Path, case: str, content: bytes, expected: str) -> None:
    path = write(tmp_path, "bad.yaml", content)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, case
    assert expected in result.output, (case, result.output[:500])


def test_cyclic_extends_names_the_chain(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "extends: b.yaml\nname: a\nyear: 2022\n")
    write(tmp_path, "b.yaml", "extends: a.yaml\nname: b\n")
    result = runner.invoke(app, ["validate", str(tmp_path / "a.yaml")])
    assert result.exit_code == 2
    assert "cyclic extends" in result.output and "a.yaml -> " in result.output and "b.yaml -> " in result.output


def test_run_validates_every_variant_before_solving(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.yaml",
        "name: s\nyear: 2022\nsolve: {days: 1}\nsweep:\n  parameters:\n    grid.second_circuit_segments: [[NI_SANDINO-NI_TICUANTEPE_II], [NOPE]]\n",
    )
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "unknown SIEPAC segment `NOPE`" in result.output
    assert not (tmp_path / "out").exists()


# -- random mutations -------------------------------------------------------------------

VALID = yaml.safe_load((scenarios_dir() / "second_circuit_hn_ni_cr.yaml").read_text()) | {"year": 2022}
VALID.pop("extends")
KEY_PATHS = [
    "name",
    "year",
    "hydrology",
    "grid",
    "grid.second_circuit",
    "grid.border_limits_mw",
    "grid.border_limits_mw.HN_to_NI",
    "grid.second_circuit_segments",
    "market",
    "market.mexico_trade",
    "solve",
    "solve.days",
    "fleet",
    "demand.growth",
    "fuels.prices.lng",
    "gas.anchor.capacity_mw",
    "description",
    "newkey",
]
values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(st.tuples(st.sampled_from(KEY_PATHS), values), min_size=1, max_size=4))
def test_random_mutations_raise_only_scenario_errors(tmp_path: Path, mutations: list[tuple[str, object]]) -> None:
    data = yaml.safe_load(yaml.safe_dump(VALID))
    for key, value in mutations:
        data = _set_path(data, key, value)
    path = tmp_path / "mutated.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        load_scenarios(path)
    except ScenarioError as exc:
        assert str(exc)
