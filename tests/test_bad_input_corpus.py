"""Bad input through every command a user reaches: exit 2, one clear message, no traceback, nothing changed.

Each case is a scenario file (or a corrupted copy of ``grids/``) run through ``siepac validate``,
``show``, ``run`` and ``batch``. Every case is refused during validation, so each takes
milliseconds after import; a case that starts building or solving fails the time bound.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from simulator.cli import app
from simulator.scenario.yaml_file import MAX_EXPANDED_VALUES

runner = CliRunner()
COMMANDS = ("validate", "show", "run", "batch")
SECONDS_PER_CASE = 1.0


@pytest.fixture(scope="module", autouse=True)
def _warm(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Import once what a first command would (HiGHS, the batch planner), so that each case's
    time bound measures its own work and not the module imports."""
    path = tmp_path_factory.mktemp("warm") / "ok.yaml"
    path.write_text("name: ok\nyear: 2022\nsolve:\n  solver_options: {time_limit: 10}\n", encoding="utf-8")
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0
    import simulator.batch  # noqa: F401


def _alias_bomb(levels: int = 10, width: int = 10) -> str:
    """Nested lists of aliases: ``width ** levels`` leaf values once expanded (10^10 by default)."""
    lines = ["name: bomb", "year: 2022", "a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def _merge_bomb(levels: int = 10, width: int = 10) -> str:
    """The same with merge keys: every level merges the previous mapping ``width`` times."""
    keys = ", ".join(f"k{j}: lol" for j in range(width))
    lines = ["name: bomb", "year: 2022", f"m0: &m0 {{{keys}}}"]
    for i in range(1, levels):
        lines.append(f"m{i}: &m{i} {{" + ", ".join(f"x{j}: {{<<: *m{i - 1}}}" for j in range(width)) + "}")
    return "\n".join(lines) + "\n"


def _snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file below ``folder`` with its modification time and content."""
    return {
        str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.rglob("*") if p.is_file()
    }


def _earlier_results(out: Path) -> dict[str, tuple[int, bytes]]:
    """A results folder as an earlier run left it (a run folder and a batch folder)."""
    for folder in (out / "bomb", out / "batch-bad"):
        folder.mkdir(parents=True)
        (folder / "kpis.csv").write_text("scenario,metric,region,carrier,value,unit\n", encoding="utf-8")
        (folder / "manifest.json").write_text("{}\n", encoding="utf-8")
    return _snapshot(out)


def invoke(command: str, path: Path, out: Path) -> tuple[int, str, float]:
    """Run one command on one file; return exit code, output (stdout and stderr) and seconds."""
    args = [command, str(path)]
    if command in ("run", "batch"):
        args += ["--out", str(out)]
    started = time.perf_counter()
    result = runner.invoke(app, args)
    return result.exit_code, result.output, time.perf_counter() - started


def assert_refused(command: str, path: Path, tmp_path: Path, *expected: str) -> str:
    """Assert exit 2, no traceback, every ``expected`` text in the output and no result changed."""
    out = Path(tempfile.mkdtemp(dir=tmp_path)) / "results"
    before = _earlier_results(out)
    code, output, seconds = invoke(command, path, out)
    assert code == 2, (command, output)
    assert "Traceback" not in output, output
    for text in expected:
        assert text in output, (command, text, output)
    assert _snapshot(out) == before, f"{command} changed the results folder"
    assert seconds < SECONDS_PER_CASE, f"{command} took {seconds:.2f} s"
    return output


# -- issue 20: aliases -------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("shape", ["aliases", "merge keys"])
def test_alias_bomb_is_refused_quickly(tmp_path: Path, command: str, shape: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(_alias_bomb() if shape == "aliases" else _merge_bomb(), encoding="utf-8")
    assert path.stat().st_size < 2_000
    # by hand: level i expands to about 10^(i+1) values (11, 111, 1,111, 11,111 for aliases), so
    # the running count passes 100,000 at the eighth alias of level 4, which is on line 3 + 4
    assert_refused(command, path, tmp_path, f"{path}:7: aliases expand to more than {MAX_EXPANDED_VALUES:,} values")


def test_a_small_alias_use_still_loads(tmp_path: Path) -> None:
    from simulator.scenario import load_scenarios

    path = tmp_path / "ok.yaml"
    path.write_text(
        "name: ok\nyear: 2022\nsolve: &span {days: 2}\ndemand:\n  growth: &g {GT: 1.1, SV: 1.1}\n"
        "sweep:\n  parameters:\n    demand.growth: [*g, {<<: *g, GT: 1.2}]\n",
        encoding="utf-8",
    )
    variants = load_scenarios(path)
    assert [v.demand.growth["GT"] for v in variants] == [1.1, 1.2]
    assert all(v.demand.growth["SV"] == 1.1 for v in variants)


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nyear: 2022\ndescription: &d [1, *d]\n", encoding="utf-8")
    assert_refused("validate", path, tmp_path, f"{path}:3: alias *d is inside the node it names")


# -- issue 19: sweeps are counted before they are built -----------------------------------


def _huge_sweep(tmp_path: Path) -> Path:
    values = ", ".join(str(1.0 + i / 10_000) for i in range(2_000))
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: huge\nyear: 2022\nsweep:\n  parameters:\n"
        f"    demand.growth.GT: [{values}]\n    demand.growth.SV: [{values}]\n    demand.growth.HN: [{values}]\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("command", COMMANDS)
def test_huge_product_sweep_is_refused_before_expansion(tmp_path: Path, command: str) -> None:
    path = _huge_sweep(tmp_path)
    expected = f"{path}:4: key `sweep`: 2000 x 2000 x 2000 = 8,000,000,000 variants, more than the limit of 1,000"
    assert_refused(command, path, tmp_path, expected, "sweep.max_variants")


def test_refusing_a_huge_sweep_keeps_memory_flat(tmp_path: Path) -> None:
    import tracemalloc

    from simulator.errors import ScenarioError
    from simulator.scenario import load_scenarios

    path = _huge_sweep(tmp_path)
    tracemalloc.start()
    try:
        with pytest.raises(ScenarioError, match="8,000,000,000 variants"):
            load_scenarios(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the file itself (6,000 values) is a few MB once parsed; one variant per value pair would be GB
    assert peak < 30e6, f"validation held {peak / 1e6:.0f} MB"


def test_max_variants_raises_the_limit(tmp_path: Path) -> None:
    from simulator.scenario import load_scenarios

    sweep = (
        "sweep:\n  max_variants: {n}\n  parameters:\n    solve.days: [1, 2]\n    grid.second_circuit: [true, false]\n"
    )
    path = tmp_path / "s.yaml"
    path.write_text("name: s\nyear: 2022\n" + sweep.format(n=3), encoding="utf-8")
    assert_refused("validate", path, tmp_path, "2 x 2 = 4 variants, more than the limit of 3", "sweep.max_variants")
    path.write_text("name: s\nyear: 2022\n" + sweep.format(n=4), encoding="utf-8")
    assert len(load_scenarios(path)) == 4
    path.write_text("name: s\nyear: 2022\n" + sweep.format(n="lots"), encoding="utf-8")
    assert_refused("validate", path, tmp_path, "key `sweep.max_variants`: expected a whole number from 1 to 100,000")


# -- issue 19: text from input is printed as text, output folders are checked first ----------


@pytest.mark.parametrize("command", COMMANDS)
def test_markup_in_a_name_is_printed_as_text(tmp_path: Path, command: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text('name: "[/bold]"\nyear: 2022\ndescription: "[red]x[/red]"\n', encoding="utf-8")
    assert_refused(command, path, tmp_path, f"{path}:1: key `name`: String should match pattern", "found '[/bold]'")


def test_markup_in_paths_and_descriptions_is_printed_as_text(tmp_path: Path) -> None:
    folder = tmp_path / "[bold]dir"
    folder.mkdir()
    path = folder / "[red]x.yaml"
    path.write_text('name: ok\nyear: 2022\ndescription: "[/bold] and [red]"\n', encoding="utf-8")
    validated = runner.invoke(app, ["validate", str(path)])
    assert validated.exit_code == 0, validated.output
    assert f"ok: {path}" in validated.output
    shown = runner.invoke(app, ["show", str(path)])
    assert shown.exit_code == 0, shown.output
    assert "description: '[/bold] and [red]'" in shown.output


def _valid(tmp_path: Path) -> Path:
    path = tmp_path / "ok.yaml"
    path.write_text("name: ok\nyear: 2022\nsolve: {start_date: 2022-04-01, days: 1}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["run", "batch"])
def test_out_that_is_a_file_is_refused_before_solving(tmp_path: Path, command: str) -> None:
    out = tmp_path / "results.csv"
    out.write_text("kept\n", encoding="utf-8")
    started = time.perf_counter()
    result = runner.invoke(app, [command, str(_valid(tmp_path)), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert f"option --out: {out} is a file; give a folder" in result.output
    assert "Traceback" not in result.output
    assert out.read_text(encoding="utf-8") == "kept\n"
    assert time.perf_counter() - started < SECONDS_PER_CASE


def test_out_under_a_file_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    out.write_text("kept\n", encoding="utf-8")
    result = runner.invoke(app, ["run", str(_valid(tmp_path)), "--out", str(out / "deeper")])
    assert result.exit_code == 2
    assert f"is under {out}, which is a file" in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="permission bits do not bind the superuser")
def test_read_only_out_is_refused_before_solving(tmp_path: Path) -> None:
    out = tmp_path / "read-only"
    out.mkdir()
    out.chmod(0o555)
    try:
        result = runner.invoke(app, ["run", str(_valid(tmp_path)), "--out", str(out / "results")])
    finally:
        out.chmod(0o755)
    assert result.exit_code == 2
    assert f"option --out: cannot write in {out}" in result.output
    assert list(out.iterdir()) == []


def test_unwritable_out_is_refused_before_solving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # what a read-only folder does to everyone but the superuser, who runs this suite here
    import simulator.cli_common

    def refuse(*args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(simulator.cli_common.tempfile, "mkdtemp", refuse)
    result = runner.invoke(app, ["run", str(_valid(tmp_path)), "--out", str(tmp_path / "results")])
    assert result.exit_code == 2
    assert f"option --out: cannot write in {tmp_path} (Permission denied)" in result.output
    assert "Traceback" not in result.output


# -- the corpus: one scenario file per mistake, every command ------------------------------

HEAD = "name: bad\nyear: 2022\n"
SCHEMA_CASES: list[tuple[str, str, tuple[str, ...]]] = [
    # (case, file text, texts the message must hold: {f} is the file)
    (
        "February 30",
        HEAD + "solve: {start_date: 2022-02-30}\n",
        ("{f}:3:", "key `solve.start_date`", "day is out of range"),
    ),
    (
        "hour 25",
        HEAD + "solve: {start_date: 2022-01-01 25:00:00}\n",
        ("{f}:3:", "key `solve.start_date`", "hour must be"),
    ),
    ("float tag", HEAD + "solve: {days: !!float abc}\n", ("{f}:3:", "key `solve.days`", "'abc' is not a number")),
    ("int tag", HEAD + "solve: {days: !!int abc}\n", ("{f}:3:", "key `solve.days`", "'abc' is not an integer")),
    (
        "timestamp tag",
        HEAD + "solve: {start_date: !!timestamp abc}\n",
        ("{f}:3:", "key `solve.start_date`", "valid date"),
    ),
    (
        "bool tag",
        HEAD + "grid: {second_circuit: !!bool maybe}\n",
        ("{f}:3:", "key `grid.second_circuit`", "true or false"),
    ),
    ("list key", HEAD + "? [a, b]\n: 1\n", ("{f}:3:", "mapping key (a sequence) is list")),
    ("mapping key", HEAD + "grid:\n  ? {a: 1}\n  : 1\n", ("{f}:4:", "mapping key (a mapping) is dict")),
    ("number key", HEAD + "demand:\n  growth: {1: 1.1}\n", ("{f}:4:", "mapping key '1' is int")),
    ("yes key", HEAD + "grid:\n  yes: 1\n", ("{f}:4:", "mapping key 'yes' is bool")),
    ("undefined alias", HEAD + "description: *nothing\n", ("{f}:3:", "alias *nothing names no anchor")),
    ("markup in name", 'name: "[bold]x"\nyear: 2022\n', ("{f}:1:", "key `name`", "'[bold]x'")),
    ("unknown key", HEAD + "solve: {dayz: 3}\n", ("{f}:3", "unknown key `dayz`", "did you mean `days`")),
    # keys added with the 2022 calibration and the study years
    (
        "unknown Mexico rule",
        HEAD + "market: {mexico_rule: sometimes}\n",
        ("{f}:3:", "key `market.mexico_rule`", "'sometimes'"),
    ),
    (
        "unknown Mexico contract",
        HEAD + "market: {mexico_contract: maybe}\n",
        ("{f}:3:", "key `market.mexico_contract`", "'maybe'"),
    ),
    (
        "exclusive rule with a must-take contract",
        HEAD + "market: {mexico_trade: guatemala_only, mexico_rule: hourly_exclusive, mexico_contract: must_take}\n",
        ("{f}:3:", "key `market`", "needs market.mexico_contract price_taking"),
    ),
    (
        "sugar-mill switch not a boolean",
        HEAD + "fuels: {sugar_mill_coal_blocks: perhaps}\n",
        ("{f}:3:", "key `fuels.sugar_mill_coal_blocks`", "'perhaps'"),
    ),
    (
        "commissioning date on a scale",
        HEAD
        + "fleet:\n  - {country: GT, technology: gas, action: scale, factor: 0.5, commissioning_date: 2022-06-01}\n",
        ("{f}:4:", "key `fleet.0`", "go with action add only"),
    ),
    (
        "retirement before commissioning",
        HEAD
        + "fleet:\n  - {country: GT, technology: gas, action: add, capacity_mw: 100, "
        + "commissioning_date: 2022-06-01, retirement_date: 2022-05-01}\n",
        ("{f}:4:", "key `fleet.0`", "must be after commissioning_date"),
    ),
    (
        "year without data",
        "name: bad\nyear: 2031\n",
        ("{f}:2:", "key `year`", "available years: 2022, 2023, 2030, 2035"),
    ),
    (
        "hydrology without weather",
        HEAD + "hydrology: 2024\n",
        ("{f}:3:", "key `hydrology`", "no weather data for 2024"),
    ),
    (
        "unknown expansion technology",
        "name: bad\nyear: 2030\nhydrology: wet\nexpansion:\n  enabled: true\n  technologies: [solar_pv, nuclear]\n",
        ("{f}:6:", "key `expansion.technologies.1`", "'solar_pv', 'onshore_wind'"),
    ),
    (
        "expansion limit of a country",
        "name: bad\nyear: 2030\nhydrology: wet\nexpansion:\n  limits_mw: {GT: {ccgt: -5}}\n",
        ("{f}:5:", "key `expansion`", "limits_mw.GT.ccgt must be between 0 and 20000 MW, found -5"),
    ),
    (
        "reserve margin above 100 %",
        "name: bad\nyear: 2030\nhydrology: wet\nexpansion:\n  reserve_margin_pct: 150\n",
        ("{f}:5:", "key `expansion.reserve_margin_pct`", "less than or equal to 100"),
    ),
    (
        "import credit above 1",
        "name: bad\nyear: 2030\nhydrology: wet\nexpansion:\n  import_credit_share: 2\n",
        ("{f}:5:", "key `expansion.import_credit_share`", "less than or equal to 1"),
    ),
    (
        "coarse resolution not offered",
        HEAD + "solve:\n  coarse_resolution_hours: 5\n",
        ("{f}:4:", "key `solve.coarse_resolution_hours`", "6"),
    ),
    (
        "zip of unequal lists",
        HEAD + "sweep:\n  mode: zip\n  parameters:\n    solve.days: [1, 2]\n    grid.second_circuit: [true]\n",
        ("{f}:4:", "key `sweep`", "equal length"),
    ),
]
DATA_CASES: list[tuple[str, str, tuple[str, ...]]] = [
    # checked against grids/outlook/ (not by `show`, which checks the schema only)
    (
        "expansion in an observed year",
        HEAD + "expansion:\n  enabled: true\n",
        ("{f}:4:", "key `expansion.enabled`", "study years 2030, 2035 only"),
    ),
    (
        "Colombia link in a historical year",
        HEAD + "grid: {colombia_link_mw: 300}\n",
        ("{f}:3:", "key `grid.colombia_link_mw`", "outlook years only"),
    ),
    (
        "Colombia link above its rating",
        "name: bad\nyear: 2030\nhydrology: wet\ngrid: {colombia_link_mw: 900}\n",
        ("{f}:4:", "key `grid.colombia_link_mw`", "at most the link's 400 MW"),
    ),
    (
        "unknown solver option",
        HEAD + "solve:\n  solver_options: {slover: ipm}\n",
        ("{f}:4:", "key `solve.solver_options.slover`", "did you mean `solver`"),
    ),
    (
        "solver option type",
        HEAD + "solve:\n  solver_options: {threads: many}\n",
        ("{f}:4:", "key `solve.solver_options.threads`", "a whole number"),
    ),
    (
        "solver option value",
        HEAD + "solve:\n  solver_options: {solver: simplx}\n",
        ("{f}:4:", "key `solve.solver_options.solver`", "'simplx' refused"),
    ),
    (
        "unquoted on",
        HEAD + "solve:\n  solver_options: {run_crossover: on}\n",
        ("{f}:4:", "key `solve.solver_options.run_crossover`", "quote the word"),
    ),
    (
        "solver option bound",
        HEAD + "solve:\n  solver_options: {simplex_strategy: 99}\n",
        ("{f}:4:", "simplex_strategy", "upper bound"),
    ),
    (
        "unknown reference",
        HEAD + "reference: base_2021\n",
        ("{f}:3:", "key `reference`", "unknown scenario `base_2021`"),
    ),
    (
        "unknown segment",
        HEAD + "grid:\n  second_circuit_segments: [NOPE]\n",
        ("{f}:4:", "key `grid.second_circuit_segments`"),
    ),
]


def _cases(cases: list[tuple[str, str, tuple[str, ...]]], commands: tuple[str, ...]) -> list[object]:
    return [
        pytest.param(c, command, text, expected, id=f"{c}-{command}")
        for c, text, expected in cases
        for command in commands
    ]


@pytest.mark.parametrize(
    ("case", "command", "text", "expected"),
    _cases(SCHEMA_CASES, COMMANDS) + _cases(DATA_CASES, ("validate", "run", "batch")),
)
def test_bad_scenario(tmp_path: Path, case: str, command: str, text: str, expected: tuple[str, ...]) -> None:
    # `show` prints the file after the schema; checks against grids/ are validate's, run's and batch's
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    assert_refused(command, path, tmp_path, *(e.format(f=path) for e in expected))


@pytest.fixture
def scenario_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder standing in for ``scenarios/`` (where references are looked up)."""
    import simulator.paths

    folder = tmp_path / "scenarios"
    folder.mkdir()
    monkeypatch.setattr(simulator.paths, "scenarios_dir", lambda: folder)
    return folder


REFERENCE_CASES = {
    "itself": ({"a": "name: a\nyear: 2022\nreference: a\n"}, "cyclic references: {d}/a.yaml -> {d}/a.yaml"),
    "a cycle of two": (
        {"a": "name: a\nyear: 2022\nreference: b\n", "b": "name: b\nyear: 2022\nreference: a.yaml\n"},
        "cyclic references: {d}/a.yaml -> {d}/b.yaml -> {d}/a.yaml",
    ),
    "a sweep": (
        {
            "a": "name: a\nyear: 2022\nreference: w\n",
            "w": "name: w\nyear: 2022\nsweep:\n  parameters:\n    solve.days: [1, 2]\n",
        },
        "reference {d}/a.yaml -> {d}/w.yaml is a sweep of 2 variants",
    ),
    "an invalid file": (
        {"a": "name: a\nyear: 2022\nreference: v\n", "v": "name: v\nyear: 2031\n"},
        "reference {d}/a.yaml -> {d}/v.yaml is not a valid scenario: {d}/v.yaml:2: key `year`",
    ),
}


@pytest.mark.parametrize("command", ["validate", "run", "batch"])
@pytest.mark.parametrize("case", list(REFERENCE_CASES))
def test_bad_reference_chain(scenario_folder: Path, tmp_path: Path, case: str, command: str) -> None:
    files, expected = REFERENCE_CASES[case]
    for stem, text in files.items():
        (scenario_folder / f"{stem}.yaml").write_text(text, encoding="utf-8")
    path = scenario_folder / "a.yaml"
    assert_refused(command, path, tmp_path, f"{path}:3: key `reference`", expected.format(d=scenario_folder))


# -- corrupted input tables, on a copy of grids/ ---------------------------------------------

TABLE_CASES: list[tuple[str, str, int, str, str, str]] = [
    # (case, table, data row (0 = first), column, new cell text, expected message after "file:line: ")
    (
        "empty capacity cell",
        "fleet/capacity.csv",
        0,
        "capacity_mw",
        "",
        "column `capacity_mw` is empty; expected a number",
    ),
    ("text in a demand cell", "demand/annual.csv", 2, "value", "lots", "column `value` must be a number, found 'lots'"),
    (
        "n/a in a profile",
        "profiles/GT_2024_2025_JanApr_generation_hourly_profile_daytype.csv",
        1,
        "12",
        "n/a",
        "column `12` must be a number, found 'n/a'",
    ),
    (
        "NaN in a line length",
        "electric/lines.csv",
        0,
        "length_km",
        "nan",
        "column `length_km` must be a finite number, found 'nan'",
    ),
]


@pytest.fixture
def grids_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of ``grids/`` that the commands read (``SIEPAC_GRIDS_DIR``)."""
    from simulator.paths import grids_dir

    root = tmp_path / "grids"
    shutil.copytree(grids_dir(), root)
    monkeypatch.setenv("SIEPAC_GRIDS_DIR", str(root))
    return root


@pytest.mark.parametrize("command", ["validate", "run", "batch"])
@pytest.mark.parametrize(
    ("case", "table", "row", "column", "cell", "expected"), TABLE_CASES, ids=[c[0] for c in TABLE_CASES]
)
def test_corrupted_table(
    grids_copy: Path,
    tmp_path: Path,
    command: str,
    case: str,
    table: str,
    row: int,
    column: str,
    cell: str,
    expected: str,
) -> None:
    frame = pd.read_csv(grids_copy / table, dtype=str, keep_default_na=False)
    frame.loc[row, column] = cell
    frame.to_csv(grids_copy / table, index=False)
    assert_refused(command, _valid(tmp_path), tmp_path, f"{grids_copy / table}:{row + 2}: {expected}")


@pytest.mark.parametrize("command", ["validate", "run", "batch"])
@pytest.mark.parametrize(
    ("case", "table", "content", "expected"),
    [
        ("deleted profile", "profiles/CR_2019_monthly_energy_shares.csv", None, "input table missing"),
        ("empty table", "fuels/prices.csv", "fuel,year,value,unit,source,tag,note\n", "no rows"),
        ("empty file", "electric/buses.csv", "", "empty file"),
        ("deleted segment geometry", "gas/segments.geojson", None, "gas input missing"),
        ("deleted dated plants", "fleet/commissioning.csv", None, "input table missing"),
        ("deleted technology fuels", "fuels/technology_fuels.csv", None, "input table missing"),
    ],
)
def test_missing_or_empty_table(
    grids_copy: Path, tmp_path: Path, command: str, case: str, table: str, content: str | None, expected: str
) -> None:
    if content is None:
        (grids_copy / table).unlink()
    else:
        (grids_copy / table).write_text(content, encoding="utf-8")
    scenario = _valid(tmp_path)
    if table.startswith("gas/"):  # the gas tables are read when a scenario uses the gas layer
        scenario.write_text(scenario.read_text(encoding="utf-8") + "gas: {route: lng, anchor: {capacity_mw: 300}}\n")
    assert_refused(command, scenario, tmp_path, str(grids_copy / table), expected)
