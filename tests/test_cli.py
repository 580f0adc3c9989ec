"""The ``siepac run`` command: outputs, manifest, errors with exit code 2, no network."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from simulator.cli import app
from simulator.data import data_hash
from simulator.run import run_scenario
from simulator.testing import short_scenario

runner = CliRunner()


def scenario_file(tmp_path: Path, body: str = "") -> Path:
    path = tmp_path / "short.yaml"
    path.write_text(
        "name: short\nyear: 2022\nhydrology: 2022\nsolve:\n  start_date: 2022-04-01\n  days: 2\n" + body,
        encoding="utf-8",
    )
    return path


def test_run_writes_network_kpis_and_manifest(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(scenario_file(tmp_path)), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    run_dir = tmp_path / "out" / "short"
    assert {p.name for p in run_dir.iterdir()} == {"network.nc", "kpis.csv", "manifest.json"}
    kpis = pd.read_csv(run_dir / "kpis.csv")
    assert list(kpis.columns) == ["scenario", "metric", "region", "carrier", "value", "unit"]
    assert set(kpis.scenario) == {"short"}
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["condition"] == "optimal"
    assert manifest["scenario"]["name"] == "short"
    assert manifest["input_data_sha256"] == data_hash()
    assert manifest["packages"]["pypsa"].startswith("1.")
    assert manifest["snapshots"]["count"] == 48
    assert manifest["peak_memory_mb"] > 0
    assert {"build_network", "solve"} <= set(manifest["timings_s"])
    # the summary names what an analyst looks at first
    for text in (
        "prices, demand, trade",
        "Generation mix",
        "Trade by border",
        "Mexico -> Guatemala",
        "Results written to",
    ):
        assert text in result.output
    assert not list((tmp_path / "out").glob(".*partial"))


def test_bad_input_exits_2_without_traceback_and_keeps_earlier_results(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(scenario_file(tmp_path)), "--out", str(out)]).exit_code == 0
    before = (out / "short" / "kpis.csv").read_bytes()
    bad = scenario_file(tmp_path, "grid:\n  secnd_circuit: true\n")
    result = runner.invoke(app, ["run", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    assert "unknown key `secnd_circuit`" in result.output
    assert "did you mean `second_circuit`" in result.output
    assert "Traceback" not in result.output
    assert (out / "short" / "kpis.csv").read_bytes() == before


@pytest.mark.parametrize(
    "args, expected",
    [
        (["run", "missing.yaml"], "scenario file not found"),
        (["run", "WRITE:name: x\nyear: 2031\n"], "no input data for year 2031"),
        (["run", "WRITE:name: x\nyear: [2022\n"], "not valid YAML"),
    ],
)
def test_user_errors_exit_2(tmp_path: Path, args: list[str], expected: str) -> None:
    if args[1].startswith("WRITE:"):
        path = tmp_path / "bad.yaml"
        path.write_text(args[1][6:], encoding="utf-8")
        args = [args[0], str(path)]
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert expected in result.output
    assert not (tmp_path / "out").exists()


def test_missing_data_file_is_a_user_error(tmp_path: Path) -> None:
    grids = tmp_path / "grids"
    subprocess.run(["cp", "-r", str(Path(__file__).parents[1] / "grids"), str(grids)], check=True)
    (grids / "fuels" / "prices.csv").unlink()
    env = {**os.environ, "SIEPAC_GRIDS_DIR": str(grids)}
    done = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "run", str(scenario_file(tmp_path))],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 2
    assert "input table missing" in done.stderr and "fuels/prices.csv" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_run_makes_no_network_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pypsa

    assert os.environ["PYPSA_GENERAL__ALLOW_NETWORK_REQUESTS"] == "false"
    assert pypsa.options.general.allow_network_requests is False

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network request attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    result = run_scenario(short_scenario(days=1), tmp_path)
    assert result.report.condition == "optimal"
