"""End to end: ``siepac run`` on the shipped scenarios, a full hourly year each."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pypsa
import pytest
from recompute import largest_price_gap, objective_usd
from typer.testing import CliRunner

from simulator import COUNTRIES
from simulator.cli import app
from simulator.data import load_data
from simulator.paths import scenarios_dir

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name, year", [("base_2022", 2022), ("base_2023", 2023)])
def test_full_year_run(tmp_path: Path, name: str, year: int) -> None:
    result = CliRunner().invoke(app, ["run", str(scenarios_dir() / f"{name}.yaml"), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    run = tmp_path / name
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["condition"] == "optimal"
    assert manifest["snapshots"]["count"] == 8760
    # recomputed from the written network, not read back from the checks the solve enforced:
    # the reported cost is the cost of the 8760 written hours, each price a marginal unit's cost
    n = pypsa.Network(run / "network.nc")
    assert objective_usd(n) == pytest.approx(manifest["objective_usd"], rel=1e-7)
    gap, cases = largest_price_gap(n)
    assert cases > 8760 and gap < 1e-3
    kpis = pd.read_csv(run / "kpis.csv", keep_default_na=False)
    data = load_data()

    def value(metric: str, region: str, carrier: str = "") -> float:
        row = kpis[(kpis.metric == metric) & (kpis.region == region) & (kpis.carrier == carrier)]
        return float(row.value.iloc[0])

    for country in COUNTRIES:
        # the year's energy is served (unserved energy below 0.1 % of demand)
        assert value("demand", country) == pytest.approx(data.demand_value(country, year, "energy_gwh"), rel=1e-6)
        assert value("unserved_energy", country) < 1e-3 * value("demand", country)
        # generation + imports - exports = demand, per country over the year
        generation = kpis[(kpis.metric == "generation") & (kpis.region == country)].value.sum()
        balance = generation + value("imports", country) - value("exports", country) - value("demand", country)
        assert abs(balance) < 1e-3 * value("demand", country) + value("unserved_energy", country) + 1.0
        # weather-driven renewables cannot exceed the weather year's observed energy
        for carrier in ("wind", "solar", "geothermal"):
            assert (
                value("generation", country, carrier) <= data.resource_energy_gwh(country, year, carrier) * 1.001 + 0.1
            )
        assert 20 < value("price_load_weighted", country) < 400
    # Mexico sells to Guatemala and the link binds at its 2018 limits in some hours
    assert value("flow_forward", "MX-GT") > 0
    assert value("hours_at_limit", "MX-GT") > 0
    # the back-test reuses this complete run instead of solving again
    backtest = CliRunner().invoke(app, ["backtest", "--year", str(year), "--out", str(tmp_path)])
    assert backtest.exit_code == 0, backtest.output
    assert "Reusing the complete run" in backtest.output
    table = pd.read_csv(tmp_path / f"backtest-{year}" / "backtest.csv")
    if year == 2022:
        assert "Score:" in backtest.output
        assert (tmp_path / "backtest-2022" / "generation_shares.png").is_file()
        assert table.observed.notna().all()
    else:
        assert "out of sample" in backtest.output
        assert "observed" not in table.columns or table.observed.isna().all()
