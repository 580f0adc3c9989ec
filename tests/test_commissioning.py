"""Commissioning and retirement dates: a plant is not available before it is built."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator.data import InputData, load_data, read_commissioning
from simulator.errors import DataError
from simulator.network import build_network
from simulator.network.commissioning import online_capacity_mw
from simulator.paths import grids_dir
from simulator.run import quiet_libraries
from simulator.scenario.schema import FleetChange
from simulator.solve import solve_network
from simulator.testing import short_scenario

YEAR = pd.date_range("2022-01-01", "2022-12-31 23:00", freq="h")


def _plants(rows: list[tuple[str, float, str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "plant": [r[0] for r in rows],
            "capacity_mw": [r[1] for r in rows],
            "commissioning_date": pd.to_datetime([r[2] for r in rows]),
            "retirement_date": pd.to_datetime([r[3] for r in rows]),
        }
    )


def test_online_capacity_by_hand() -> None:
    # 500 MW at year end: a 300 MW plant from 1 May is part of it; a 100 MW plant retired on
    # 1 July is not (it is added back before); a plant of 2030 plays no part.
    plants = _plants(
        [
            ("new", 300.0, "2022-05-01", None),
            ("old", 100.0, "2001-01-01", "2022-07-01"),
            ("later", 50.0, "2030-01-01", None),
        ]
    )
    online = online_capacity_mw(500.0, plants, [], YEAR)
    assert online["2022-04-30 23:00"] == pytest.approx(200.0 + 100.0)
    assert online["2022-05-01 00:00"] == pytest.approx(500.0 + 100.0)
    assert online["2022-07-01 00:00"] == pytest.approx(500.0)
    assert online.max() == pytest.approx(600.0)


def test_scenario_add_with_dates_then_scale() -> None:
    add = FleetChange(
        country="GT",
        technology="solar",
        action="add",
        capacity_mw=100.0,
        commissioning_date="2022-03-01",
        retirement_date="2022-11-01",
    )
    scale = FleetChange(country="GT", technology="solar", action="scale", factor=0.5)
    online = online_capacity_mw(200.0, _plants([]), [add, scale], YEAR)
    assert online["2022-02-28 23:00"] == pytest.approx(100.0)
    assert online["2022-03-01 00:00"] == pytest.approx(150.0)
    assert online["2022-11-01 00:00"] == pytest.approx(100.0)


def test_listed_plants_larger_than_the_total_are_an_error() -> None:
    with pytest.raises(DataError, match=r"sum to 400 MW, more than the 387\.7 MW"):
        online_capacity_mw(387.7, _plants([("a", 400.0, "2020-01-01", None)]), [], YEAR)


def test_dates_only_with_add() -> None:
    with pytest.raises(ValueError, match="action add only"):
        FleetChange(country="GT", technology="coal", action="scale", factor=1.0, commissioning_date="2022-01-01")
    with pytest.raises(ValueError, match="must be after"):
        FleetChange(
            country="GT",
            technology="gas",
            action="add",
            capacity_mw=1.0,
            commissioning_date="2022-05-01",
            retirement_date="2022-04-01",
        )


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("commissioning_date", "1 May 2022", r"must be a date YYYY-MM-DD, found '1 May 2022'"),
        ("technology", "hydro_reservoir", r"column `technology` must be one of"),
        ("capacity_mw", "-5", r"column `capacity_mw` must be a positive number"),
        ("retirement_date", "2021-01-01", r"must be after `commissioning_date`"),
    ],
)
def test_bad_commissioning_row_names_file_line_and_column(
    tmp_path: Path, column: str, value: str, message: str
) -> None:
    root = tmp_path / "grids"
    shutil.copytree(grids_dir(), root)
    table = pd.read_csv(root / "fleet/commissioning.csv", dtype=str)
    table.loc[0, column] = value
    table.to_csv(root / "fleet/commissioning.csv", index=False)
    with pytest.raises(DataError, match=message) as info:
        read_commissioning(load_data(root))
    assert "commissioning.csv:2" in str(info.value)


def test_edp_is_part_of_the_sv_gas_total(data: InputData) -> None:
    plants = read_commissioning(data)
    edp = plants[plants.plant.str.contains("Pacífico")].iloc[0]
    assert edp.commissioning_date == pd.Timestamp("2022-05-01")
    assert edp.capacity_mw <= data.capacity_mw("SV", "gas", 2022)


def test_edp_runs_only_from_1_may_2022(data: InputData) -> None:
    """Two days either side of 1 May 2022, solved: before it only the 9.7 MW of SV gas capacity
    that is not EDP is there; after it the plant runs (gas is cheaper than bunker)."""
    quiet_libraries()
    scenario = short_scenario(start="2022-04-29", days=4)
    n = build_network(scenario, data)
    solve_network(n)
    p = n.generators_t.p["SV gas"]
    rest = data.capacity_mw("SV", "gas", 2022) - 378.0
    before, after = p[p.index < "2022-05-01"], p[p.index >= "2022-05-01"]
    assert before.max() <= rest + 1e-6
    assert after.max() > 300.0
    upper = n.generators_t.p_max_pu["SV gas"] * n.generators.p_nom["SV gas"]
    assert np.allclose(upper[upper.index >= "2022-05-01"], 0.9 * data.capacity_mw("SV", "gas", 2022))


def test_cli_run_with_a_plant_larger_than_its_total_exits_2(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    root = tmp_path / "grids"
    shutil.copytree(grids_dir(), root)
    path = root / "fleet/commissioning.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",SV,gas,378,", ",SV,gas,500,"), encoding="utf-8")
    scenario = tmp_path / "short.yaml"
    scenario.write_text("name: short\nyear: 2022\nsolve:\n  start_date: 2022-04-01\n  days: 1\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "run", str(scenario), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env={**os.environ, "SIEPAC_GRIDS_DIR": str(root)},
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "commissioning.csv" in done.stderr and "more than the 387.7 MW" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out" / "short").exists()
